"""The letter register: a decided claim's letter numbered and registered in one transaction, its PDF recorded.

`LetterRegister.number` takes the next sequence of the issuing office's year (`UPDATE … SET last = last + 1
… RETURNING last`: the row lock on PostgreSQL, the write lock `BEGIN IMMEDIATE` took on SQLite), builds the
letter with it and inserts the register row with the letter's canonical data and digest, all in one
transaction: two workers never get the same number, and a rolled-back attempt uses none. A claim that has a
letter for its decision revision already gets that letter back, rebuilt from the registered number and date
(never a second number). `record_pdf` records the PDF's SHA-256 once the file is written; the PDF itself is
made outside the numbering transaction (see migration 0002_letters for why). Each of the two inserts is chained
in the same transaction (`beasiswa.letters.chain`, migration 0006_letter_register_chain).

Every write is made as a registered user allowed to issue the office's letters (an officer or a supervisor of
that office: `issuers` maps an office to the user's name), read and checked in the write's own transaction, and
numbering a letter writes an audit row naming the number issued (action `letter.issue`).

Runs at the same time share the work. On PostgreSQL a claim is numbered, and its letter's PDF rendered and
recorded, under its `claims` row locked `FOR NO KEY UPDATE SKIP LOCKED` (`rendering` holds the lock while the
PDF is made): a claim another run holds is left to it, and nobody waits or fails on a unique constraint. On
SQLite writers queue on `BEGIN IMMEDIATE`, and the PDF is made outside any transaction; the issuer's lock on
the file (`beasiswa.letters.batch`) keeps two runs from writing it both.

The case comes from the file it was registered from, the decision from the `claims` row: the letter states
what the ledger holds. Pure rebuilding makes the same canonical bytes; if it does not (the decision or the
letters' data changed since), the register refuses rather than issue a letter that differs from its record.
"""

import datetime as dt
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

import attrs
from sqlalchemy import and_, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check
from beasiswa.access.trail import actor, audit
from beasiswa.casefile import loads, parse_case
from beasiswa.db.letter_tables import letter_files, letter_sequences, letters
from beasiswa.db.rows import decision_from_row
from beasiswa.db.tables import cases, claims
from beasiswa.db.uow import RetryPolicy, UnitOfWork, utc_now
from beasiswa.letters import chain
from beasiswa.letters.canonical import canonical_bytes, digest
from beasiswa.letters.content import Kind, Letter, LetterNumber, build_letter, letter_number
from beasiswa.letters.settings import LetterSettings, default_settings
from beasiswa.model import Case, ClaimRef, Outcome, Refusal, State

# Contention is retried; anything else, and contention through every attempt, is raised as the database said.
RETRY_POLICY = RetryPolicy(pause=lambda attempt: random.uniform(0, 0.01 * attempt))
# The outcomes a letter tells the family (approved, rejected, returned); a pending decision gets none yet.
LETTERED_OUTCOMES = tuple(o.value for o in Outcome if Kind.for_outcome(o) is not None)


def file_name(number: str) -> str:
    """The PDF's file name: the number with its slashes made underscores ('B_0123_KC-PLG_BSW_08_2025.pdf')."""
    return number.replace("/", "_") + ".pdf"


@attrs.frozen
class Registered:
    """One row of the register, with its PDF's digest once recorded."""

    number: str
    office: str
    year: int
    sequence: int
    case_id: str
    claim_id: str
    decision_revision: int
    kind: str
    letter_date: dt.date
    data: bytes
    data_digest: str
    file_name: str
    numbered_at: str
    pdf_sha256: str | None = None
    rendered_at: str | None = None

    @classmethod
    def from_row(cls, row) -> "Registered":
        return cls(**{f.name: getattr(row, f.name) for f in attrs.fields(cls)})


@attrs.frozen
class Numbered:
    """A claim's letter with its register row; `created` is False when the letter was numbered before."""

    letter: Letter
    entry: Registered
    created: bool


_REGISTER = select(*letters.c, letter_files.c.pdf_sha256, letter_files.c.rendered_at).select_from(
    letters.outerjoin(letter_files, letter_files.c.number == letters.c.number))


def decided_without_letter(conn: Connection, offices: Iterable[str] | None = None) -> list[ClaimRef]:
    """Decided claims without a letter: a decision the family is told of (approved, rejected, returned) with
    no letter for the decision in force (the claim's `decision_revision`), of the cases of `offices` (or all),
    by case and claim. Pending claims get none, nor do claims resubmitted and not yet decided again (state
    `submitted`)."""
    lettered = select(letters.c.case_id).where(and_(
        letters.c.case_id == claims.c.case_id, letters.c.claim_id == claims.c.claim_id,
        letters.c.decision_revision == claims.c.decision_revision)).exists()
    query = (select(claims.c.case_id, claims.c.claim_id)
             .where(claims.c.outcome.in_(LETTERED_OUTCOMES), claims.c.state != State.SUBMITTED.value, ~lettered)
             .order_by(claims.c.case_id, claims.c.claim_id))
    if offices is not None:
        query = query.join(cases, cases.c.case_id == claims.c.case_id).where(cases.c.office.in_(list(offices)))
    return [ClaimRef(r.case_id, r.claim_id) for r in conn.execute(query)]


class LetterRegister:
    def __init__(self, engine: Engine, settings: LetterSettings | None = None, clock=utc_now,
                 cached_cases: int = 64, issuers: Mapping[str, str] | None = None):
        self.engine = engine
        self.settings = settings or default_settings()
        self.clock = clock
        self._unit_of_work = UnitOfWork(engine, clock=clock, policy=RETRY_POLICY)
        self.issuers = dict(issuers or {})  # office -> the user who issues its letters
        self._cases: OrderedDict[str, Case] = OrderedDict()
        self._cached_cases = cached_cases

    # ------------------------------------------------------------------------------------------- reading
    def case(self, case_id: str) -> Case:
        """The case as registered (its file never changes once registered); a few kept for the next claims."""
        if case_id in self._cases:
            self._cases.move_to_end(case_id)
            return self._cases[case_id]
        with self.engine.connect() as conn:
            case_file = conn.execute(select(cases.c.case_file).where(cases.c.case_id == case_id)).scalar()
        if case_file is None:
            raise Refusal("CASE_NOT_REGISTERED", f"case {case_id!r} is not registered in this database")
        case = parse_case(loads(case_file), accounts=False)  # held to the bank table when registered
        self._cases[case_id] = case
        if len(self._cases) > self._cached_cases:
            self._cases.popitem(last=False)
        return case

    def lookup(self, number: str) -> Registered | None:
        with self.engine.connect() as conn:
            row = conn.execute(_REGISTER.where(letters.c.number == number)).one_or_none()
        return Registered.from_row(row) if row else None

    def letters_of(self, case_id: str, claim_id: str) -> list[Registered]:
        with self.engine.connect() as conn:
            rows = conn.execute(_REGISTER.where(and_(letters.c.case_id == case_id, letters.c.claim_id == claim_id))
                                .order_by(letters.c.decision_revision)).all()
        return [Registered.from_row(r) for r in rows]

    def unlettered(self, offices: Iterable[str] | None = None) -> list[ClaimRef]:
        """The decided claims without a letter (`decided_without_letter`) of `offices` (or all), read now."""
        with self.engine.connect() as conn:
            return decided_without_letter(conn, offices)

    def unrendered(self, offices: Iterable[str] | None = None) -> list[Registered]:
        """Letters numbered whose PDF was never recorded (the process stopped between the two), of the
        decisions in force (a letter of a superseded decision is not sent any more), of `offices` (or all)."""
        current = select(claims.c.case_id).where(and_(
            claims.c.case_id == letters.c.case_id, claims.c.claim_id == letters.c.claim_id,
            claims.c.decision_revision == letters.c.decision_revision)).exists()
        query = _REGISTER.where(letter_files.c.number.is_(None), current)
        if offices is not None:
            query = query.where(letters.c.office.in_(list(offices)))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(letters.c.office, letters.c.year, letters.c.sequence)).all()
        return [Registered.from_row(r) for r in rows]

    def problems_of(self, number: str) -> list[str]:
        """What is wrong with letter `number`'s rows of the register (`chain.letter_findings`); [] if nothing."""
        with self.engine.connect() as conn:
            return chain.letter_findings(conn, number)

    # ------------------------------------------------------------------------------------------- writing
    def number(self, key: ClaimRef, day: dt.date, *, skip_locked: bool = False) -> Numbered | None:
        """The letter of a claim's decision: numbered now, dated `day`, or the one it was given before. With
        `skip_locked`, None when another run holds the claim (PostgreSQL): it is numbering or rendering it."""
        case = self.case(key.case_id)
        try:
            return self._retrying(lambda conn: self._number(conn, case, key, day, skip_locked))
        except IntegrityError as exc:
            # Another process numbered this claim's letter at the same moment (PostgreSQL; SQLite queues):
            # its number stands, this attempt was rolled back whole and used none.
            again = self._retrying(lambda conn: self._existing(conn, case, self._claim(conn, key.case_id,
                                                                                         key.claim_id)))
            if again is None:
                raise Refusal("LETTER_REFUSED", str(exc.orig).splitlines()[0]) from None
            return again

    def rebuild(self, entry: Registered) -> Letter:
        """The letter a register row stands for, rebuilt from the case, the decision, its number and date."""
        case = self.case(entry.case_id)
        with self.engine.connect() as conn:
            return self._rebuild(conn, case, entry)

    def record_pdf(self, number: str, pdf_sha256: str) -> Registered:
        """Record that the letter's PDF was written, with its SHA-256; again with the same digest changes nothing."""
        return self._retrying(lambda conn: self._record(conn, number, pdf_sha256))

    def issuer_allowed(self, office: str) -> User:
        """The user who issues `office`'s letters, checked now (a Refusal if none is named or allowed)."""
        with self.engine.connect() as conn:
            return self._issuer(conn, office)

    @contextmanager
    def rendering(self, number: str, *, skip_locked: bool = True) -> Iterator["Rendering | None"]:
        """The right to render letter `number` and record its PDF, or None if another run holds its claim.

        PostgreSQL: one transaction, the claim's row locked (`FOR NO KEY UPDATE`, skipping it if locked) from
        before the register is read until the PDF's digest is recorded, so no two runs write the same PDF.
        SQLite: nothing held while the PDF is made (writers would queue behind it); the record is its own
        transaction, and the file's lock (the issuer's) keeps a second run from writing the same file."""
        if self.engine.dialect.name != "postgresql":
            entry = self.lookup(number)
            if entry is None:
                raise Refusal("LETTER_NOT_REGISTERED", f"letter {number} is not in the register")
            self.issuer_allowed(entry.office)
            yield Rendering(entry, lambda sha: self.record_pdf(number, sha))
            return
        with self.engine.begin() as conn:
            row = conn.execute(_REGISTER.where(letters.c.number == number)).one_or_none()
            if row is None:
                raise Refusal("LETTER_NOT_REGISTERED", f"letter {number} is not in the register")
            if self._lock_claim(conn, row.case_id, row.claim_id, skip_locked) is None:
                yield None
                return
            entry = Registered.from_row(conn.execute(_REGISTER.where(letters.c.number == number)).one())
            self._issuer(conn, entry.office)
            yield Rendering(entry, lambda sha: self._record(conn, number, sha))

    # ------------------------------------------------------------------------------------------- inside
    def _issuer(self, conn: Connection, office: str) -> User:
        name = self.issuers.get(office)
        if name is None:
            raise Refusal("NO_USER", f"surat kantor {office} diterbitkan atas nama pengguna kantor itu: "
                                f"--as NAMA (petugas atau pengawas kantor {office})")
        user = actor(conn, name)
        check(user, Action.ISSUE_LETTER, office, "surat")
        return user

    def _record(self, conn: Connection, number: str, pdf_sha256: str) -> Registered:
        row = conn.execute(_REGISTER.where(letters.c.number == number)).one_or_none()
        if row is None:
            raise Refusal("LETTER_NOT_REGISTERED", f"letter {number} is not in the register")
        if row.pdf_sha256 is None:
            user = self._issuer(conn, row.office)
            conn.execute(insert(letter_files).values(number=number, pdf_sha256=pdf_sha256,
                                                     rendered_at=self._unit_of_work.now()))
            chain.append(conn, "rendered", number, user.name)
            row = conn.execute(_REGISTER.where(letters.c.number == number)).one()
        elif row.pdf_sha256 != pdf_sha256:
            raise Refusal("LETTER_PDF_CHANGED", f"letter {number}: the PDF rendered now has SHA-256 "
                                f"{pdf_sha256}, the register holds {row.pdf_sha256}")
        return Registered.from_row(row)

    @staticmethod
    def _lock_claim(conn: Connection, case_id: str, claim_id: str, skip_locked: bool):
        """PostgreSQL: the claim's row locked for this transaction (None: another holds it and `skip_locked`).
        FOR NO KEY UPDATE: the journal's and the register's foreign keys to the claim still go through."""
        query = (select(claims.c.case_id).where(and_(claims.c.case_id == case_id, claims.c.claim_id == claim_id))
                 .with_for_update(key_share=True, skip_locked=skip_locked))
        return conn.execute(query).one_or_none()

    def _claim(self, conn: Connection, case_id: str, claim_id: str):
        row = conn.execute(select(claims).where(and_(claims.c.case_id == case_id,
                                                     claims.c.claim_id == claim_id))).one_or_none()
        if row is None:
            raise Refusal("CLAIM_NOT_REGISTERED", f"claim {case_id}/{claim_id} is not registered in this "
                                f"database")
        return row

    def _existing(self, conn: Connection, case: Case, claim_row) -> Numbered | None:
        row = conn.execute(_REGISTER.where(and_(letters.c.case_id == claim_row.case_id,
                                                letters.c.claim_id == claim_row.claim_id,
                                                letters.c.decision_revision == claim_row.decision_revision))
                           ).one_or_none()
        if row is None:
            return None
        entry = Registered.from_row(row)
        return Numbered(self._letter(case, claim_row, entry), entry, False)

    def _rebuild(self, conn: Connection, case: Case, entry: Registered) -> Letter:
        claim_row = self._claim(conn, entry.case_id, entry.claim_id)
        if claim_row.decision_revision != entry.decision_revision:
            raise Refusal("LETTER_SUPERSEDED", f"letter {entry.number} tells decision revision "
                                f"{entry.decision_revision}; claim {entry.case_id}/{entry.claim_id} is at "
                                f"revision {claim_row.decision_revision}, whose letter is a new one")
        return self._letter(case, claim_row, entry)

    def _letter(self, case: Case, claim_row, entry: Registered) -> Letter:
        letter = build_letter(case, decision_from_row(claim_row), LetterNumber.parse(entry.number),
                              entry.letter_date, self.settings)
        if canonical_bytes(letter) != entry.data:
            raise Refusal("LETTER_DATA_CHANGED", f"letter {entry.number}: rebuilt from the claim's "
                                f"decision (revision {entry.decision_revision}) and the letters' data, it no "
                                f"longer states what was registered; a changed decision takes a new revision")
        return letter

    def _number(self, conn: Connection, case: Case, key: ClaimRef, day: dt.date, skip_locked: bool) -> Numbered | None:
        if conn.dialect.name == "postgresql" and self._lock_claim(conn, key.case_id, key.claim_id, skip_locked) is None:
            self._claim(conn, key.case_id, key.claim_id)  # refuses a claim that is not registered
            return None  # another run holds it
        claim_row = self._claim(conn, key.case_id, key.claim_id)
        existing = self._existing(conn, case, claim_row)
        if existing is not None:
            return existing
        decision = decision_from_row(claim_row)
        kind = Kind.for_outcome(decision.outcome)
        if kind is None:
            raise Refusal("CLAIM_PENDING", f"claim {key}: a {decision.outcome.value} decision gets no "
                                f"letter yet")
        user = self._issuer(conn, case.office)
        sequence = self._next_sequence(conn, case.office, day.year)
        letter = build_letter(case, decision, letter_number(self.settings, case.office, sequence, day), day,
                              self.settings)
        data = canonical_bytes(letter)
        number = str(letter.frame.number)
        entry = Registered(number=number, office=case.office, year=day.year, sequence=sequence,
                           case_id=key.case_id, claim_id=key.claim_id,
                           decision_revision=claim_row.decision_revision, kind=kind.value, letter_date=day,
                           data=data, data_digest=digest(data), file_name=file_name(number),
                           numbered_at=self._unit_of_work.now())
        values = attrs.asdict(entry)
        del values["pdf_sha256"], values["rendered_at"]
        conn.execute(insert(letters).values(**values))
        chain.append(conn, "numbered", number, user.name)
        audit(conn, [dict(at=entry.numbered_at, actor=user.name, action="letter.issue", subject=f"letter {number}",
                          case_id=key.case_id, claim_id=key.claim_id,
                          after={"number": number, "kind": kind.value, "date": day.isoformat(),
                                 "decision_revision": claim_row.decision_revision},
                          note=f"nomor surat {number} diterbitkan untuk klaim {key}")])
        return Numbered(letter, entry, True)

    @staticmethod
    def _next_sequence(conn: Connection, office: str, year: int) -> int:
        conn.execute(text("INSERT INTO letter_sequences (office, year, last) VALUES (:office, :year, 0) "
                          "ON CONFLICT (office, year) DO NOTHING"), {"office": office, "year": year})
        return conn.execute(update(letter_sequences)
                            .where(and_(letter_sequences.c.office == office, letter_sequences.c.year == year))
                            .values(last=letter_sequences.c.last + 1)
                            .returning(letter_sequences.c.last)).scalar_one()

    def _retrying(self, work):
        return self._unit_of_work.run(work)


@attrs.frozen
class Rendering:
    """A letter held for rendering: its register row as read under the hold, and how to record its PDF."""

    entry: Registered
    record: Callable[[str], Registered]
