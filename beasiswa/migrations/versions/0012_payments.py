"""Bank transfers: the files an office hands its bank, and each payout sent in them.

Revision ID: 0012_payments
Revises: 0011_claims_office
Create Date: 2026-12-03

A claim is paid in the journal when its payout is posted; the money reaches the child's or guardian's account
through a bulk transfer file the office uploads to its bank (`beasiswa payments export`). The tables
(`beasiswa.db.payment_tables`):
- `transfer_batches`: one row per file, numbered per office per office-day from 001, with the file's exact
  bytes, their SHA-256, its count and total. Never updated or deleted; a batch takes the next number of its
  office's day, no other (TRANSFER_BATCH_NUMBER).
- `transfers`: one row per payout sent, in exactly one batch (`payout_seq` UNIQUE), with the account as
  exported. The triggers hold, whatever writes: a transfer carries its payout's case, claim, child, office,
  level, year and amount, of a payout not reversed, in a batch of its office and bank (TRANSFER_PAYOUT); only
  the bank's answer (status .. statement_id) is ever changed, a reversal named is the payout's own, and no
  transfer is deleted (TRANSFER_FIXED). Reconciliation (0013) adds what the bank's statements need.
Messages begin with the rule's code, as the other tables' do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_payments"
down_revision = "0011_claims_office"
branch_labels = None
depends_on = None

# The columns of a transfer fixed when it is exported: what was sent, to whom, for which payout.
_FIXED = ("end_to_end_id", "batch_id", "payout_seq", "case_id", "claim_id", "child_id", "office", "level",
          "academic_year", "amount", "bank", "account_number", "account_holder")


def _tables() -> None:
    big = sa.BigInteger()
    op.create_table(
        "transfer_batches",
        sa.Column("batch_id", sa.String(), primary_key=True),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(), nullable=False),
        sa.Column("file_format", sa.String(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", big, nullable=False),
        sa.Column("created_by", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.UniqueConstraint("office", "day", "number", name="transfer_batch_number_once"),
        sa.UniqueConstraint("file_name", name="transfer_batch_file_name_once"),
        sa.CheckConstraint("number >= 1", name="transfer_batch_number_positive"),
        sa.CheckConstraint("count >= 1 AND total > 0", name="transfer_batch_not_empty"),
        sa.CheckConstraint("length(sha256) = 64", name="transfer_batch_digest_length"),
    )
    op.create_index("ix_transfer_batches_office", "transfer_batches", ["office", "day"])
    op.create_table(
        "transfers",
        sa.Column("end_to_end_id", sa.String(), primary_key=True),
        sa.Column("batch_id", sa.String(), sa.ForeignKey("transfer_batches.batch_id"), nullable=False),
        sa.Column("payout_seq", big, sa.ForeignKey("journal.seq"), nullable=False, unique=True),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("claim_id", sa.String(), nullable=False),
        sa.Column("child_id", sa.String(), nullable=False),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("academic_year", sa.String(), nullable=False),
        sa.Column("amount", big, nullable=False),
        sa.Column("bank", sa.String(), nullable=False),
        sa.Column("account_number", sa.String(), nullable=False),
        sa.Column("account_holder", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False, server_default="exported"),
        sa.Column("bank_reference", sa.String(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_code", sa.String(), nullable=True),
        sa.Column("return_reason", sa.String(), nullable=True),
        sa.Column("reversal_seq", big, sa.ForeignKey("journal.seq"), nullable=True),
        sa.Column("statement_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        sa.CheckConstraint("length(end_to_end_id) <= 35", name="transfer_end_to_end_id_length"),
        sa.CheckConstraint("amount > 0", name="transfer_amount_positive"),
        sa.CheckConstraint("status IN ('exported', 'settled', 'returned')", name="transfer_status_known"),
    )
    op.create_index("ix_transfers_batch", "transfers", ["batch_id"])
    op.create_index("ix_transfers_office_status", "transfers", ["office", "status"])


# (condition on NEW/OLD, message), written with IS DISTINCT FROM (SQLite: IS NOT).
_BATCH_INSERT = [
    ("NEW.number IS DISTINCT FROM (SELECT COALESCE(MAX(b.number), 0) + 1 FROM transfer_batches b "
     "WHERE b.office = NEW.office AND b.day = NEW.day)",
     "TRANSFER_BATCH_NUMBER: a batch takes the next number of its office's day, from 1"),
]
_TRANSFER_INSERT = [
    ("NOT EXISTS (SELECT 1 FROM journal j WHERE j.seq = NEW.payout_seq AND j.kind = 'payout' "
     "AND j.case_id = NEW.case_id AND j.claim_id = NEW.claim_id AND j.child_id = NEW.child_id "
     "AND j.office = NEW.office AND j.level = NEW.level AND j.academic_year = NEW.academic_year "
     "AND j.amount = NEW.amount)",
     "TRANSFER_PAYOUT: a transfer carries its payout's case, claim, child, office, level, year and amount"),
    ("EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = NEW.payout_seq)",
     "TRANSFER_PAYOUT: a reversed payout is not sent"),
    ("NOT EXISTS (SELECT 1 FROM transfer_batches b WHERE b.batch_id = NEW.batch_id AND b.office = NEW.office "
     "AND b.bank = NEW.bank)",
     "TRANSFER_PAYOUT: a transfer is in a batch of its office and its bank"),
]
_TRANSFER_UPDATE = [
    (" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED),
     "TRANSFER_FIXED: only the bank's answer of a transfer is changed, never what was sent"),
    ("NEW.reversal_seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.seq = NEW.reversal_seq "
     "AND j.reverses_seq = NEW.payout_seq)",
     "TRANSFER_FIXED: a transfer's reversal is the journal's reversal of its payout"),
]


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _sqlite_raises(checks) -> str:
    return "\n".join(f"SELECT RAISE(ABORT, '{_quoted(m)}') WHERE {c.replace('IS DISTINCT FROM', 'IS NOT')};"
                     for c, m in checks)


def _postgres_raises(checks) -> str:
    return "\n".join(f"IF {c} THEN RAISE EXCEPTION '%', '{_quoted(m)}' USING ERRCODE = 'check_violation'; "
                     f"END IF;" for c, m in checks)


def _sqlite_statements() -> list[str]:
    return [
        f"""CREATE TRIGGER transfer_batches_check_insert BEFORE INSERT ON transfer_batches BEGIN
             {_sqlite_raises(_BATCH_INSERT)}
           END""",
        """CREATE TRIGGER transfer_batches_no_update BEFORE UPDATE ON transfer_batches BEGIN
             SELECT RAISE(ABORT, 'TRANSFER_APPEND_ONLY: a transfer batch is never updated');
           END""",
        """CREATE TRIGGER transfer_batches_no_delete BEFORE DELETE ON transfer_batches BEGIN
             SELECT RAISE(ABORT, 'TRANSFER_APPEND_ONLY: a transfer batch is never deleted');
           END""",
        f"""CREATE TRIGGER transfers_check_insert BEFORE INSERT ON transfers BEGIN
             {_sqlite_raises(_TRANSFER_INSERT)}
           END""",
        f"""CREATE TRIGGER transfers_check_update BEFORE UPDATE ON transfers BEGIN
             {_sqlite_raises(_TRANSFER_UPDATE)}
           END""",
        """CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers BEGIN
             SELECT RAISE(ABORT, 'TRANSFER_FIXED: a transfer is never deleted');
           END""",
    ]


def _postgres_statements() -> list[str]:
    return [
        f"""CREATE FUNCTION transfer_batches_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP <> 'INSERT' THEN
               RAISE EXCEPTION 'TRANSFER_APPEND_ONLY: a transfer batch is never changed (% refused)', TG_OP
                 USING ERRCODE = 'check_violation';
             END IF;
             {_postgres_raises(_BATCH_INSERT)}
             RETURN NEW;
           END $$""",
        f"""CREATE FUNCTION transfers_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
               RAISE EXCEPTION 'TRANSFER_FIXED: a transfer is never deleted (% refused)', TG_OP
                 USING ERRCODE = 'check_violation';
             END IF;
             IF TG_OP = 'INSERT' THEN
               {_postgres_raises(_TRANSFER_INSERT)}
             ELSE
               {_postgres_raises(_TRANSFER_UPDATE)}
             END IF;
             RETURN NEW;
           END $$""",
        "CREATE TRIGGER transfer_batches_check BEFORE INSERT OR UPDATE OR DELETE ON transfer_batches "
        "FOR EACH ROW EXECUTE FUNCTION transfer_batches_check()",
        "CREATE TRIGGER transfer_batches_no_truncate BEFORE TRUNCATE ON transfer_batches FOR EACH STATEMENT "
        "EXECUTE FUNCTION transfer_batches_check()",
        "CREATE TRIGGER transfers_check BEFORE INSERT OR UPDATE OR DELETE ON transfers "
        "FOR EACH ROW EXECUTE FUNCTION transfers_check()",
        "CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers FOR EACH STATEMENT "
        "EXECUTE FUNCTION transfers_check()",
    ]


def upgrade() -> None:
    _tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _postgres_statements()
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no transfer triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("transfers_check", "transfer_batches_check"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    op.drop_index("ix_transfers_office_status", table_name="transfers")
    op.drop_index("ix_transfers_batch", table_name="transfers")
    op.drop_table("transfers")  # SQLite drops the tables' triggers with them
    op.drop_index("ix_transfer_batches_office", table_name="transfer_batches")
    op.drop_table("transfer_batches")
