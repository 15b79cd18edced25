"""The checked path's statements (SQLAlchemy Core, either database), built once: a posting only binds values.

Whatever a posting reads after the family's lock, it reads in statements that start once the lock is held, so
on PostgreSQL (READ COMMITTED) they see what the writer it waited for committed. The `FOR UPDATE` variants
are PostgreSQL's; SQLite's transaction began with `BEGIN IMMEDIATE` and holds the write lock already.
"""

from sqlalchemy import and_, bindparam, func, insert, select

from beasiswa.db.tables import cases, claims, family_totals, journal, level_usage, paid_years

# Any constant: the journal head's lock on PostgreSQL ("beasiswa" in ASCII, truncated to 63 bits).
JOURNAL_LOCK = 0x62656173697377

KEY_SEQ = select(journal.c.seq).where(journal.c.idempotency_key == bindparam("key"))
_FAMILY_COLUMNS = (family_totals.c.case_id, family_totals.c.scheme_id, family_totals.c.cap, family_totals.c.paid,
                   cases.c.office)
FAMILY = (select(*_FAMILY_COLUMNS).join(cases, cases.c.case_id == family_totals.c.case_id)
          .where(family_totals.c.case_id == bindparam("case_id")))
FAMILY_FOR_UPDATE = FAMILY.with_for_update(of=family_totals)
_HELD_SEQ = select(paid_years.c.payout_seq).where(and_(
    paid_years.c.case_id == bindparam("case_id"), paid_years.c.child_id == bindparam("child_id"),
    paid_years.c.academic_year == bindparam("year"))).scalar_subquery()
_STAGE_USED = select(func.count()).select_from(paid_years).where(and_(
    paid_years.c.case_id == bindparam("case_id"), paid_years.c.child_id == bindparam("child_id"),
    paid_years.c.level.in_(bindparam("stage_levels", expanding=True)))).scalar_subquery()
CHILD = select(level_usage.c.allowance, level_usage.c.years_used, _HELD_SEQ.label("held_seq"),
               _STAGE_USED.label("stage_used")).where(and_(
    level_usage.c.case_id == bindparam("case_id"), level_usage.c.child_id == bindparam("child_id"),
    level_usage.c.level_group == bindparam("level_group")))
CHILD_FOR_UPDATE = CHILD.with_for_update()
CLAIM = select(claims.c.child_id, claims.c.level, claims.c.level_group, claims.c.academic_year, claims.c.amount,
               claims.c.outcome, KEY_SEQ.scalar_subquery().label("key_seq")).where(and_(
                   claims.c.case_id == bindparam("case_id"), claims.c.claim_id == bindparam("claim_id")))
CLAIM_REASONS = select(claims.c.reasons).where(and_(claims.c.case_id == bindparam("case_id"),
                                                    claims.c.claim_id == bindparam("claim_id")))
BY_KEY = select(journal).where(journal.c.idempotency_key == bindparam("key"))
BY_SEQ = select(journal).where(journal.c.seq == bindparam("seq"))
REVERSED_BY = select(journal.c.seq).where(journal.c.reverses_seq == bindparam("seq"))
HEAD = select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
HEAD_LOCK = select(func.pg_advisory_xact_lock(JOURNAL_LOCK))
INSERT = insert(journal)
