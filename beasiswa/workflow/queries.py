"""What officers, supervisors and auditors look up: queues, a claim or case with everything about it,
search by NIK, KPJ or name, and the audit trail. Reads only; one consistent snapshot per call.

Office scoping is `beasiswa.access.roles.office_to_read`, applied here for both front doors: a query given the
`reader` (the user reading) lists only the office that user may read, whatever `office` asked; without a reader
(a job of the system's own) the office asked, or all.
"""

import datetime as dt
import difflib
import re
import unicodedata
from typing import Any

import attrs
from sqlalchemy import and_, false, func, or_, select, tuple_
from sqlalchemy.engine import Connection, Engine

from beasiswa.access.roles import Role, User, office_to_read
from beasiswa.db.letter_tables import letter_files, letters
from beasiswa.db.tables import cases, children, claims, family_totals, journal
from beasiswa.db.uow import timestamp
from beasiswa.db.user_tables import audit_trail, sessions, users
from beasiswa.model import ClaimRef, Outcome, State

# A queue without --state shows the claims someone still has to act on.
OPEN_STATES = (State.SUBMITTED, State.DECIDED, State.VERIFIED, State.APPROVED, State.RETURNED, State.PENDING,
               State.APPEALED)

_QUEUE_COLUMNS = (claims.c.case_id, claims.c.claim_id, claims.c.child_id, claims.c.office, claims.c.level,
                  claims.c.academic_year, claims.c.outcome, claims.c.amount, claims.c.state, claims.c.state_at,
                  claims.c.decision_revision, claims.c.verified_by, claims.c.approved_by, claims.c.override_outcome,
                  claims.c.overridden_by, claims.c.appealed_revision)
# Counting needs no child's row: every claim has its child (a foreign key), and the search is keyed on the claim's;
# nor its case's: the claim carries the case's office (migration 0011_claims_office).
_COUNT_FROM = claims


def mine(user: User) -> Any:
    """What awaits a user: an officer, the approved decisions to verify and the appeals to reconsider; a
    supervisor, the verified claims someone else verified, and the approved ones to pay; both in their office.
    (`overview` counts an officer's from its counts by state: the two say the same.)"""
    if user.role is Role.OFFICER:
        return and_(claims.c.office == user.office,
                    or_(and_(claims.c.state == State.DECIDED.value, claims.c.outcome == Outcome.APPROVED.value),
                        claims.c.state == State.APPEALED.value))
    if user.role is Role.SUPERVISOR:
        return and_(claims.c.office == user.office,
                    or_(and_(claims.c.state == State.VERIFIED.value,
                             func.coalesce(claims.c.verified_by, "") != user.name,
                             func.coalesce(claims.c.overridden_by, "") != user.name),
                        claims.c.state == State.APPROVED.value))
    raise ValueError(f"--mine: {user.role.value} {user.name!r} has no queue of claims to act on")


def scoped(reader: User | None, office: str | None) -> str | None:
    """The office a query lists: the one `reader` may read when asked for `office` (`office_to_read`), or
    `office` as asked when no reader is named."""
    return office_to_read(reader, office) if reader is not None else office


def queue(engine: Engine, *, states: list[State] | None = None, office: str | None = None,
          user: User | None = None, older_than: dt.datetime | None = None, limit: int | None = None,
          level: str | None = None, text: str | None = None, offset: int = 0, reader: User | None = None) -> list:
    """The claims waiting, oldest in their state first. `level`: one level (SMA); `text`: a NIK, KPJ or name, as
    `search` reads it; `offset` with `limit`: a page of them; `reader`: the user reading (scoped to what they
    may read)."""
    office = scoped(reader, office)
    with engine.connect() as conn:
        where = _queue_where(conn, states=states, office=office, user=user, older_than=older_than, level=level,
                             text=text)
        return conn.execute(_queue_page(where, bool(text and text.strip()), limit, offset)).all()


@attrs.frozen
class QueuePage:
    """One page of a queue: how many claims it lists in all, which page this is (the one asked, or the last
    there is), and its rows (as `queue` gives them)."""

    total: int
    number: int
    rows: list


def queue_page(engine: Engine, *, size: int, number: int = 1, states: list[State] | None = None,
               office: str | None = None, user: User | None = None, older_than: dt.datetime | None = None,
               level: str | None = None, text: str | None = None, reader: User | None = None) -> QueuePage:
    """Page `number` (of `size` claims; past the last, the last) of `queue` with these filters, and its total:
    what the queue's screen shows. One connection: a search looks up what it matches once for both."""
    office = scoped(reader, office)
    with engine.connect() as conn:
        where = _queue_where(conn, states=states, office=office, user=user, older_than=older_than, level=level,
                             text=text)
        total = conn.execute(select(func.count()).select_from(_COUNT_FROM).where(*where)).scalar_one()
        number = max(1, min(number, -(-total // size)))
        rows = conn.execute(_queue_page(where, bool(text and text.strip()), size, (number - 1) * size)).all()
    return QueuePage(total, number, rows)


def _queue_page(where: list, searching: bool, limit: int | None, offset: int) -> Any:
    """The page of claims first, then their children's names: a deep page skips its claims on the index alone,
    without looking up a child for each claim skipped."""
    if searching:
        # A search finds a few hundred claims: all of them first (a materialised CTE), then their order. Left to
        # itself, PostgreSQL walks the whole queue's order index testing each claim against the search
        # (bench/web.py: a name's page 340 ms that way).
        found = select(*_QUEUE_COLUMNS).where(*where).cte("found").prefix_with("MATERIALIZED")
        page = select(*found.c).order_by(found.c.state_at, found.c.case_id, found.c.claim_id)
    else:
        page = select(*_QUEUE_COLUMNS).where(*where).order_by(claims.c.state_at, claims.c.case_id, claims.c.claim_id)
    if limit:
        page = page.limit(limit)
    if offset:
        page = page.offset(offset)
    page = page.subquery("page")
    query = (select(*(c for c in page.c if c.name != "child_id"), children.c.name.label("child_name"))
             .select_from(page.join(children, and_(children.c.case_id == page.c.case_id,
                                                   children.c.child_id == page.c.child_id)))
             .order_by(page.c.state_at, page.c.case_id, page.c.claim_id))
    return query


def queue_size(engine: Engine, *, states: list[State] | None = None, office: str | None = None,
               user: User | None = None, older_than: dt.datetime | None = None, level: str | None = None,
               text: str | None = None, reader: User | None = None) -> int:
    """How many claims `queue` with the same filters lists in all (its pages together)."""
    office = scoped(reader, office)
    with engine.connect() as conn:
        where = _queue_where(conn, states=states, office=office, user=user, older_than=older_than, level=level,
                             text=text)
        return conn.execute(select(func.count()).select_from(_COUNT_FROM).where(*where)).scalar_one()


def _queue_where(conn: Connection, *, states, office, user, older_than, level, text) -> list:
    where = []
    if user is not None:
        where.append(mine(user))
    if states:
        where.append(claims.c.state.in_([s.value for s in states]))
    elif user is None:
        where.append(claims.c.state.in_([s.value for s in OPEN_STATES]))
    if office:
        where.append(claims.c.office == office)
    if older_than is not None:
        where.append(claims.c.state_at < timestamp(older_than))
    if level:
        where.append(claims.c.level == level)
    if text and text.strip():
        where.append(_matching(conn, text, (claims.c.case_id, claims.c.child_id), office))
    return where


def state_counts(engine: Engine, office: str | None = None, reader: User | None = None) -> dict[State, int]:
    """How many claims are in each state (every state, 0 included), of one office or of all (of those
    `reader` may read)."""
    office = scoped(reader, office)
    query = select(claims.c.state, func.count()).group_by(claims.c.state)
    if office:
        query = query.where(claims.c.office == office)
    with engine.connect() as conn:
        found = {State(state): n for state, n in conn.execute(query)}
    return {state: found.get(state, 0) for state in State}


@attrs.frozen
class Overview:
    """What Beranda counts: the claims in each state (every state, 0 included), the open ones waiting in their
    state since before a moment, and (officers and supervisors) what awaits the user (`mine`; None for others)."""

    counts: dict[State, int]
    waiting: int
    mine: int | None


def overview(engine: Engine, reader: User, older_than: dt.datetime) -> Overview:
    """`state_counts`, `queue_size(older_than=...)` and an officer's `queue_size(user=...)` from one pass over the
    claims the reader may read, grouped by state: per state its claims, those in it since before `older_than`,
    and (officers) the approved ones; the totals are sums over states. Every column read (office, state,
    state_at, outcome) is in ix_claims_office_state, so the pass is index-only, and a FILTER on one column per
    row is cheap where `mine`'s OR of states per row was not (bench/web.py: 35 ms against 75 ms the three
    counts took apart). A supervisor's own queue reads who verified (not in that index): counted apart, as
    `queue_size` counts it."""
    office = scoped(reader, None)
    officer = reader.role is Role.OFFICER
    columns = [claims.c.state, func.count(), func.count().filter(claims.c.state_at < timestamp(older_than))]
    if officer:
        columns.append(func.count().filter(claims.c.outcome == Outcome.APPROVED.value))
    query = select(*columns).group_by(claims.c.state)
    if office:
        query = query.where(claims.c.office == office)
    with engine.connect() as conn:
        rows = {State(r[0]): r for r in conn.execute(query)}
        if reader.role is Role.SUPERVISOR:
            where = _queue_where(conn, states=None, office=office, user=reader, older_than=None, level=None,
                                 text=None)
            awaiting = conn.execute(select(func.count()).select_from(_COUNT_FROM).where(*where)).scalar_one()
        else:
            awaiting = None
    if officer:  # `mine` for an officer, in their office: the approved decisions, and the appeals
        awaiting = (rows[State.DECIDED][3] if State.DECIDED in rows else 0) + \
            (rows[State.APPEALED][1] if State.APPEALED in rows else 0)
    return Overview({state: rows[state][1] if state in rows else 0 for state in State},
                    sum(rows[state][2] for state in OPEN_STATES if state in rows), awaiting)


def refs_in_state(engine: Engine, state: State, office: str, only: set[ClaimRef] | None = None) -> list[ClaimRef]:
    """The claims of an office in one state, oldest first (for the bulk actions)."""
    query = (select(claims.c.case_id, claims.c.claim_id)
             .where(claims.c.state == state.value, claims.c.office == office)
             .order_by(claims.c.state_at, claims.c.case_id, claims.c.claim_id))
    with engine.connect() as conn:
        refs = [ClaimRef(r.case_id, r.claim_id) for r in conn.execute(query)]
    return [r for r in refs if only is None or r in only]


@attrs.frozen
class CaseView:
    case: Any
    children: list
    claims: list
    family: Any
    journal: list
    letters: list
    audit: list


def case_view(engine: Engine, case_id: str, claim_id: str | None = None) -> CaseView | None:
    """A case (or one claim of it) with its children, decisions, payouts, letters and audit trail."""
    with engine.connect() as conn:
        case = conn.execute(select(cases).where(cases.c.case_id == case_id)).one_or_none()
        if case is None:
            return None
        claim_filter = [claims.c.case_id == case_id]
        if claim_id is not None:
            claim_filter.append(claims.c.claim_id == claim_id)
        claim_rows = conn.execute(select(claims).where(*claim_filter)
                                  .order_by(claims.c.submitted_on, claims.c.claim_id)).all()
        if claim_id is not None and not claim_rows:
            return None
        kids = conn.execute(select(children).where(children.c.case_id == case_id).order_by(children.c.child_id)).all()
        family = conn.execute(select(family_totals).where(family_totals.c.case_id == case_id)).one_or_none()
        entries = select(journal.c.seq, journal.c.claim_id, journal.c.child_id, journal.c.academic_year,
                         journal.c.level, journal.c.amount, journal.c.kind, journal.c.source, journal.c.maker,
                         journal.c.approver, journal.c.posted_at, journal.c.reverses_seq,
                         journal.c.hash).where(journal.c.case_id == case_id)
        letter_query = (select(letters.c.number, letters.c.claim_id, letters.c.decision_revision, letters.c.kind,
                               letters.c.letter_date, letters.c.file_name, letter_files.c.pdf_sha256)
                        .select_from(letters.outerjoin(letter_files, letter_files.c.number == letters.c.number))
                        .where(letters.c.case_id == case_id))
        audit_query = select(audit_trail).where(audit_trail.c.case_id == case_id)
        if claim_id is not None:
            entries = entries.where(journal.c.claim_id == claim_id)
            letter_query = letter_query.where(letters.c.claim_id == claim_id)
            audit_query = audit_query.where(or_(audit_trail.c.claim_id == claim_id, audit_trail.c.claim_id.is_(None)))
        return CaseView(case, kids, claim_rows, family, conn.execute(entries.order_by(journal.c.seq)).all(),
                        conn.execute(letter_query.order_by(letters.c.claim_id, letters.c.decision_revision)).all(),
                        conn.execute(audit_query.order_by(audit_trail.c.seq)).all())


def nearest_ids(engine: Engine, text: str, limit: int = 3) -> list[str]:
    """The registered ids nearest to a mistyped case id or CASE_ID/CLAIM_ID (difflib's ratio), for a message
    that suggests them. Looked for among the claims of the case named, if it is registered; else among the
    ids sharing the longest prefix of office and year (KC-PLG-2025-, KC-PLG-), so a large database is not
    read whole."""
    case_id, slash, claim_id = text.strip().partition("/")
    parts = case_id.split("-")
    prefixes = ["-".join(parts[:n]) + "-" for n in (3, 2) if len(parts) > n] + [""]
    with engine.connect() as conn:
        if slash and conn.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first():
            found = conn.execute(select(claims.c.claim_id).where(claims.c.case_id == case_id)).scalars().all()
            return [f"{case_id}/{c}" for c in difflib.get_close_matches(claim_id, found, n=limit)]
        for prefix in prefixes:
            if slash:
                query = select(claims.c.case_id, claims.c.claim_id).where(claims.c.case_id.startswith(prefix, autoescape=True))
                found = [f"{r.case_id}/{r.claim_id}" for r in conn.execute(query)]
            else:
                found = conn.execute(select(cases.c.case_id).where(cases.c.case_id.startswith(prefix, autoescape=True))).scalars().all()
            if found:
                return difflib.get_close_matches(text.strip(), found, n=limit)
    return []


def suggestion(engine: Engine, text: str) -> str:
    """'; mungkin maksud Anda: A, B' for a mistyped id, or '' when nothing registered is near it."""
    near = nearest_ids(engine, text)
    return f"; mungkin maksud Anda: {', '.join(near)}" if near else ""


_DIGITS = re.compile(r"\d+")


def search(engine: Engine, text: str, limit: int = 50) -> list:
    """Claims of cases whose participant or child has this NIK (16 digits), this KPJ (11 digits), or a name
    containing the text (case-insensitive)."""
    with engine.connect() as conn:
        where = _matching(conn, text, (children.c.case_id, children.c.child_id))
        return conn.execute(_search_query(where, limit)).all()


def _search_query(where: Any, limit: int) -> Any:
    return (select(cases.c.case_id, cases.c.office, cases.c.participant_name, cases.c.participant_kpj,
                    children.c.child_id, children.c.name.label("child_name"), children.c.nik.label("child_nik"),
                    claims.c.claim_id, claims.c.academic_year, claims.c.level, claims.c.outcome, claims.c.state)
             .select_from(cases.join(children, children.c.case_id == cases.c.case_id)
                          .outerjoin(claims, and_(claims.c.case_id == children.c.case_id,
                                                  claims.c.child_id == children.c.child_id)))
            .where(where).order_by(cases.c.case_id, children.c.child_id, claims.c.claim_id).limit(limit))


# A search matching at most this many cases and children is asked in two steps: their keys first, then the
# claims by those keys (their primary key's index); more, and the claims are tested against the matches.
FEW_MATCHES = 500
# ... and of the children found, those of a matching case are dropped: so up to this many are looked up.
CHILDREN_LOOKED_UP = 4 * FEW_MATCHES


def _matching(conn: Connection, text: str, key: tuple, office: str | None = None) -> Any:
    """Cases whose participant or child has this NIK (16 digits), this KPJ (11 digits), or a name containing
    the text (case-insensitive): the children of those cases, and the children with that NIK or name, by `key`
    (a child's case and child id: the claim's, or the child's own row's); `office`: of that office's cases only.

    The matching cases and children are looked up first, on the indexes of migration 0010_queue_search (NIK,
    KPJ, and on PostgreSQL the names' trigrams), in the office asked; a child is named only when its case does
    not match already (children mostly bear their parent's name: "santoso" finds a case and its children). A
    few (a NIK, a KPJ, a rare name, a common one in one office) are then named by their keys, which the
    database finds by the primary key's index; many (a common name in every office) stay two semi-joins, each
    on one table, and each row of the queue is tested against two small hashed sets (bench/web.py: a NIK's
    page 90 -> 5 ms, a common name's count 170 -> 60 ms, against one semi-join through the children; a
    common last name in one office, its count and page 100 -> 45 ms, against looking it up in every office).
    Naming more than FEW_MATCHES costs more than it saves: at 1 000, a first name's page 100 -> 160 ms."""
    text = text.strip()
    named, same, owner = cases.alias("named"), children.alias("same"), cases.alias("owner")
    if _DIGITS.fullmatch(text) and len(text) == 16:
        def of_case(c):
            return c.participant_nik == text
        by_child = same.c.nik == text
    elif _DIGITS.fullmatch(text) and len(text) == 11:
        def of_case(c):
            return c.participant_kpj == text
        by_child = None
    else:
        # The text is matched as typed (NFC, as names are stored): its % and _ are not wildcards but escaped
        # with a backslash.
        escaped = unicodedata.normalize("NFC", text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"

        def of_case(c):
            return c.participant_name.ilike(pattern, escape="\\")
        by_child = same.c.name.ilike(pattern, escape="\\")
    case_ids = select(named.c.case_id).where(of_case(named.c), *([named.c.office == office] if office else []))
    child_keys = None
    if by_child is not None:
        child_keys = select(same.c.case_id, same.c.child_id).where(by_child)
        if office:
            child_keys = (child_keys.select_from(same.join(owner, owner.c.case_id == same.c.case_id))
                          .where(owner.c.office == office))
    few_cases = set(conn.execute(case_ids.limit(FEW_MATCHES + 1)).scalars())
    # A child whose case matches is among its case's children already: only the others are named.
    looked_up = conn.execute(child_keys.limit(CHILDREN_LOOKED_UP + 1)).all() if child_keys is not None else []
    few_children = [tuple(k) for k in looked_up if k[0] not in few_cases]
    if len(few_cases) <= FEW_MATCHES and len(few_children) <= FEW_MATCHES and len(looked_up) <= CHILDREN_LOOKED_UP:
        of_cases = key[0].in_(sorted(few_cases)) if few_cases else false()
        if not few_children:
            return of_cases
        return or_(of_cases, tuple_(*key).in_(few_children))
    of_cases = key[0].in_(case_ids)
    if child_keys is None:
        return of_cases
    return or_(of_cases, tuple_(*key).in_(child_keys))


def _audit_query():
    """The trail's rows, each with the office whose clock shows its time (and whose supervisors read it): its
    case's, else the actor's."""
    office = func.coalesce(cases.c.office, users.c.office)
    return (select(audit_trail, office.label("office"))
            .select_from(audit_trail.outerjoin(cases, cases.c.case_id == audit_trail.c.case_id)
                         .outerjoin(users, users.c.name == audit_trail.c.actor))), office


def audit_entries(engine: Engine, *, case_id: str | None = None, claim_id: str | None = None,
                  actor: str | None = None, limit: int | None = None) -> list:
    """The trail's rows, each with the office whose clock shows its time: its case's, else the actor's."""
    query, _ = _audit_query()
    if case_id:
        query = query.where(audit_trail.c.case_id == case_id)
    if claim_id:
        query = query.where(audit_trail.c.claim_id == claim_id)
    if actor:
        query = query.where(audit_trail.c.asked_as == actor)  # done rows: the actor; refused: the name given
    query = query.order_by(audit_trail.c.seq.desc() if limit else audit_trail.c.seq)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted(rows, key=lambda r: r.seq)


@attrs.frozen
class TrailFilter:
    """What part of the trail to read (each None: any). `actor` is matched as `audit_entries` does (the name
    asked as: done rows' actor, refused rows' name given); `action` is an action or its group ('user.' for
    every user.* action); `since` and `until` are UTC moments, `until` excluded; `office` the office whose rows
    alone are read (its cases', and those of its users without a case)."""

    case_id: str | None = None
    claim_id: str | None = None
    actor: str | None = None
    action: str | None = None
    result: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    office: str | None = None


def _trail_where(query, office_column, f: TrailFilter):
    if f.case_id:
        query = query.where(audit_trail.c.case_id == f.case_id)
    if f.claim_id:
        query = query.where(audit_trail.c.claim_id == f.claim_id)
    if f.actor:
        query = query.where(audit_trail.c.asked_as == f.actor)
    if f.action:
        query = query.where(audit_trail.c.action.startswith(f.action, autoescape=True) if f.action.endswith(".")
                            else audit_trail.c.action == f.action)
    if f.result:
        query = query.where(audit_trail.c.result == f.result)
    if f.since is not None:
        query = query.where(audit_trail.c.at >= timestamp(f.since))
    if f.until is not None:
        query = query.where(audit_trail.c.at < timestamp(f.until))
    if f.office:
        query = query.where(office_column == f.office)
    return query


def trail_page(engine: Engine, f: TrailFilter, *, limit: int, offset: int = 0) -> tuple[int, list]:
    """(how many rows match in all, one page of them newest first), read on one connection."""
    query, office = _audit_query()
    rows = _trail_where(query, office, f).order_by(audit_trail.c.seq.desc()).limit(limit).offset(offset)
    counted = _trail_where(select(func.count()).select_from(
        audit_trail.outerjoin(cases, cases.c.case_id == audit_trail.c.case_id)
        .outerjoin(users, users.c.name == audit_trail.c.actor)), office, f)
    with engine.connect() as conn:
        return conn.execute(counted).scalar_one(), conn.execute(rows).all()


def trail_actions(engine: Engine) -> list[str]:
    """Every action the trail holds, in order (for the filter's choices)."""
    with engine.connect() as conn:
        return list(conn.execute(select(audit_trail.c.action).distinct().order_by(audit_trail.c.action)).scalars())


def accounts(engine: Engine) -> list:
    """Every user as an admin lists them: name, role, office, active, `locked_until`, `must_change_password`,
    `has_password`, and `last_sign_in` (the newest session or token opened, None if never)."""
    last = (select(sessions.c.user_name, func.max(sessions.c.created_at).label("last_sign_in"))
            .group_by(sessions.c.user_name).subquery())
    query = (select(users.c.name, users.c.role, users.c.office, users.c.active, users.c.locked_until,
                    users.c.must_change_password, users.c.password_hash.is_not(None).label("has_password"),
                    last.c.last_sign_in)
             .select_from(users.outerjoin(last, last.c.user_name == users.c.name))
             .order_by(users.c.office, users.c.role, users.c.name))
    with engine.connect() as conn:
        return conn.execute(query).all()


def batch_claims(engine: Engine, case_ids: list[str]) -> list:
    """The claims of these cases with their office, state, outcome and revision (for `process`)."""
    rows = []
    with engine.connect() as conn:
        for start in range(0, len(case_ids), 500):
            part = case_ids[start:start + 500]
            rows += conn.execute(select(claims.c.case_id, claims.c.claim_id, cases.c.office, claims.c.state,
                                        claims.c.outcome, claims.c.amount, claims.c.decision_revision)
                                 .select_from(claims.join(cases, cases.c.case_id == claims.c.case_id))
                                 .where(claims.c.case_id.in_(part))).all()
    return rows


def lettered(engine: Engine, case_ids: list[str]) -> set[tuple[str, str, int]]:
    """(case, claim, decision revision) of the letters registered for these cases."""
    out = set()
    with engine.connect() as conn:
        for start in range(0, len(case_ids), 500):
            part = case_ids[start:start + 500]
            out |= {(r.case_id, r.claim_id, r.decision_revision) for r in conn.execute(
                select(letters.c.case_id, letters.c.claim_id, letters.c.decision_revision)
                .where(letters.c.case_id.in_(part)))}
    return out
