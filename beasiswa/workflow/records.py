"""The workflow's reads and writes of single rows: a claim under lock, the arrears the trail recorded, the
history the rules count for a case. Every function takes the open connection of the caller's transaction (the
acting user and the audit rows: `beasiswa.access.trail`).
"""

from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.engine import Connection

from beasiswa.access.trail import AUDIT_BUFFER
from beasiswa.casefile import loads, parse_case
from beasiswa.db.engine import is_postgres
from beasiswa.db.tables import cases, claims, family_totals, journal
from beasiswa.db.user_tables import audit_trail
from beasiswa.model import AcademicYear, Case, ClaimRef, Level, Outcome, Payout, Refusal
from beasiswa.workflow.errors import claim_not_found
from beasiswa.workflow.states import OWED_STATES


def arrears_recorded_before(conn: Connection, case_id: str) -> set[int]:
    """The employer's arrears a case held before each change `beasiswa arrears` recorded (the audit trail's
    `before` of its done `arrears` rows): values a file written earlier may still carry."""
    rows = conn.execute(select(audit_trail.c.before).where(
        audit_trail.c.case_id == case_id, audit_trail.c.action == "arrears", audit_trail.c.result == "done"))
    return {before["arrears_months"] for (before,) in rows if isinstance(before, dict) and "arrears_months" in before}


# ------------------------------------------------------------------------------------------------ claims

# Built once: a change binds values only (a workflow batch runs these tens of thousands of times).
_SLIM = ("case_id", "claim_id", "child_id", "level", "state", "outcome", "amount", "decision_revision",
         "automatic_outcome", "verified_by", "approved_by", "overridden_by", "override_reason",
         "appealed_revision", "appealed_at")


def _claim_query(columns):
    return (select(*columns, cases.c.office).join(cases, cases.c.case_id == claims.c.case_id)
            .where(claims.c.case_id == bindparam("case_id"), claims.c.claim_id == bindparam("claim_id")))


# A change reads only what its checks need: the decision's JSON (trace, reasons) only when it is rewritten.
_CLAIM = {False: _claim_query([claims.c[c] for c in _SLIM]), True: _claim_query(list(claims.c))}
_CLAIM_FOR_UPDATE = {full: query.with_for_update(of=claims) for full, query in _CLAIM.items()}
_FAMILY_FOR_UPDATE = (select(family_totals.c.case_id).where(family_totals.c.case_id == bindparam("case_id"))
                      .with_for_update())
_CASE = select(cases).where(cases.c.case_id == bindparam("case_id"))


def lock_claim(conn: Connection, ref: ClaimRef, full: bool = False):
    """The claim's row with its case's office, locked for the transaction (SQLite: BEGIN IMMEDIATE holds the
    write lock already). On PostgreSQL the family's running-total row is locked first, as the ledger does, so
    a workflow change and a posting on the same case take their locks in one order."""
    key = {"case_id": ref.case_id, "claim_id": ref.claim_id}
    if is_postgres(conn):
        conn.execute(_FAMILY_FOR_UPDATE, key)
        row = conn.execute(_CLAIM_FOR_UPDATE[full], key).one_or_none()
    else:
        row = conn.execute(_CLAIM[full], key).one_or_none()
    if row is None:
        raise claim_not_found(ref)
    return row


def lock_case(conn: Connection, case_id: str):
    """The case's row (office, case file), its family row locked first on PostgreSQL; None if not registered."""
    if is_postgres(conn):
        conn.execute(_FAMILY_FOR_UPDATE, {"case_id": case_id})
    return conn.execute(_CASE, {"case_id": case_id}).one_or_none()


_UPDATES: dict[tuple[str, ...], Any] = {}


def move_claim(conn: Connection, row, values: dict[str, Any]) -> None:
    """Change a claim read in state `row.state`, only if it is still in it (the statement is built once per
    set of columns)."""
    columns = tuple(sorted(values))
    statement = _UPDATES.get(columns)
    if statement is None:
        statement = _UPDATES[columns] = (
            update(claims).where(claims.c.case_id == bindparam("k_case"), claims.c.claim_id == bindparam("k_claim"),
                                 claims.c.state == bindparam("k_state"))
            .values({c: bindparam(f"v_{c}", type_=claims.c[c].type) for c in columns}))
    params = {f"v_{c}": v for c, v in values.items()}
    done = conn.execute(statement, {**params, "k_case": row.case_id, "k_claim": row.claim_id, "k_state": row.state})
    if done.rowcount != 1:  # pragma: no cover - the row is locked; kept as the guard it is
        raise Refusal("CONFLICT", f"klaim {row.case_id}/{row.claim_id} berubah sementara itu; ulangi")


@contextmanager
def savepoint(conn: Connection):
    """One claim's changes within a batch's transaction: undone alone if it is refused, with the audit rows it
    buffered. Plain SQL savepoints (SQLAlchemy's nested transactions cost five times as much, and a batch has
    thousands)."""
    buffer = conn.info.get(AUDIT_BUFFER)
    mark = len(buffer) if buffer is not None else 0
    conn.exec_driver_sql("SAVEPOINT workflow_claim")
    try:
        yield
    except BaseException:
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT workflow_claim")
        conn.exec_driver_sql("RELEASE SAVEPOINT workflow_claim")
        if buffer is not None:  # the audit rows of what was undone go with it
            del buffer[mark:]
        raise
    conn.exec_driver_sql("RELEASE SAVEPOINT workflow_claim")


def registered_case(case_file: str) -> Case:
    return parse_case(loads(case_file), accounts=False)  # held to the bank table when it came in


_reversal = journal.alias("reversal")
_UNREVERSED = (select(journal.c.child_id, journal.c.academic_year, journal.c.level, journal.c.amount)
               .where(journal.c.kind == "payout", ~exists().where(_reversal.c.reverses_seq == journal.c.seq))
               .order_by(journal.c.seq))


def counted_history(conn: Connection, case_id: str, excluding: set[str] = frozenset()) -> tuple[Payout, ...]:
    """What the rules count as paid for a case: the journal's unreversed payouts, and the approved claims not
    yet paid (decided, verified or approved), but not the claims in `excluding` (the ones being decided)."""
    rows = list(conn.execute(_UNREVERSED.where(journal.c.case_id == case_id)))
    # A claim whose payout was reversed (back in `decided`) is owed again, not paid.
    paid_claim = exists().where(and_(journal.c.case_id == claims.c.case_id, journal.c.claim_id == claims.c.claim_id,
                                     journal.c.kind == "payout",
                                     ~exists().where(_reversal.c.reverses_seq == journal.c.seq)))
    owed = conn.execute(select(claims.c.claim_id, claims.c.child_id, claims.c.academic_year, claims.c.level,
                               claims.c.amount)
                        .where(claims.c.case_id == case_id, claims.c.outcome == Outcome.APPROVED.value,
                               claims.c.state.in_([s.value for s in OWED_STATES]), ~paid_claim)
                        .order_by(claims.c.submitted_on, claims.c.claim_id))
    rows += [r for r in owed if r.claim_id not in excluding]
    return tuple(Payout(r.child_id, AcademicYear.parse(r.academic_year), Level(r.level), r.amount) for r in rows)
