"""The ledger: registered cases and decisions, the append-only journal, and the running totals that the
database itself keeps from the journal and checks (on SQLite and PostgreSQL alike).

Revision ID: 0001
Revises:
Create Date: 2025-07-21

The triggers, per dialect, hold the invariants even for a row written behind the application's back:
- journal rows are never updated or deleted;
- `seq` follows the last entry's seq by exactly 1, and `prev_hash` is that entry's hash;
- a payout from a claim pays that claim's approved amount, for its child, year, level and level group;
- at most one unreversed payout per child per academic year (ALREADY_CLAIMED; `paid_years`' key);
- a reversal negates exactly one payout of the same case, child, claim, level, level group, year and office,
  at most once (ALREADY_REVERSED; a unique index on `reverses_seq`);
- the insert updates `family_totals.paid` (CHECK paid <= cap: FAMILY_CAP_REACHED), `paid_years` and
  `level_usage.years_used` (CHECK years_used <= allowance: LEVEL_YEARS_EXHAUSTED) in the same statement;
- those three tables accept no change that does not follow from the journal, and cap and allowance are
  fixed at registration.
Messages begin with the rule's code, so the service can name it even when only the database caught it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _tables() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("scheme_id", sa.String(), nullable=False),
        sa.Column("participant_kpj", sa.String(), nullable=False),
        sa.Column("participant_nik", sa.String(), nullable=False),
        sa.Column("participant_name", sa.String(), nullable=False),
        sa.Column("segment", sa.String(), nullable=False),
        sa.Column("event_kind", sa.String(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("case_file", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.String(), nullable=False),
        sa.Column("registered_by", sa.String(), nullable=False),
    )
    op.create_table(
        "children",
        sa.Column("case_id", sa.String(), sa.ForeignKey("cases.case_id"), primary_key=True),
        sa.Column("child_id", sa.String(), primary_key=True),
        sa.Column("nik", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("relation", sa.String(), nullable=False),
        sa.Column("married_on", sa.Date(), nullable=True),
        sa.Column("employed_on", sa.Date(), nullable=True),
        sa.Column("designated", sa.Boolean(), nullable=True),
    )
    op.create_table(
        "claims",
        sa.Column("case_id", sa.String(), sa.ForeignKey("cases.case_id"), primary_key=True),
        sa.Column("claim_id", sa.String(), primary_key=True),
        sa.Column("child_id", sa.String(), nullable=False),
        sa.Column("academic_year", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("level_group", sa.String(), nullable=True),
        sa.Column("institution", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("payee", sa.String(), nullable=True),
        sa.Column("account_bank", sa.String(), nullable=True),
        sa.Column("account_number", sa.String(), nullable=True),
        sa.Column("account_holder", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        sa.CheckConstraint("outcome IN ('approved', 'rejected', 'returned', 'pending')", name="claim_outcome_known"),
        sa.CheckConstraint("(outcome = 'approved' AND amount > 0) OR (outcome <> 'approved' AND amount = 0)",
                           name="claim_amount_follows_outcome"),
    )
    op.create_table(
        "journal",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("idempotency_key", sa.String(), nullable=False, unique=True),
        sa.Column("case_id", sa.String(), sa.ForeignKey("cases.case_id"), nullable=False),
        sa.Column("child_id", sa.String(), nullable=False),
        sa.Column("claim_id", sa.String(), nullable=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("level_group", sa.String(), nullable=False),
        sa.Column("academic_year", sa.String(), nullable=False),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("reverses_seq", sa.BigInteger(), sa.ForeignKey("journal.seq"), nullable=True, unique=True),
        sa.Column("maker", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("posted_at", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False, unique=True),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        sa.ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        sa.CheckConstraint("seq >= 1", name="journal_seq_positive"),
        sa.CheckConstraint("kind IN ('payout', 'reversal')", name="journal_kind_known"),
        sa.CheckConstraint("source IN ('ledger', 'history')", name="journal_source_known"),
        sa.CheckConstraint("(kind = 'payout' AND amount > 0 AND reverses_seq IS NULL) OR "
                           "(kind = 'reversal' AND amount < 0 AND reverses_seq IS NOT NULL)",
                           name="journal_amount_positive"),
        sa.CheckConstraint("kind = 'payout' OR (source = 'ledger' AND reason <> '')",
                           name="journal_reversal_has_reason"),
        sa.CheckConstraint("source = 'history' OR kind = 'reversal' OR claim_id IS NOT NULL",
                           name="journal_payout_names_claim"),
        sa.CheckConstraint("maker <> approver", name="maker_is_approver"),
        sa.CheckConstraint("maker <> '' AND approver <> ''", name="journal_actors_named"),
        sa.CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="journal_hash_length"),
    )
    op.create_index("ix_journal_case", "journal", ["case_id", "child_id", "academic_year"])
    op.create_index("ix_journal_office_year", "journal", ["office", "academic_year"])
    op.create_table(
        "family_totals",
        sa.Column("case_id", sa.String(), sa.ForeignKey("cases.case_id"), primary_key=True),
        sa.Column("scheme_id", sa.String(), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("paid <= cap", name="family_cap_reached"),
        sa.CheckConstraint("paid >= 0", name="family_paid_not_negative"),
    )
    op.create_table(
        "level_usage",
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("child_id", sa.String(), primary_key=True),
        sa.Column("level_group", sa.String(), primary_key=True),
        sa.Column("scheme_id", sa.String(), nullable=False),
        sa.Column("allowance", sa.Integer(), nullable=True),
        sa.Column("years_used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        sa.CheckConstraint("allowance IS NULL OR years_used <= allowance", name="level_years_exhausted"),
        sa.CheckConstraint("years_used >= 0", name="level_years_not_negative"),
    )
    op.create_table(
        "paid_years",
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("child_id", sa.String(), primary_key=True),
        sa.Column("academic_year", sa.String(), primary_key=True),
        sa.Column("level_group", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("payout_seq", sa.BigInteger(), sa.ForeignKey("journal.seq"), nullable=False),
        sa.ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        sa.UniqueConstraint("payout_seq", name="paid_years_payout_once"),
    )


# ---------------------------------------------------------------------------------------------- SQLite
SQLITE_TRIGGERS = [
    """CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN
         SELECT RAISE(ABORT, 'JOURNAL_APPEND_ONLY: journal entries are never updated; post a reversal');
       END""",
    """CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN
         SELECT RAISE(ABORT, 'JOURNAL_APPEND_ONLY: journal entries are never deleted; post a reversal');
       END""",
    f"""CREATE TRIGGER journal_check_insert BEFORE INSERT ON journal BEGIN
         SELECT RAISE(ABORT, 'JOURNAL_SEQUENCE: seq must be the last entry''s seq + 1')
          WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal);
         SELECT RAISE(ABORT, 'JOURNAL_CHAIN: prev_hash must be the hash of entry seq - 1')
          WHERE NEW.prev_hash IS NOT COALESCE((SELECT hash FROM journal WHERE seq = NEW.seq - 1), '{GENESIS}');
         SELECT RAISE(ABORT, 'CASE_NOT_REGISTERED: the case has no running total, or another office')
          WHERE NOT EXISTS (SELECT 1 FROM family_totals WHERE case_id = NEW.case_id)
             OR NEW.office IS NOT (SELECT office FROM cases WHERE case_id = NEW.case_id);
         SELECT RAISE(ABORT, 'LEVEL_GROUP_NOT_REGISTERED: no level_usage row for this child and level group')
          WHERE NOT EXISTS (SELECT 1 FROM level_usage WHERE case_id = NEW.case_id AND child_id = NEW.child_id
                                                         AND level_group = NEW.level_group);
         SELECT RAISE(ABORT, 'CLAIM_NOT_APPROVED: a payout pays its claim''s approved amount, child, year and level')
          WHERE NEW.kind = 'payout' AND NEW.claim_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM claims c WHERE c.case_id = NEW.case_id AND c.claim_id = NEW.claim_id
                   AND c.outcome = 'approved' AND c.amount = NEW.amount AND c.child_id = NEW.child_id
                   AND c.academic_year = NEW.academic_year AND c.level = NEW.level
                   AND c.level_group = NEW.level_group);
         SELECT RAISE(ABORT, 'ALREADY_CLAIMED: the child already has an unreversed payout for this academic year')
          WHERE NEW.kind = 'payout' AND EXISTS (
                SELECT 1 FROM paid_years WHERE case_id = NEW.case_id AND child_id = NEW.child_id
                                           AND academic_year = NEW.academic_year);
         SELECT RAISE(ABORT, 'ALREADY_REVERSED: the payout has been reversed already')
          WHERE NEW.kind = 'reversal' AND EXISTS (SELECT 1 FROM journal WHERE reverses_seq = NEW.reverses_seq);
         SELECT RAISE(ABORT, 'REVERSAL_MISMATCH: a reversal negates one payout of the same case, child, claim, level, year and office')
          WHERE NEW.kind = 'reversal' AND NOT EXISTS (
                SELECT 1 FROM journal p WHERE p.seq = NEW.reverses_seq AND p.kind = 'payout'
                   AND p.case_id = NEW.case_id AND p.child_id = NEW.child_id AND p.claim_id IS NEW.claim_id
                   AND p.level = NEW.level AND p.level_group = NEW.level_group
                   AND p.academic_year = NEW.academic_year AND p.office = NEW.office AND p.amount = -NEW.amount);
       END""",
    """CREATE TRIGGER journal_keep_totals AFTER INSERT ON journal BEGIN
         UPDATE family_totals SET paid = paid + NEW.amount WHERE case_id = NEW.case_id;
         INSERT INTO paid_years (case_id, child_id, academic_year, level_group, level, payout_seq)
           SELECT NEW.case_id, NEW.child_id, NEW.academic_year, NEW.level_group, NEW.level, NEW.seq
            WHERE NEW.kind = 'payout';
         DELETE FROM paid_years WHERE NEW.kind = 'reversal' AND payout_seq = NEW.reverses_seq;
         UPDATE level_usage SET years_used = years_used + (CASE NEW.kind WHEN 'payout' THEN 1 ELSE -1 END)
          WHERE case_id = NEW.case_id AND child_id = NEW.child_id AND level_group = NEW.level_group;
       END""",
    """CREATE TRIGGER family_totals_check_insert BEFORE INSERT ON family_totals BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: paid is the sum of the case''s journal entries')
          WHERE NEW.paid IS NOT (SELECT COALESCE(SUM(amount), 0) FROM journal WHERE case_id = NEW.case_id);
       END""",
    """CREATE TRIGGER family_totals_check_update BEFORE UPDATE ON family_totals BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FIXED: case_id, scheme_id and cap are fixed at registration')
          WHERE NEW.case_id IS NOT OLD.case_id OR NEW.scheme_id IS NOT OLD.scheme_id OR NEW.cap IS NOT OLD.cap;
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: paid is the sum of the case''s journal entries')
          WHERE NEW.paid IS NOT (SELECT COALESCE(SUM(amount), 0) FROM journal WHERE case_id = NEW.case_id);
       END""",
    """CREATE TRIGGER family_totals_no_delete BEFORE DELETE ON family_totals BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FIXED: running totals are never deleted');
       END""",
    """CREATE TRIGGER level_usage_check_insert BEFORE INSERT ON level_usage BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: years_used counts the paid_years of the child and level group')
          WHERE NEW.years_used IS NOT (SELECT COUNT(*) FROM paid_years WHERE case_id = NEW.case_id
                                         AND child_id = NEW.child_id AND level_group = NEW.level_group);
       END""",
    """CREATE TRIGGER level_usage_check_update BEFORE UPDATE ON level_usage BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FIXED: the keys, scheme_id and allowance are fixed at registration')
          WHERE NEW.case_id IS NOT OLD.case_id OR NEW.child_id IS NOT OLD.child_id
             OR NEW.level_group IS NOT OLD.level_group OR NEW.scheme_id IS NOT OLD.scheme_id
             OR NEW.allowance IS NOT OLD.allowance;
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: years_used counts the paid_years of the child and level group')
          WHERE NEW.years_used IS NOT (SELECT COUNT(*) FROM paid_years WHERE case_id = NEW.case_id
                                         AND child_id = NEW.child_id AND level_group = NEW.level_group);
       END""",
    """CREATE TRIGGER level_usage_no_delete BEFORE DELETE ON level_usage BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FIXED: running totals are never deleted');
       END""",
    """CREATE TRIGGER paid_years_check_insert BEFORE INSERT ON paid_years BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: a paid year is an unreversed payout of the journal')
          WHERE NOT EXISTS (SELECT 1 FROM journal p WHERE p.seq = NEW.payout_seq AND p.kind = 'payout'
                              AND p.case_id = NEW.case_id AND p.child_id = NEW.child_id
                              AND p.academic_year = NEW.academic_year AND p.level_group = NEW.level_group
                              AND p.level = NEW.level)
             OR EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = NEW.payout_seq);
       END""",
    """CREATE TRIGGER paid_years_no_update BEFORE UPDATE ON paid_years BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: paid years are never changed, only reversed');
       END""",
    """CREATE TRIGGER paid_years_check_delete BEFORE DELETE ON paid_years BEGIN
         SELECT RAISE(ABORT, 'TOTALS_FROM_JOURNAL: a paid year goes only with the reversal of its payout')
          WHERE NOT EXISTS (SELECT 1 FROM journal WHERE reverses_seq = OLD.payout_seq);
       END""",
]

# ------------------------------------------------------------------------------------------ PostgreSQL
# Raised as check_violation (23514), so drivers report them like the CHECK constraints they stand beside.
POSTGRES_FUNCTIONS = [
    """CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'JOURNAL_APPEND_ONLY: journal entries are never updated or deleted (% refused); post a reversal', TG_OP
           USING ERRCODE = 'check_violation';
       END $$""",
    f"""CREATE FUNCTION journal_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         expected bigint;
         previous text;
         held bigint;
       BEGIN
         SELECT COALESCE(MAX(seq), 0) + 1 INTO expected FROM journal;
         IF NEW.seq IS DISTINCT FROM expected THEN
           RAISE EXCEPTION 'JOURNAL_SEQUENCE: seq % must be the last entry''s seq + 1 = %', NEW.seq, expected
             USING ERRCODE = 'check_violation';
         END IF;
         SELECT hash INTO previous FROM journal WHERE seq = NEW.seq - 1;
         IF NEW.prev_hash IS DISTINCT FROM COALESCE(previous, '{GENESIS}') THEN
           RAISE EXCEPTION 'JOURNAL_CHAIN: seq % prev_hash % is not the hash of seq % (%)', NEW.seq, NEW.prev_hash,
             NEW.seq - 1, COALESCE(previous, '{GENESIS}') USING ERRCODE = 'check_violation';
         END IF;
         IF NOT EXISTS (SELECT 1 FROM family_totals WHERE case_id = NEW.case_id)
            OR NEW.office IS DISTINCT FROM (SELECT office FROM cases WHERE case_id = NEW.case_id) THEN
           RAISE EXCEPTION 'CASE_NOT_REGISTERED: case % has no running total, or office % is not its office',
             NEW.case_id, NEW.office USING ERRCODE = 'check_violation';
         END IF;
         IF NOT EXISTS (SELECT 1 FROM level_usage WHERE case_id = NEW.case_id AND child_id = NEW.child_id
                          AND level_group = NEW.level_group) THEN
           RAISE EXCEPTION 'LEVEL_GROUP_NOT_REGISTERED: no level_usage row for case %, child %, level group %',
             NEW.case_id, NEW.child_id, NEW.level_group USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.kind = 'payout' AND NEW.claim_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM claims c WHERE c.case_id = NEW.case_id AND c.claim_id = NEW.claim_id
                 AND c.outcome = 'approved' AND c.amount = NEW.amount AND c.child_id = NEW.child_id
                 AND c.academic_year = NEW.academic_year AND c.level = NEW.level
                 AND c.level_group = NEW.level_group) THEN
           RAISE EXCEPTION 'CLAIM_NOT_APPROVED: claim % of case % has no approved decision for amount %, child %, year %, level %',
             NEW.claim_id, NEW.case_id, NEW.amount, NEW.child_id, NEW.academic_year, NEW.level
             USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.kind = 'payout' THEN
           SELECT payout_seq INTO held FROM paid_years WHERE case_id = NEW.case_id AND child_id = NEW.child_id
              AND academic_year = NEW.academic_year;
           IF FOUND THEN
             RAISE EXCEPTION 'ALREADY_CLAIMED: child % of case % already has payout seq % for %', NEW.child_id,
               NEW.case_id, held, NEW.academic_year USING ERRCODE = 'check_violation';
           END IF;
         ELSE
           SELECT seq INTO held FROM journal WHERE reverses_seq = NEW.reverses_seq;
           IF FOUND THEN
             RAISE EXCEPTION 'ALREADY_REVERSED: payout seq % has been reversed by seq %', NEW.reverses_seq, held
               USING ERRCODE = 'check_violation';
           END IF;
           IF NOT EXISTS (
                SELECT 1 FROM journal p WHERE p.seq = NEW.reverses_seq AND p.kind = 'payout'
                   AND p.case_id = NEW.case_id AND p.child_id = NEW.child_id
                   AND p.claim_id IS NOT DISTINCT FROM NEW.claim_id AND p.level = NEW.level
                   AND p.level_group = NEW.level_group AND p.academic_year = NEW.academic_year
                   AND p.office = NEW.office AND p.amount = -NEW.amount) THEN
             RAISE EXCEPTION 'REVERSAL_MISMATCH: seq % does not negate payout seq % (same case, child, claim, level, year, office and amount)',
               NEW.seq, NEW.reverses_seq USING ERRCODE = 'check_violation';
           END IF;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION journal_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE family_totals SET paid = paid + NEW.amount WHERE case_id = NEW.case_id;
         IF NEW.kind = 'payout' THEN
           INSERT INTO paid_years (case_id, child_id, academic_year, level_group, level, payout_seq)
             VALUES (NEW.case_id, NEW.child_id, NEW.academic_year, NEW.level_group, NEW.level, NEW.seq);
           UPDATE level_usage SET years_used = years_used + 1
            WHERE case_id = NEW.case_id AND child_id = NEW.child_id AND level_group = NEW.level_group;
         ELSE
           DELETE FROM paid_years WHERE payout_seq = NEW.reverses_seq;
           UPDATE level_usage SET years_used = years_used - 1
            WHERE case_id = NEW.case_id AND child_id = NEW.child_id AND level_group = NEW.level_group;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION family_totals_check() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         journal_sum bigint;
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'TOTALS_FIXED: running totals are never deleted' USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'UPDATE' AND (NEW.case_id IS DISTINCT FROM OLD.case_id
              OR NEW.scheme_id IS DISTINCT FROM OLD.scheme_id OR NEW.cap IS DISTINCT FROM OLD.cap) THEN
           RAISE EXCEPTION 'TOTALS_FIXED: case_id, scheme_id and cap of case % are fixed at registration', OLD.case_id
             USING ERRCODE = 'check_violation';
         END IF;
         SELECT COALESCE(SUM(amount), 0) INTO journal_sum FROM journal WHERE case_id = NEW.case_id;
         IF NEW.paid IS DISTINCT FROM journal_sum THEN
           RAISE EXCEPTION 'TOTALS_FROM_JOURNAL: paid % of case % is not the sum of its journal entries, %',
             NEW.paid, NEW.case_id, journal_sum USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION level_usage_check() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         counted integer;
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'TOTALS_FIXED: running totals are never deleted' USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'UPDATE' AND (NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.child_id IS DISTINCT FROM OLD.child_id
              OR NEW.level_group IS DISTINCT FROM OLD.level_group OR NEW.scheme_id IS DISTINCT FROM OLD.scheme_id
              OR NEW.allowance IS DISTINCT FROM OLD.allowance) THEN
           RAISE EXCEPTION 'TOTALS_FIXED: the keys, scheme_id and allowance of % % % are fixed at registration',
             OLD.case_id, OLD.child_id, OLD.level_group USING ERRCODE = 'check_violation';
         END IF;
         SELECT COUNT(*) INTO counted FROM paid_years WHERE case_id = NEW.case_id AND child_id = NEW.child_id
            AND level_group = NEW.level_group;
         IF NEW.years_used IS DISTINCT FROM counted THEN
           RAISE EXCEPTION 'TOTALS_FROM_JOURNAL: years_used % of % % % is not the % paid years',
             NEW.years_used, NEW.case_id, NEW.child_id, NEW.level_group, counted USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION paid_years_check() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'TOTALS_FROM_JOURNAL: paid years are never changed, only reversed'
             USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'DELETE' THEN
           IF NOT EXISTS (SELECT 1 FROM journal WHERE reverses_seq = OLD.payout_seq) THEN
             RAISE EXCEPTION 'TOTALS_FROM_JOURNAL: paid year of payout seq % goes only with its reversal', OLD.payout_seq
               USING ERRCODE = 'check_violation';
           END IF;
           RETURN OLD;
         END IF;
         IF NOT EXISTS (SELECT 1 FROM journal p WHERE p.seq = NEW.payout_seq AND p.kind = 'payout'
                          AND p.case_id = NEW.case_id AND p.child_id = NEW.child_id
                          AND p.academic_year = NEW.academic_year AND p.level_group = NEW.level_group
                          AND p.level = NEW.level)
            OR EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = NEW.payout_seq) THEN
           RAISE EXCEPTION 'TOTALS_FROM_JOURNAL: a paid year is an unreversed payout of the journal (seq %)', NEW.payout_seq
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'JOURNAL_APPEND_ONLY: % is never truncated', TG_TABLE_NAME USING ERRCODE = 'check_violation';
       END $$""",
]

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
    "CREATE TRIGGER journal_check_insert BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_check_insert()",
    "CREATE TRIGGER journal_keep_totals AFTER INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_keep_totals()",
    "CREATE TRIGGER family_totals_check BEFORE INSERT OR UPDATE OR DELETE ON family_totals "
    "FOR EACH ROW EXECUTE FUNCTION family_totals_check()",
    "CREATE TRIGGER level_usage_check BEFORE INSERT OR UPDATE OR DELETE ON level_usage "
    "FOR EACH ROW EXECUTE FUNCTION level_usage_check()",
    "CREATE TRIGGER paid_years_check BEFORE INSERT OR UPDATE OR DELETE ON paid_years "
    "FOR EACH ROW EXECUTE FUNCTION paid_years_check()",
    *[f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
      f"EXECUTE FUNCTION refuse_truncate()" for table in ("journal", "family_totals", "level_usage", "paid_years")],
]


def upgrade() -> None:
    _tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = SQLITE_TRIGGERS
    elif dialect == "postgresql":
        statements = POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no ledger triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("journal_append_only", "journal_check_insert", "journal_keep_totals", "family_totals_check",
                     "level_usage_check", "paid_years_check", "refuse_truncate"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    for table in ("paid_years", "level_usage", "family_totals", "journal", "claims", "children", "cases"):
        op.drop_table(table)
