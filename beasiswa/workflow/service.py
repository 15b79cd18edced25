"""The workflow service: every change to users and claims, each checked, done and audited in one transaction.

A change goes: the acting user read in the transaction (a deactivated one does nothing) → the role and office
checked (`roles.check`) → the claim locked and its state checked against the transition table
(`states.next_state`) → the change, guarded by the state it was read in → the audit row. Any refusal rolls
back all of it. The rules stay pure: a re-decision builds the rules' `Case` from the registered case file,
with the journal's unreversed payouts and the approved claims not yet paid as its history.

Bulk actions run claims in chunks, each claim under a savepoint: one refusal undoes that claim's change
only and never stops the others; a chunk is one commit, so a crash loses at most the chunk (run it again).

A refused attempt is audited too (who asked, what, the refusal's code and message: `records.refused`): a
claim's or a case's refusal within a chunk in the chunk's own transaction, once its savepoint rolled back; a
refusal that rolls back the whole transaction (a user action, the settling of arrears) in a transaction of
its own afterwards (`_refusing`), so it is never lost with what it refused.
"""

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from beasiswa.casefile import CONVERTER, case_to_json, dumps
from beasiswa.db.engine import is_postgres
from beasiswa.db.rows import case_row, child_row, claim_row, decision_columns, family_total_row, usage_rows
from beasiswa.db.tables import cases, children, claims, family_totals, journal, level_usage
from beasiswa.db.uow import timestamp, utc_now
from beasiswa.law import Law, default_law
from beasiswa.ledger import Ledger
from beasiswa.ledger.errors import database_rule
from beasiswa.ledger.entries import HISTORY_APPROVER, Entry, payout_key
from beasiswa.model import Case, ClaimRef, Code, Document, Level, Outcome, Refusal
from beasiswa.rules import InvalidCase, decide
from beasiswa.workflow.actions import Action
from beasiswa.workflow.errors import case_not_found
from beasiswa.workflow.override import overridden
from beasiswa.workflow.records import (
    actor,
    arrears_recorded_before,
    audit,
    counted_history,
    lock_case,
    lock_claim,
    buffered_audit,
    move_claim,
    refused,
    registered_case,
    registered_name,
    savepoint,
)
from beasiswa.workflow.roles import (
    Role,
    User,
    check,
    check_four_eyes,
    check_name,
    check_office,
    check_two_people,
)
from beasiswa.workflow.states import State, next_state, path_after_decision
from beasiswa.workflow.tables import users

CHUNK = 200
# PostgreSQL: the advisory lock two first admins' bootstraps queue on (the journal's is JOURNAL_LOCK).
BOOTSTRAP_LOCK = 0x62656173697375


@attrs.frozen
class Step:
    """What one action did to one claim, or why it did nothing (`refusal`)."""

    ref: ClaimRef
    action: Action
    before: State | None = None
    after: State | None = None
    outcome: str | None = None
    amount: int = 0
    revision: int | None = None
    seq: int | None = None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


@attrs.frozen
class ClaimTaken:
    claim_id: str
    outcome: str
    state: State
    amount: int


@attrs.frozen
class CaseIntake:
    """One case of an intake: taken whole (`new` case, or `added` claims to a registered one), `unchanged`
    (everything in it was registered already), or `refused` whole with the reason."""

    case_id: str
    status: str  # new | added | unchanged | refused
    taken: tuple[ClaimTaken, ...] = ()
    unchanged: int = 0
    refusal: Refusal | None = None


@attrs.frozen
class ClaimRecorded:
    """One claim of a recorded case file: where it ended (`paid` with its payout's `seq`, `replayed` when it
    was paid before this run), or why it was not paid (its outcome and reasons, or a `refusal`)."""

    claim_id: str
    state: State
    outcome: str
    amount: int
    reasons: tuple[str, ...] = ()
    seq: int | None = None
    replayed: bool = False
    refusal: Refusal | None = None


@attrs.frozen
class CaseRecorded:
    """A case file recorded (`beasiswa ledger record`): taken in (`new`, `added`, `unchanged`) with its claims,
    or `refused` whole with the reason and nothing written."""

    case_id: str
    status: str  # new | added | unchanged | refused
    scheme: str | None = None
    history: int = 0  # payouts of history[] imported now
    claims: tuple[ClaimRecorded, ...] = ()
    refusal: Refusal | None = None

    @property
    def refusals(self) -> int:
        return int(self.refusal is not None) + sum(1 for c in self.claims if c.refusal is not None)


@attrs.frozen
class Reversal:
    """A payout reversed (`beasiswa ledger reverse`): the journal's new entry (`replayed`: posted before under
    the same key), and the claim it paid, moved from `before` to `after` (None for a history payout)."""

    entry: Entry
    replayed: bool
    claim: ClaimRef | None = None
    before: State | None = None
    after: State | None = None


def _claim_state(row) -> dict[str, Any]:
    """What the audit trail shows of a claim, before or after a change."""
    return {"state": row["state"], "decision_revision": row["decision_revision"], "outcome": row["outcome"],
            "amount": row["amount"]}


def _refusal(exc: Exception) -> Refusal:
    if isinstance(exc, Refusal):
        return exc
    message = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return Refusal(database_rule(message) or "REFUSED_BY_DATABASE", f"ditolak oleh basis data: {message}")


_CLEARED = {"verified_by": None, "verified_at": None, "approved_by": None, "approved_at": None,
            "override_outcome": None, "override_reason": None, "overridden_by": None, "overridden_at": None}


# What a reversal clears on the claim it takes back to `decided`: the payout, and the verification and approval
# it was made on (the override, if any, stays: it is the decision's, and its officer still may not approve).
_UNPAID = {"paid_seq": None, "verified_by": None, "verified_at": None, "approved_by": None, "approved_at": None}


class Workflow:
    def __init__(self, engine: Engine, law: Law | None = None,
                 clock: Callable[[], dt.datetime] = utc_now, chunk: int = CHUNK):
        self.engine = engine
        self.law = law or default_law()
        self.clock = clock
        self.chunk = chunk
        self.ledger = Ledger(engine, self.law, clock)

    def _run(self, work: Callable[[Connection], Any]) -> Any:
        return self.ledger.run(work)

    def _now(self) -> str:
        return timestamp(self.clock())

    # ============================================================================================ users
    def _refusing(self, asked_as: str | None, action: str, subject: str, work: Callable[[], Any], *,
                  case_id: str | None = None) -> Any:
        """`work()`, and if it is refused, the refusal audited in a transaction of its own (the attempt's
        rolled back), then raised again."""
        try:
            return work()
        except Refusal as refusal:
            self.record_refusal(asked_as, action, subject, refusal, case_id=case_id)
            raise

    def record_refusal(self, asked_as: str | None, action: str, subject: str, refusal: Refusal, *,
                       case_id: str | None = None, claim_id: str | None = None) -> None:
        """Audit a refused attempt in its own transaction: who asked (as given), what, and why it was refused."""
        def work(conn: Connection) -> None:
            audit(conn, [refused(self._now(), asked_as, action, subject, refusal,
                                 user=registered_name(conn, asked_as), case_id=case_id, claim_id=claim_id)])
        self._run(work)

    def bootstrap(self, name: str, office: str) -> User:
        """The first admin, on a database without users; refused once any user exists."""
        return self._refusing(name, "user.bootstrap", f"user {name}", lambda: self._bootstrap(name, office))

    def _bootstrap(self, name: str, office: str) -> User:
        user = self._new_user(name, Role.ADMIN, office)

        def work(conn: Connection) -> User:
            if is_postgres(conn):  # not LOCK TABLE: it needs UPDATE on all of users (the app may change `active`)
                conn.execute(select(func.pg_advisory_xact_lock(BOOTSTRAP_LOCK)))
            existing = conn.execute(select(func.count()).select_from(users)).scalar_one()
            if existing:
                raise Refusal("USERS_EXIST", f"sudah ada {existing} pengguna: admin pertama hanya dibuat pada "
                                             f"basis data tanpa pengguna; admin menambah pengguna dengan "
                                             f"`beasiswa users add`")
            return self._insert_user(conn, user, created_by=user.name, now=self._now())
        return self._run(work)

    def add_user(self, as_: str | None, name: str, role: Role | str, office: str) -> User:
        return self._refusing(as_, "user.add", f"user {name}", lambda: self._add_user(as_, name, role, office))

    def _add_user(self, as_: str | None, name: str, role: Role | str, office: str) -> User:
        user = self._new_user(name, role, office)

        def work(conn: Connection) -> User:
            admin = actor(conn, as_)
            check(admin, Action.MANAGE_USERS, None, f"(menambah {user.describe()})")
            if conn.execute(select(users.c.name).where(users.c.name == user.name)).scalar() is not None:
                raise Refusal("USER_EXISTS", f"pengguna {user.name!r} sudah terdaftar; nama pengguna tidak "
                                             f"dipakai dua kali")
            return self._insert_user(conn, user, created_by=admin.name, now=self._now())
        return self._run(work)

    def deactivate_user(self, as_: str | None, name: str) -> User:
        return self._refusing(as_, "user.deactivate", f"user {name}", lambda: self._deactivate_user(as_, name))

    def _deactivate_user(self, as_: str | None, name: str) -> User:
        def work(conn: Connection) -> User:
            admin = actor(conn, as_)
            check(admin, Action.MANAGE_USERS, None, f"(menonaktifkan {name!r})")
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
            if row is None:
                raise Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar")
            if not row.active:
                raise Refusal("USER_INACTIVE", f"pengguna {name!r} sudah nonaktif")
            if row.role == Role.ADMIN.value:
                admins = conn.execute(select(func.count()).select_from(users).where(
                    users.c.role == Role.ADMIN.value, users.c.active.is_(True))).scalar_one()
                if admins <= 1:
                    raise Refusal("LAST_ADMIN", f"{name!r} adalah satu-satunya admin aktif; tambahkan admin lain "
                                                f"sebelum menonaktifkannya")
            conn.execute(update(users).where(users.c.name == name).values(active=False))
            audit(conn, [dict(at=self._now(), actor=admin.name, action="user.deactivate", subject=f"user {name}",
                              before={"active": True}, after={"active": False})])
            return User(row.name, Role(row.role), row.office, False)
        return self._run(work)

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.office, users.c.role, users.c.name)).all()
        return [User(r.name, Role(r.role), r.office, bool(r.active)) for r in rows]

    @staticmethod
    def _new_user(name: str, role: Role | str, office: str) -> User:
        try:
            return User(check_name(name), role if isinstance(role, Role) else Role.parse(role), check_office(office))
        except ValueError as exc:
            raise Refusal("INVALID_USER", str(exc)) from None

    @staticmethod
    def _insert_user(conn: Connection, user: User, *, created_by: str, now: str) -> User:
        conn.execute(insert(users).values(name=user.name, role=user.role.value, office=user.office, active=True,
                                          created_at=now, created_by=created_by))
        audit(conn, [dict(at=now, actor=created_by, action="user.add", subject=f"user {user.name}",
                          after={"role": user.role.value, "office": user.office, "active": True})])
        return user

    # =========================================================================================== intake
    def take_in(self, as_: str | None, case: Case, source: str = "") -> CaseIntake:
        """Register a case with its claims and decide them, or add its new claims to the registered case;
        all of it or nothing. A case whose every claim is registered already changes nothing."""
        return self.take_in_all([(case, as_)], source)[0]

    def take_in_all(self, items: Sequence[tuple[Case, str | None]], source: str = "") -> list[CaseIntake]:
        """Take in many cases, each as its user, each whole or not at all, in chunks of one transaction.

        New cases without history are inserted together (multi-row statements, checked by the same
        triggers); a chunk the database refuses is done again case by case, so the refusal names its case.
        Registered cases, and cases with history, go one by one under a savepoint."""
        decided = []
        for case, as_ in items:  # pure, before any transaction: the rules on the case as the file gives it
            try:
                decided.append((case, as_, self._decide(case)))
            except Refusal as refusal:
                decided.append((case, as_, refusal))
        results: list[CaseIntake] = []
        chunk: list = []
        ids: set[str] = set()
        for item in decided:
            if len(chunk) == self.chunk or item[0].case_id in ids:  # a case twice: the second sees the first
                results += self._run(lambda conn, chunk=chunk: self._take_in_chunk(conn, chunk, source))
                chunk, ids = [], set()
            chunk.append(item)
            ids.add(item[0].case_id)
        if chunk:
            results += self._run(lambda conn: self._take_in_chunk(conn, chunk, source))
        return results

    def _take_in_chunk(self, conn: Connection, chunk: list, source: str) -> list[CaseIntake]:
        with buffered_audit(conn):  # the chunk's audit rows chained at its end, under the trail's lock once
            return self._take_in_rows(conn, chunk, source)

    def _take_in_rows(self, conn: Connection, chunk: list, source: str) -> list[CaseIntake]:
        now = self._now()
        known = set(conn.execute(select(cases.c.case_id).where(
            cases.c.case_id.in_([case.case_id for case, _, _ in chunk]))).scalars())
        users: dict[str | None, User | Refusal] = {}
        results: list[CaseIntake | None] = [None] * len(chunk)
        fresh = []
        for i, (case, as_, decision) in enumerate(chunk):
            try:
                user = self._cached_actor(conn, users, as_)
                check(user, Action.INTAKE, case.office, f"kasus {case.case_id}")
                if case.case_id in known:
                    with savepoint(conn):
                        results[i] = self._add(conn, user, case, lock_case(conn, case.case_id), source, now)
                elif isinstance(decision, Refusal):
                    raise decision
                elif case.history:
                    with savepoint(conn):
                        results[i] = self._register(conn, user, case, decision, source, now)
                else:
                    fresh.append((i, case, user, decision))
            except (Refusal, IntegrityError) as exc:
                results[i] = self._intake_refused(conn, case, as_, users.get(as_), exc, source, now)
        try:
            with savepoint(conn):
                for i, result in self._insert_new(conn, fresh, source, now):
                    results[i] = result
        except IntegrityError:
            for item in fresh:
                try:
                    with savepoint(conn):
                        [(i, result)] = self._insert_new(conn, [item], source, now)
                        results[i] = result
                except IntegrityError as exc:
                    results[item[0]] = self._intake_refused(conn, item[1], item[2].name, item[2], exc, source, now)
        return results

    @staticmethod
    def _intake_refused(conn: Connection, case: Case, as_: str | None, user, exc: Exception, source: str,
                        now: str) -> CaseIntake:
        """A case refused whole, and its refused row in the trail (`user`: the actor read, or why not)."""
        refusal = _refusal(exc)
        audit(conn, [refused(now, as_, Action.INTAKE.value, f"case {case.case_id}", refusal,
                             user=user.name if isinstance(user, User) else None, case_id=case.case_id,
                             note=source or None)])
        return CaseIntake(case.case_id, "refused", refusal=refusal)

    @staticmethod
    def _cached_actor(conn: Connection, users: dict, name: str | None) -> User:
        if name not in users:
            try:
                users[name] = actor(conn, name)
            except Refusal as refusal:
                users[name] = refusal
        found = users[name]
        if isinstance(found, Refusal):
            raise found
        return found

    def _decide(self, case: Case):
        try:
            return decide(case, self.law)
        except InvalidCase as exc:
            raise Refusal("INVALID_CASE", f"kasus {case.case_id}: {exc}") from None

    def _register(self, conn: Connection, user: User, case: Case, decision, source: str, now: str) -> CaseIntake:
        """A new case with history: the ledger registers it and imports its history into the journal."""
        self.ledger.register_in(conn, case, decision, maker=user.name, approver=HISTORY_APPROVER)
        conn.execute(update(claims).where(claims.c.case_id == case.case_id).values(
            state=_STATE_FOR_OUTCOME, automatic_outcome=claims.c.outcome, state_at=now, decided_at=now,
            decided_by=user.name))
        rows, taken = self._decided_rows(case, decision, user, source, now)
        audit(conn, rows)
        return CaseIntake(case.case_id, "new", taken)

    def _insert_new(self, conn: Connection, items: list, source: str, now: str) -> list[tuple[int, CaseIntake]]:
        """New cases without history, all in one set of multi-row inserts: the rows the ledger's registration
        writes (cases, children, claims with their decisions, running totals) with the workflow's columns
        set at once. Registering ten thousand cases one by one costs ~2 ms each in statements alone."""
        case_rows, child_rows, claim_rows, family_rows, usage, audit_rows, out = [], [], [], [], [], [], []
        for i, case, user, decision in items:
            scheme = self.law.scheme(decision.scheme)
            case_rows.append(case_row(case, scheme, dumps(case_to_json(case)), now, user.name))
            child_rows += [child_row(case.case_id, c) for c in case.children]
            decided = {d.claim: d for d in decision.decisions}
            claim_rows += [_claim_row(case.case_id, claim, decided[claim.id], scheme, user.name, now)
                           for claim in case.claims]
            family_rows.append(family_total_row(case.case_id, scheme))
            usage += usage_rows(case.case_id, case.children, scheme)
            rows, taken = self._decided_rows(case, decision, user, source, now)
            audit_rows += rows
            out.append((i, CaseIntake(case.case_id, "new", taken)))
        for table, rows in ((cases, case_rows), (children, child_rows), (claims, claim_rows),
                            (family_totals, family_rows), (level_usage, usage)):
            if rows:
                conn.execute(_INSERTS[table.name], rows)
        audit(conn, audit_rows)
        return out

    @staticmethod
    def _decided_rows(case: Case, decision, user: User, source: str, now: str):
        rows = [dict(at=now, actor=user.name, action="intake", subject=f"case {case.case_id}", case_id=case.case_id,
                     after={"office": case.office, "scheme": decision.scheme, "children": len(case.children),
                            "claims": len(case.claims), "history": len(case.history)}, note=source or None)]
        taken = []
        for d in decision.decisions:
            path = path_after_decision(State.SUBMITTED, Action.DECIDE, d.outcome)
            rows.append(_decided_audit(case.case_id, d, path, user, now))
            taken.append(ClaimTaken(d.claim, d.outcome.value, path[-1], d.amount))
        return rows, tuple(taken)

    def _add(self, conn: Connection, user: User, case: Case, row, source: str, now: str) -> CaseIntake:
        """New claims (and children) for a registered case, decided with everything paid or owed counted."""
        registered = registered_case(row.case_file)
        filed, now_recorded = case.participant.arrears_months, registered.participant.arrears_months
        if filed != now_recorded and filed in arrears_recorded_before(conn, case.case_id):
            # The file was written before `beasiswa arrears` recorded the employer's arrears anew: the record
            # stands, and the file's older value is no difference (the same file again changes nothing).
            case = attrs.evolve(case, participant=attrs.evolve(case.participant, arrears_months=now_recorded))
        problems = _differences(registered, case, row.office)
        existing = {r.claim_id: r for r in conn.execute(
            select(claims.c.claim_id, claims.c.child_id, claims.c.academic_year, claims.c.level,
                   claims.c.institution).where(claims.c.case_id == case.case_id))}
        new_claims = []
        for i, claim in enumerate(case.claims):
            old = existing.get(claim.id)
            if old is None:
                new_claims.append(claim)
                continue
            for field, now_value, then in (("child", claim.child, old.child_id),
                                           ("academic_year", str(claim.academic_year), old.academic_year),
                                           ("level", claim.level.value, old.level),
                                           ("institution", claim.institution, old.institution)):
                if now_value != then:
                    problems.append(f"claims[{i}].{field}: {now_value!r} berbeda dengan klaim {claim.id} yang "
                                    f"terdaftar ({then!r})")
        if problems:
            raise Refusal("CASE_DIFFERS", f"kasus {case.case_id} sudah terdaftar dengan data lain: "
                                          + "; ".join(problems))
        known = {c.id for c in registered.children}
        new_children = [c for c in case.children if c.id not in known]
        updated_children = _updated_children(registered, case)
        if not new_claims and not new_children and not updated_children:
            return CaseIntake(case.case_id, "unchanged", unchanged=len(case.claims))
        children_now = tuple(updated_children.get(c.id, c) for c in registered.children) + tuple(new_children)
        rules_case = attrs.evolve(registered, children=children_now,
                                  history=counted_history(conn, case.case_id), claims=tuple(new_claims))
        decision = self._decide(rules_case)
        scheme = self.law.scheme(decision.scheme)
        for child_id, child in updated_children.items():
            conn.execute(update(children).where(and_(children.c.case_id == case.case_id,
                                                     children.c.child_id == child_id)).values(
                married_on=child.married_on, employed_on=child.employed_on, designated=child.designated))
        if new_children:
            conn.execute(_INSERTS["children"], [child_row(case.case_id, c) for c in new_children])
            conn.execute(_INSERTS["level_usage"], usage_rows(case.case_id, new_children, scheme))
        decided = {d.claim: d for d in decision.decisions}
        rows, taken = [], []
        for claim in new_claims:
            d = decided[claim.id]
            path = path_after_decision(State.SUBMITTED, Action.DECIDE, d.outcome)
            rows.append(_decided_audit(case.case_id, d, path, user, now))
            taken.append(ClaimTaken(claim.id, d.outcome.value, path[-1], d.amount))
        if new_claims:
            conn.execute(_INSERTS["claims"], [_claim_row(case.case_id, claim, decided[claim.id], scheme, user.name, now)
                                              for claim in new_claims])
        file_now = attrs.evolve(registered, children=children_now, claims=registered.claims + tuple(new_claims))
        conn.execute(update(cases).where(cases.c.case_id == case.case_id)
                     .values(case_file=dumps(case_to_json(file_now))))
        rows.insert(0, dict(at=now, actor=user.name, action="intake.add", subject=f"case {case.case_id}",
                            case_id=case.case_id, note=source or None,
                            after={"claims_added": [c.id for c in new_claims],
                                   "children_added": [c.id for c in new_children],
                                   "children_updated": sorted(updated_children)}))
        audit(conn, rows)
        return CaseIntake(case.case_id, "added", tuple(taken), unchanged=len(case.claims) - len(new_claims))

    # ===================================================================================== claim actions
    def verify(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """decided → verified: an officer has checked the documents of an approved decision."""
        return self._each(as_, refs, Action.VERIFY, self._verify)

    def approve(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """verified → approved (or → rejected, for an override to rejection), by a supervisor who is not the
        officer who verified or overrode it."""
        return self._each(as_, refs, Action.APPROVE, self._approve)

    def pay(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """approved → paid: the journal entry posted (maker: who verified, approver: who approved)."""
        return self._each(as_, refs, Action.PAY, self._pay)

    def return_claim(self, as_: str | None, ref: ClaimRef, missing: Sequence[Document]) -> Step:
        """decided → returned: the officer found documents missing; they are taken off the claim and the rules
        decide again, which must return it."""
        missing = frozenset(missing)
        if not missing:
            refusal = Refusal("DOCUMENTS", "sebutkan dokumen yang kurang (--missing)")
            self.record_refusal(as_, Action.RETURN.value, f"claim {ref}", refusal, case_id=ref.case_id,
                                claim_id=ref.claim_id)
            return Step(ref, Action.RETURN, refusal=refusal)
        return self._each(as_, [ref], Action.RETURN, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RETURN, remove=missing))[0]

    def resubmit(self, as_: str | None, ref: ClaimRef, documents: Sequence[Document], on: dt.date) -> Step:
        """returned → submitted → decided again, with the documents brought and `on` as the new submission date."""
        return self._each(as_, [ref], Action.RESUBMIT, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RESUBMIT, add=frozenset(documents), submitted_on=on))[0]

    def reconsider(self, as_: str | None, ref: ClaimRef) -> Step:
        """appealed → decided again on what the database holds now."""
        return self._each(as_, [ref], Action.RECONSIDER, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RECONSIDER))[0]

    def appeal(self, as_: str | None, ref: ClaimRef, reason: str) -> Step:
        """rejected → appealed: the family's request for reconsideration, once per claim."""
        return self._each(as_, [ref], Action.APPEAL, lambda conn, user, ref_, now: self._appeal(
            conn, user, ref_, now, reason))[0]

    def override(self, as_: str | None, ref: ClaimRef, outcome: Outcome, reason: str,
                 code: Code | None = None) -> Step:
        """decided, rejected or appealed → verified with the officer's outcome and written reason; it takes
        effect once a supervisor approves it."""
        return self._each(as_, [ref], Action.OVERRIDE, lambda conn, user, ref_, now: self._override(
            conn, user, ref_, now, outcome, reason, code))[0]

    def settle_arrears(self, as_: str | None, case_id: str, months: int = 0) -> tuple[Refusal | None, list[Step]]:
        """Record the employer's arrears as `months` (0: settled) and decide the case's pending claims again."""
        what = (as_, Action.SETTLE_ARREARS.value, f"case {case_id}")
        if not isinstance(months, int) or months < 0:
            refusal = Refusal("ARREARS", f"--months: {months!r} is not 0 or more")
            self.record_refusal(*what, refusal, case_id=case_id)
            return refusal, []

        def work(conn: Connection) -> list[ClaimRef]:
            user = actor(conn, as_)
            row = lock_case(conn, case_id)
            if row is None:
                raise case_not_found(case_id)
            check(user, Action.SETTLE_ARREARS, row.office, f"kasus {case_id}")
            registered = registered_case(row.case_file)
            before = registered.participant.arrears_months
            if before != months:
                file_now = attrs.evolve(registered, participant=attrs.evolve(registered.participant,
                                                                             arrears_months=months))
                conn.execute(update(cases).where(cases.c.case_id == case_id)
                             .values(case_file=dumps(case_to_json(file_now))))
                audit(conn, [dict(at=self._now(), actor=user.name, action="arrears", subject=f"case {case_id}",
                                  case_id=case_id, before={"arrears_months": before},
                                  after={"arrears_months": months})])
            pending = conn.execute(select(claims.c.claim_id).where(
                claims.c.case_id == case_id, claims.c.state == State.PENDING.value)
                .order_by(claims.c.submitted_on, claims.c.claim_id)).scalars()
            return [ClaimRef(case_id, c) for c in pending]
        try:
            pending = self._run(work)
        except (Refusal, IntegrityError) as exc:
            refusal = _refusal(exc)
            self.record_refusal(*what, refusal, case_id=case_id)
            return refusal, []
        return None, self._each(as_, pending, Action.SETTLE_ARREARS, lambda conn, user, ref, now: self._redecide(
            conn, user, ref, now, Action.SETTLE_ARREARS))

    # =================================================================================== ledger commands
    def record_case(self, as_: str | None, approver: str | None, case: Case, source: str = "") -> CaseRecorded:
        """`beasiswa ledger record`: take a case file in and carry each approved claim of it through to its
        payout at once, by two people of the case's office: `as_` (an officer, or a supervisor) takes it in
        and verifies, `approver` (a supervisor, not `as_`) approves and pays. One transaction per case, each
        step checked and audited as its own command checks and audits it; a claim refused (a ledger rule, four
        eyes) is undone alone and named, a case refused is refused whole. The same file again changes nothing
        and shows the claims paid before."""
        try:
            decision = self._decide(case)
        except Refusal as refusal:
            return CaseRecorded(case.case_id, "refused", refusal=refusal)

        def work(conn: Connection) -> CaseRecorded:
            maker, checker = actor(conn, as_), actor(conn, approver)
            claims_of = f"klaim kasus {case.case_id}"
            for user, action, what in ((maker, Action.INTAKE, f"kasus {case.case_id}"),
                                       (maker, Action.VERIFY, claims_of), (checker, Action.APPROVE, claims_of),
                                       (checker, Action.PAY, claims_of)):
                check(user, action, case.office, what)
            check_two_people(maker, checker, claims_of)
            [taken] = self._take_in_chunk(conn, [(case, maker.name, decision)], source)
            if taken.refusal is not None:
                raise taken.refusal
            now = self._now()
            recorded = []
            for claim in case.claims:
                ref = ClaimRef(case.case_id, claim.id)
                try:
                    with savepoint(conn):
                        recorded.append(self._carry(conn, maker, checker, ref, now))
                except (Refusal, IntegrityError) as exc:
                    refusal = _refusal(exc)
                    audit(conn, [refused(now, as_, "ledger.record", f"claim {ref}", refusal, user=maker.name,
                                         case_id=ref.case_id, claim_id=ref.claim_id)])
                    row = lock_claim(conn, ref)
                    recorded.append(ClaimRecorded(claim.id, State(row.state), row.outcome, row.amount,
                                                  refusal=refusal))
            scheme = conn.execute(select(cases.c.scheme_id).where(cases.c.case_id == case.case_id)).scalar_one()
            return CaseRecorded(case.case_id, taken.status, scheme, len(case.history) if taken.status == "new" else 0,
                                tuple(recorded))
        try:
            return self._run(work)
        except Refusal as exc:
            refusal = _refusal(exc)
            self.record_refusal(as_, "ledger.record", f"case {case.case_id}", refusal, case_id=case.case_id)
            return CaseRecorded(case.case_id, "refused", refusal=refusal)

    def _carry(self, conn: Connection, maker: User, checker: User, ref: ClaimRef, now: str) -> ClaimRecorded:
        """One claim of a recorded file as far as it goes: verified (maker), approved and paid (checker)."""
        row = lock_claim(conn, ref, full=True)
        state = State(row.state)
        if state is State.PAID:
            return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount, seq=row.paid_seq, replayed=True)
        if row.outcome != Outcome.APPROVED.value:
            return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount,
                                 tuple(r["code"] for r in row.reasons or ()))
        seq = None
        for start, user, step in ((State.DECIDED, maker, self._verify), (State.VERIFIED, checker, self._approve),
                                  (State.APPROVED, checker, self._pay)):
            if state is start:
                done = step(conn, user, ref, now)
                state, seq = done.after, done.seq
        return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount, seq=seq)

    def reverse(self, as_: str | None, seq: int, approver: str | None, reason: str,
                key: str | None = None) -> Reversal:
        """`beasiswa ledger reverse`: payout `seq` reversed in the journal by two people of its office: `as_`
        (an officer or a supervisor) makes the reversal, `approver` (a supervisor, not `as_`) approves it. A
        claim paid by that payout goes back to `decided` in the same transaction (states.py says why), with
        the reversal's audit row; a history payout (no claim) gets its audit row alone. Refusal otherwise."""
        return self._refusing(as_, Action.REVERSE.value, f"journal seq {seq}",
                              lambda: self._reverse(as_, seq, approver, reason, key))

    def _reverse(self, as_: str | None, seq: int, approver: str | None, reason: str, key: str | None) -> Reversal:
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Refusal("REASON_REQUIRED", f"pembatalan pembayaran seq {seq} dicatat dengan alasannya (--reason)")

        def work(conn: Connection) -> Reversal:
            maker, checker = actor(conn, as_), actor(conn, approver)
            target = conn.execute(select(journal.c.kind, journal.c.case_id, journal.c.claim_id, journal.c.office)
                                  .where(journal.c.seq == seq)).one_or_none()
            if target is None:
                raise Refusal("ENTRY_NOT_FOUND", f"jurnal tidak memuat entri seq {seq}")
            what = f"seq {seq} (kasus {target.case_id})"
            check(maker, Action.REVERSE, target.office, what)
            check(checker, Action.APPROVE_REVERSAL, target.office, what)
            check_two_people(maker, checker, f"pembatalan pembayaran {what}")
            ref = ClaimRef(target.case_id, target.claim_id) if target.kind == "payout" and target.claim_id else None
            row = lock_claim(conn, ref, full=True) if ref is not None else None
            posted = self.ledger.reverse_in(conn, seq, reason=reason, maker=maker.name, approver=checker.name,
                                            key=key or f"reversal:{seq}")
            entry = posted.entry
            if posted.replayed:
                return Reversal(entry, True, ref)
            now = self._now()
            after = {"seq": entry.seq, "reverses_seq": seq, "amount": entry.amount, "hash": entry.hash,
                     "maker": entry.maker, "approver": entry.approver}
            if row is not None and row.state == State.PAID.value and row.paid_seq == seq:
                target_state = next_state(State.PAID, Action.REVERSE, f"klaim {ref}")
                self._move(conn, row, {**_UNPAID, "state": target_state.value, "state_at": now})
                before = {**_claim_state(row._mapping), "paid_seq": seq, "verified_by": row.verified_by,
                          "approved_by": row.approved_by}
                self._audit_step(conn, maker, row, Action.REVERSE.value, now, {"state": target_state.value, **after},
                                 note=reason, before=before)
                return Reversal(entry, False, ref, State.PAID, target_state)
            subject = f"claim {ref}" if ref is not None else f"case {target.case_id}"
            audit(conn, [dict(at=now, actor=maker.name, action=Action.REVERSE.value, subject=subject,
                              case_id=target.case_id, claim_id=target.claim_id,
                              before={"seq": seq, **({"state": row.state} if row is not None else {})},
                              after=after, note=reason)])
            return Reversal(entry, False, ref)
        try:
            return self._run(work)
        except Refusal as refusal:
            raise refusal from None

    # ---------------------------------------------------------------------------------------- running
    def _each(self, as_: str | None, refs: Iterable[ClaimRef], action: Action,
              one: Callable[[Connection, User, ClaimRef, str], Step]) -> list[Step]:
        refs = list(refs)
        results: list[Step] = []
        for start in range(0, len(refs), self.chunk):
            chunk = refs[start:start + self.chunk]
            results += self._run(lambda conn: self._chunk(conn, as_, chunk, action, one))
        return results

    def _chunk(self, conn: Connection, as_: str | None, chunk: list[ClaimRef], action: Action, one) -> list[Step]:
        now = self._now()
        try:
            user = actor(conn, as_)
        except Refusal as refusal:
            audit(conn, [refused(now, as_, action.value, f"claim {ref}", refusal, user=None, case_id=ref.case_id,
                                 claim_id=ref.claim_id) for ref in chunk])
            return [Step(ref, action, refusal=refusal) for ref in chunk]
        out = []
        with buffered_audit(conn) as logged:
            for ref in chunk:
                try:
                    with savepoint(conn):  # a refusal takes the claim's buffered rows back out
                        out.append(one(conn, user, ref, now))
                except (Refusal, IntegrityError) as exc:
                    refusal = _refusal(exc)
                    logged.append(refused(now, as_, action.value, f"claim {ref}", refusal, user=user.name,
                                          case_id=ref.case_id, claim_id=ref.claim_id))
                    out.append(Step(ref, action, refusal=refusal))
                # Any other database error (a lock or serialization conflict) ends the chunk, retried whole.
        return out

    _move = staticmethod(move_claim)

    @staticmethod
    def _audit_step(conn: Connection, user: User, row, action: str, now: str, after: dict, note: str | None = None,
                    before: dict | None = None) -> None:
        audit(conn, [dict(at=now, actor=user.name, action=action, subject=f"claim {row.case_id}/{row.claim_id}",
                          case_id=row.case_id, claim_id=row.claim_id, before=before or _claim_state(row._mapping),
                          after=after, note=note)])

    # ------------------------------------------------------------------------------------------ steps
    def _verify(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.VERIFY, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.VERIFY, f"klaim {ref}")
        if row.outcome != Outcome.APPROVED.value:
            raise Refusal("OUTCOME", f"klaim {ref} diputuskan {row.outcome}: hanya putusan yang disetujui "
                                     f"diverifikasi (yang lain ditolak, dikembalikan atau ditunda oleh aturan)")
        self._move(conn, row, dict(state=target.value, verified_by=user.name, verified_at=now, state_at=now))
        self._audit_step(conn, user, row, Action.VERIFY.value, now,
                         {"state": target.value, "verified_by": user.name})
        return Step(ref, Action.VERIFY, state, target, row.outcome, row.amount, row.decision_revision)

    def _approve(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        action = Action.APPROVE if row.outcome == Outcome.APPROVED.value else Action.CONFIRM_REJECTION
        check(user, action, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, action, f"klaim {ref}")
        check_four_eyes(user, row.verified_by, row.overridden_by, f"klaim {ref}")
        self._move(conn, row, dict(state=target.value, approved_by=user.name, approved_at=now, state_at=now))
        self._audit_step(conn, user, row, action.value, now, {"state": target.value, "approved_by": user.name},
                         note=row.override_reason)
        return Step(ref, action, state, target, row.outcome, row.amount, row.decision_revision)

    def _pay(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.PAY, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.PAY, f"klaim {ref}")
        entry = self._payout(conn, ref, maker=row.verified_by, approver=row.approved_by).entry
        self._move(conn, row, dict(state=target.value, paid_seq=entry.seq, state_at=now))
        self._audit_step(conn, user, row, Action.PAY.value, now,
                         {"state": target.value, "seq": entry.seq, "amount": entry.amount, "hash": entry.hash,
                          "maker": entry.maker, "approver": entry.approver})
        return Step(ref, Action.PAY, state, target, row.outcome, entry.amount, row.decision_revision, entry.seq)

    def _payout(self, conn: Connection, ref: ClaimRef, *, maker: str, approver: str):
        """The claim's payout under its key `CASE:CLAIM:payout`; a claim paid again after its payout was
        reversed takes the next key (`…:payout:2`, `:3`, …), since a key names one payout for good. A key that
        names an unreversed payout is that payout (replayed, or refused if it differs), as the ledger says."""
        key = base = payout_key(ref.case_id, ref.claim_id)
        for attempt in itertools.count(2):
            try:
                posted = self.ledger.pay_in(conn, ref.case_id, ref.claim_id, maker=maker, approver=approver,
                                            key=key)
            except Refusal as refused:
                if refused.code != "IDEMPOTENCY_KEY_REUSED":
                    raise
                posted, earlier = refused, refused.values["seq"]
            else:
                if not posted.replayed:
                    return posted
                earlier = posted.entry.seq
            if conn.execute(select(journal.c.seq).where(journal.c.reverses_seq == earlier)).scalar() is None:
                if isinstance(posted, Refusal):
                    raise posted
                return posted
            key = f"{base}:{attempt}"

    def _appeal(self, conn: Connection, user: User, ref: ClaimRef, now: str, reason: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.APPEAL, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.APPEAL, f"klaim {ref}")
        if row.appealed_revision is not None:
            raise Refusal("APPEAL_ONCE", f"klaim {ref} sudah pernah dimohonkan peninjauan kembali (atas putusan "
                                         f"revisi {row.appealed_revision}, {row.appealed_at}); hanya sekali per klaim")
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Refusal("APPEAL_REASON", "permohonan peninjauan kembali dicatat dengan alasannya (--reason)")
        self._move(conn, row, dict(state=target.value, appealed_revision=row.decision_revision,
                                   appeal_reason=reason, appealed_by=user.name, appealed_at=now, state_at=now))
        self._audit_step(conn, user, row, Action.APPEAL.value, now,
                         {"state": target.value, "appealed_revision": row.decision_revision}, note=reason)
        return Step(ref, Action.APPEAL, state, target, row.outcome, row.amount, row.decision_revision)

    def _override(self, conn: Connection, user: User, ref: ClaimRef, now: str, outcome: Outcome, reason: str,
                  code: Code | None) -> Step:
        row = lock_claim(conn, ref, full=True)
        check(user, Action.OVERRIDE, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.OVERRIDE, f"klaim {ref}")
        if row.outcome == outcome.value and state is not State.APPEALED:
            raise Refusal("OVERRIDE_SAME", f"klaim {ref} sudah diputuskan {row.outcome}; tidak ada yang diubah")
        scheme = self.law.scheme(conn.execute(select(cases.c.scheme_id).where(
            cases.c.case_id == ref.case_id)).scalar_one())
        decision = overridden(dict(row._mapping), outcome, reason, user.name, code=code,
                              amount=scheme.amount_for(Level(row.level)))
        revision = row.decision_revision + 1
        self._move(conn, row, {**decision, **_CLEARED, "state": target.value, "decision_revision": revision,
                               "verified_by": user.name, "verified_at": now, "override_outcome": outcome.value,
                               "override_reason": reason.strip(), "overridden_by": user.name, "overridden_at": now,
                               "state_at": now})
        self._audit_step(conn, user, row, Action.OVERRIDE.value, now, note=reason.strip(), after={
            "state": target.value, "decision_revision": revision, "outcome": decision["outcome"],
            "amount": decision["amount"], "automatic_outcome": row.automatic_outcome or row.outcome})
        return Step(ref, Action.OVERRIDE, state, target, decision["outcome"], decision["amount"], revision)

    def _redecide(self, conn: Connection, user: User, ref: ClaimRef, now: str, action: Action, *,
                  add: frozenset[Document] = frozenset(), remove: frozenset[Document] = frozenset(),
                  submitted_on: dt.date | None = None) -> Step:
        """Decide a claim again (resubmitted, reconsidered, arrears settled, returned by the officer): the
        rules on the registered case with what is paid and owed now; the decision takes the next revision."""
        row = lock_claim(conn, ref)
        check(user, action, row.office, f"klaim {ref}")
        state = State(row.state)
        next_state(state, action, f"klaim {ref}")
        case_row = conn.execute(select(cases.c.case_file).where(cases.c.case_id == ref.case_id)).one()
        registered = registered_case(case_row.case_file)
        claim = next(c for c in registered.claims if c.id == ref.claim_id)
        documents = (claim.documents | add) - remove
        if remove and not remove <= claim.documents:
            absent = ", ".join(sorted(d.value for d in remove - claim.documents))
            raise Refusal("DOCUMENTS", f"klaim {ref}: dokumen {absent} memang tidak tercatat pada klaim ini")
        if action is Action.RESUBMIT and not add - claim.documents and submitted_on == claim.submitted_on:
            raise Refusal("DOCUMENTS", f"klaim {ref}: pengajuan ulang membawa dokumen yang sebelumnya kurang "
                                       f"(--documents)")
        claim_now = attrs.evolve(claim, documents=documents, submitted_on=submitted_on or claim.submitted_on)
        rules_case = attrs.evolve(registered, history=counted_history(conn, ref.case_id, {ref.claim_id}),
                                  claims=(claim_now,))
        decision = self._decide(rules_case).decisions[0]
        if action is Action.RETURN:
            if decision.outcome is not Outcome.RETURNED:
                raise Refusal("DOCUMENTS", f"klaim {ref}: tanpa {', '.join(sorted(d.value for d in remove))} "
                                           f"aturan memutuskan {decision.outcome.value}, bukan dikembalikan: "
                                           f"dokumen itu tidak disyaratkan untuk klaim ini")
            path = (state, next_state(state, Action.RETURN))
        else:
            path = path_after_decision(state, action, decision.outcome)
        target = path[-1]
        revision = row.decision_revision + 1
        values = dict(**decision_columns(CONVERTER.unstructure(decision)), **_CLEARED, state=target.value, decision_revision=revision,
                      automatic_outcome=decision.outcome.value, decided_at=now, decided_by=user.name, state_at=now)
        if claim_now != claim:
            values.update(documents=sorted(d.value for d in documents), submitted_on=claim_now.submitted_on)
            file_now = attrs.evolve(registered, claims=tuple(claim_now if c.id == claim.id else c
                                                             for c in registered.claims))
            conn.execute(update(cases).where(cases.c.case_id == ref.case_id)
                         .values(case_file=dumps(case_to_json(file_now))))
        self._move(conn, row, values)
        before = _claim_state(row._mapping)
        after = {"state": target.value, "decision_revision": revision, "outcome": decision.outcome.value,
                 "amount": decision.amount, "reasons": [r.code.value for r in decision.reasons],
                 "path": [s.value for s in path]}
        if claim_now != claim:
            before["documents"] = sorted(d.value for d in claim.documents)
            before["submitted_on"] = claim.submitted_on.isoformat()
            after["documents"] = values["documents"]
            after["submitted_on"] = claim_now.submitted_on.isoformat()
        self._audit_step(conn, user, row, action.value, now, after, before=before)
        return Step(ref, action, state, target, decision.outcome.value, decision.amount, revision)


# SQL: the state each claim lands in after its first decision, from its outcome (states.path_after_decision).
_STATE_FOR_OUTCOME = sql_case({o.value: path_after_decision(State.SUBMITTED, Action.DECIDE, o)[-1].value
                               for o in Outcome}, value=claims.c.outcome)


def _differences(registered: Case, case: Case, office: str) -> list[str]:
    """What a file says about a registered case that the registration says otherwise (new claims aside)."""
    problems = []
    if case.office != office:
        problems.append(f"office: {case.office!r} berbeda dengan {office!r}")
    for field in attrs.fields(type(registered.participant)):
        now, then = getattr(case.participant, field.name), getattr(registered.participant, field.name)
        if now != then:
            hint = " (catat perubahan tunggakan dengan `beasiswa arrears`)" if field.name == "arrears_months" else ""
            problems.append(f"participant.{field.name}: {str(now)!r} berbeda dengan {str(then)!r}{hint}")
    if case.event != registered.event:
        problems.append(f"event: {case.event.kind.value} {case.event.date} berbeda dengan "
                        f"{registered.event.kind.value} {registered.event.date}")
    if case.history and case.history != registered.history:
        problems.append("history: riwayat pembayaran berbeda dengan yang terdaftar (riwayat dicatat sekali, saat "
                        "kasus didaftarkan)")
    known = {c.id: c for c in registered.children}
    for i, child in enumerate(case.children):
        old = known.get(child.id)
        if old is None:
            continue
        for field in ("nik", "name", "birth_date", "relation", "other_cases"):
            if getattr(child, field) != getattr(old, field):
                problems.append(f"children[{i}].{field}: {str(getattr(child, field))!r} berbeda dengan "
                                f"{str(getattr(old, field))!r}")
        for field in ("married_on", "employed_on", "designated"):
            now, then = getattr(child, field), getattr(old, field)
            if now is not None and then is not None and now != then:
                problems.append(f"children[{i}].{field}: {str(now)!r} berbeda dengan {str(then)!r}")
    return problems


def _updated_children(registered: Case, case: Case) -> dict:
    """Registered children of whom the file says something new: a marriage, work, or a designation (I3),
    where the registration said nothing."""
    known = {c.id: c for c in registered.children}
    out = {}
    for child in case.children:
        old = known.get(child.id)
        if old is None:
            continue
        changes = {f: getattr(child, f) for f in ("married_on", "employed_on", "designated")
                   if getattr(old, f) is None and getattr(child, f) is not None}
        if changes:
            out[child.id] = attrs.evolve(old, **changes)
    return out


_INSERTS = {table.name: insert(table) for table in (cases, children, claims, family_totals, level_usage)}


def _claim_row(case_id: str, claim, decision, scheme, by: str, now: str) -> dict[str, Any]:
    """A claim's row as the ledger registers it, with the workflow's columns after its first decision."""
    path = path_after_decision(State.SUBMITTED, Action.DECIDE, decision.outcome)
    return dict(
        **claim_row(case_id, claim, scheme), **decision_columns(CONVERTER.unstructure(decision)), state=path[-1].value, decision_revision=1,
        automatic_outcome=decision.outcome.value, state_at=now, decided_at=now, decided_by=by)


def _decided_audit(case_id: str, d, path, user: User, now: str) -> dict[str, Any]:
    return dict(at=now, actor=user.name, action="decide", subject=f"claim {case_id}/{d.claim}", case_id=case_id,
                claim_id=d.claim, before={"state": State.SUBMITTED.value},
                after={"state": path[-1].value, "decision_revision": 1, "outcome": d.outcome.value,
                       "amount": d.amount, "reasons": [r.code.value for r in d.reasons],
                       "path": [s.value for s in path]})
