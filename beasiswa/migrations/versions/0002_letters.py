"""The letter register: numbers per issuing office per year, every letter numbered, every PDF rendered.

Revision ID: 0002_letters
Revises: 0001
Create Date: 2025-07-22

- `letter_sequences`: one row per office and year; `last` is the last sequence issued. It starts at 0 and
  moves only by exactly +1, so a number is never skipped by hand nor reused.
- `letters`: the register, one row per letter, never updated or deleted. The number is taken from the
  office's sequence row in the same transaction that inserts the row (the insert trigger checks that
  `sequence` is that row's `last`), with the letter's canonical data and its digest. At most one letter per
  claim and decision revision; a re-decided claim (the workflow bumps `decision_revision`) may get another.
  The kind follows the claim's outcome and the office is the case's office.
- `letter_files`: the SHA-256 of each letter's PDF and when it was rendered, one row per letter, never
  updated or deleted. Kept apart from `letters` so the PDF (~80 ms) is written outside the numbering
  transaction and workers do not queue behind one lock; the PDF is deterministic, so a letter numbered
  before a crash is rendered after it with the same number and date, and gets the same bytes.
Messages begin with the rule's code (LETTER_APPEND_ONLY, LETTER_SEQUENCE, LETTER_CLAIM).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_letters"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tables() -> None:
    op.create_table(
        "letter_sequences",
        sa.Column("office", sa.String(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.CheckConstraint("last >= 0", name="letter_sequence_not_negative"),
    )
    op.create_table(
        "letters",
        sa.Column("number", sa.String(), primary_key=True),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("claim_id", sa.String(), nullable=False),
        sa.Column("decision_revision", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("data_digest", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("numbered_at", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        sa.ForeignKeyConstraint(["office", "year"], ["letter_sequences.office", "letter_sequences.year"]),
        sa.UniqueConstraint("office", "year", "sequence", name="letter_sequence_once"),
        sa.UniqueConstraint("case_id", "claim_id", "decision_revision", name="letter_once_per_decision"),
        sa.UniqueConstraint("file_name", name="letter_file_name_once"),
        sa.CheckConstraint("sequence >= 1", name="letter_sequence_positive"),
        sa.CheckConstraint("decision_revision >= 1", name="letter_revision_positive"),
        sa.CheckConstraint("kind IN ('award', 'rejection', 'return')", name="letter_kind_known"),
        sa.CheckConstraint("length(data_digest) = 64", name="letter_digest_length"),
    )
    op.create_index("ix_letters_claim", "letters", ["case_id", "claim_id"])
    op.create_table(
        "letter_files",
        sa.Column("number", sa.String(), sa.ForeignKey("letters.number"), primary_key=True),
        sa.Column("pdf_sha256", sa.String(), nullable=False),
        sa.Column("rendered_at", sa.String(), nullable=False),
        sa.CheckConstraint("length(pdf_sha256) = 64", name="letter_pdf_digest_length"),
    )


_KIND_OF_OUTCOME = ("CASE c.outcome WHEN 'approved' THEN 'award' WHEN 'rejected' THEN 'rejection' "
                    "WHEN 'returned' THEN 'return' END")

# ---------------------------------------------------------------------------------------------- SQLite
SQLITE_TRIGGERS = [
    """CREATE TRIGGER letter_sequences_check_insert BEFORE INSERT ON letter_sequences BEGIN
         SELECT RAISE(ABORT, 'LETTER_SEQUENCE: an office''s sequence for a year starts at 0')
          WHERE NEW.last IS NOT 0;
       END""",
    """CREATE TRIGGER letter_sequences_check_update BEFORE UPDATE ON letter_sequences BEGIN
         SELECT RAISE(ABORT, 'LETTER_SEQUENCE: a sequence moves only by +1, for the same office and year')
          WHERE NEW.office IS NOT OLD.office OR NEW.year IS NOT OLD.year OR NEW.last IS NOT OLD.last + 1;
       END""",
    """CREATE TRIGGER letter_sequences_no_delete BEFORE DELETE ON letter_sequences BEGIN
         SELECT RAISE(ABORT, 'LETTER_SEQUENCE: a sequence is never deleted; its numbers are never reused');
       END""",
    f"""CREATE TRIGGER letters_check_insert BEFORE INSERT ON letters BEGIN
         SELECT RAISE(ABORT, 'LETTER_SEQUENCE: a letter takes the number its office''s sequence just issued')
          WHERE NEW.sequence IS NOT (SELECT last FROM letter_sequences
                                      WHERE office = NEW.office AND year = NEW.year);
         SELECT RAISE(ABORT, 'LETTER_CLAIM: the letter''s office is its case''s, its kind follows the decision')
          WHERE NOT EXISTS (SELECT 1 FROM claims c JOIN cases k ON k.case_id = c.case_id
                             WHERE c.case_id = NEW.case_id AND c.claim_id = NEW.claim_id
                               AND k.office = NEW.office AND ({_KIND_OF_OUTCOME}) IS NEW.kind);
       END""",
    """CREATE TRIGGER letters_no_update BEFORE UPDATE ON letters BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: registered letters are never updated');
       END""",
    """CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: registered letters are never deleted');
       END""",
    """CREATE TRIGGER letter_files_no_update BEFORE UPDATE ON letter_files BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: a rendered letter''s digest is never updated');
       END""",
    """CREATE TRIGGER letter_files_no_delete BEFORE DELETE ON letter_files BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: a rendered letter''s digest is never deleted');
       END""",
]

# ------------------------------------------------------------------------------------------ PostgreSQL
POSTGRES_FUNCTIONS = [
    """CREATE FUNCTION letter_sequences_check() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'LETTER_SEQUENCE: the sequence of % for % is never deleted; its numbers are never reused',
             OLD.office, OLD.year USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'INSERT' AND NEW.last IS DISTINCT FROM 0 THEN
           RAISE EXCEPTION 'LETTER_SEQUENCE: the sequence of % for % starts at 0, not %', NEW.office, NEW.year,
             NEW.last USING ERRCODE = 'check_violation';
         END IF;
         IF TG_OP = 'UPDATE' AND (NEW.office IS DISTINCT FROM OLD.office OR NEW.year IS DISTINCT FROM OLD.year
              OR NEW.last IS DISTINCT FROM OLD.last + 1) THEN
           RAISE EXCEPTION 'LETTER_SEQUENCE: the sequence of % for % moves only by +1 (% to %)', OLD.office,
             OLD.year, OLD.last, NEW.last USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    f"""CREATE FUNCTION letters_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         issued integer;
       BEGIN
         SELECT last INTO issued FROM letter_sequences WHERE office = NEW.office AND year = NEW.year;
         IF NEW.sequence IS DISTINCT FROM issued THEN
           RAISE EXCEPTION 'LETTER_SEQUENCE: letter % has sequence %, the sequence of % for % just issued %',
             NEW.number, NEW.sequence, NEW.office, NEW.year, issued USING ERRCODE = 'check_violation';
         END IF;
         IF NOT EXISTS (SELECT 1 FROM claims c JOIN cases k ON k.case_id = c.case_id
                         WHERE c.case_id = NEW.case_id AND c.claim_id = NEW.claim_id
                           AND k.office = NEW.office AND ({_KIND_OF_OUTCOME}) IS NOT DISTINCT FROM NEW.kind) THEN
           RAISE EXCEPTION 'LETTER_CLAIM: a % letter of office % does not follow the decision on claim % of case %',
             NEW.kind, NEW.office, NEW.claim_id, NEW.case_id USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION letters_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'LETTER_APPEND_ONLY: % rows are never updated, deleted or truncated (% refused)',
           TG_TABLE_NAME, TG_OP USING ERRCODE = 'check_violation';
       END $$""",
]

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER letter_sequences_check BEFORE INSERT OR UPDATE OR DELETE ON letter_sequences "
    "FOR EACH ROW EXECUTE FUNCTION letter_sequences_check()",
    "CREATE TRIGGER letters_check_insert BEFORE INSERT ON letters FOR EACH ROW EXECUTE FUNCTION letters_check_insert()",
    *[f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
      f"FOR EACH ROW EXECUTE FUNCTION letters_append_only()" for table in ("letters", "letter_files")],
    *[f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
      f"EXECUTE FUNCTION letters_append_only()" for table in ("letter_sequences", "letters", "letter_files")],
]


def upgrade() -> None:
    _tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = SQLITE_TRIGGERS
    elif dialect == "postgresql":
        statements = POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no letter triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("letter_sequences_check", "letters_check_insert", "letters_append_only"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    op.drop_index("ix_letters_claim", table_name="letters")
    for table in ("letter_files", "letters", "letter_sequences"):
        op.drop_table(table)
