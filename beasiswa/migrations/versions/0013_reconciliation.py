"""The banks' statements, and the exceptions reconciliation leaves for a supervisor.

Revision ID: 0013_reconciliation
Revises: 0012_payments
Create Date: 2026-12-03

`beasiswa payments reconcile FILE` reads a bank's answer (camt.053, camt.054, a CSV result file), settles and
returns the transfers it names (their status columns: 0012) and records (`beasiswa.db.reconciliation_tables`):
- `bank_statements`: one row per file imported, its SHA-256 UNIQUE (the same file again changes nothing),
  numbered per office per day; never changed or deleted (STATEMENT_APPEND_ONLY);
- `reconciliation_exceptions`: the lines that changed nothing (unmatched, amount or account differing,
  duplicate), one per statement line; only the clearing (resolved_by, resolved_at, resolution) is ever
  written, once, and none is deleted (EXCEPTION_FIXED).
Messages begin with the rule's code, as the other tables' do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_reconciliation"
down_revision = "0012_payments"
branch_labels = None
depends_on = None

_EXCEPTION_FIXED = ("statement_id", "line_no", "office", "place", "kind", "end_to_end_id", "amount", "detail")


def _tables() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("statement_id", sa.String(), primary_key=True),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("file_format", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("imported_by", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("imported_at", sa.String(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("exceptions", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=False),
        sa.UniqueConstraint("office", "day", "number", name="bank_statement_number_once"),
        sa.UniqueConstraint("sha256", name="bank_statement_file_once"),
        sa.CheckConstraint("number >= 1", name="bank_statement_number_positive"),
        sa.CheckConstraint("length(sha256) = 64", name="bank_statement_digest_length"),
        sa.CheckConstraint("lines >= 0 AND settled >= 0 AND returned >= 0 AND exceptions >= 0 AND other >= 0 "
                           "AND settled + returned + exceptions = lines", name="bank_statement_counts"),
    )
    op.create_table(
        "reconciliation_exceptions",
        sa.Column("statement_id", sa.String(), sa.ForeignKey("bank_statements.statement_id"), primary_key=True),
        sa.Column("line_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("end_to_end_id", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("resolved_by", sa.String(), sa.ForeignKey("users.name"), nullable=True),
        sa.Column("resolved_at", sa.String(), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('UNMATCHED', 'AMOUNT_DIFFERS', 'ACCOUNT_DIFFERS', 'DUPLICATE')",
                           name="reconciliation_exception_kind_known"),
        sa.CheckConstraint("(resolved_by IS NULL AND resolved_at IS NULL AND resolution IS NULL) OR "
                           "(resolved_by IS NOT NULL AND resolved_at IS NOT NULL AND resolution <> '')",
                           name="reconciliation_exception_resolved_whole"),
    )
    op.create_index("ix_reconciliation_exceptions_office", "reconciliation_exceptions", ["office", "resolved_at"])


_EXCEPTION_UPDATE = [
    (" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _EXCEPTION_FIXED),
     "EXCEPTION_FIXED: only the clearing of a reconciliation exception is written"),
    ("OLD.resolved_by IS NOT NULL",
     "EXCEPTION_FIXED: a reconciliation exception is cleared once"),
]


def _sqlite_statements() -> list[str]:
    checks = "\n".join(f"SELECT RAISE(ABORT, '{m}') WHERE {c.replace('IS DISTINCT FROM', 'IS NOT')};"
                       for c, m in _EXCEPTION_UPDATE)
    return [
        """CREATE TRIGGER bank_statements_no_update BEFORE UPDATE ON bank_statements BEGIN
             SELECT RAISE(ABORT, 'STATEMENT_APPEND_ONLY: an imported bank statement is never changed');
           END""",
        """CREATE TRIGGER bank_statements_no_delete BEFORE DELETE ON bank_statements BEGIN
             SELECT RAISE(ABORT, 'STATEMENT_APPEND_ONLY: an imported bank statement is never deleted');
           END""",
        f"""CREATE TRIGGER reconciliation_exceptions_check_update BEFORE UPDATE ON reconciliation_exceptions BEGIN
             {checks}
           END""",
        """CREATE TRIGGER reconciliation_exceptions_no_delete BEFORE DELETE ON reconciliation_exceptions BEGIN
             SELECT RAISE(ABORT, 'EXCEPTION_FIXED: a reconciliation exception is never deleted');
           END""",
    ]


def _postgres_statements() -> list[str]:
    checks = "\n".join(f"IF {c} THEN RAISE EXCEPTION '%', '{m}' USING ERRCODE = 'check_violation'; END IF;"
                       for c, m in _EXCEPTION_UPDATE)
    return [
        """CREATE FUNCTION bank_statements_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION 'STATEMENT_APPEND_ONLY: an imported bank statement is never changed (% refused)',
               TG_OP USING ERRCODE = 'check_violation';
           END $$""",
        f"""CREATE FUNCTION reconciliation_exceptions_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
               RAISE EXCEPTION 'EXCEPTION_FIXED: a reconciliation exception is never deleted (% refused)', TG_OP
                 USING ERRCODE = 'check_violation';
             END IF;
             {checks}
             RETURN NEW;
           END $$""",
        "CREATE TRIGGER bank_statements_check BEFORE UPDATE OR DELETE ON bank_statements "
        "FOR EACH ROW EXECUTE FUNCTION bank_statements_check()",
        "CREATE TRIGGER bank_statements_no_truncate BEFORE TRUNCATE ON bank_statements FOR EACH STATEMENT "
        "EXECUTE FUNCTION bank_statements_check()",
        "CREATE TRIGGER reconciliation_exceptions_check BEFORE UPDATE OR DELETE ON reconciliation_exceptions "
        "FOR EACH ROW EXECUTE FUNCTION reconciliation_exceptions_check()",
        "CREATE TRIGGER reconciliation_exceptions_no_truncate BEFORE TRUNCATE ON reconciliation_exceptions "
        "FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_exceptions_check()",
    ]


def upgrade() -> None:
    _tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _postgres_statements()
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no reconciliation triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("reconciliation_exceptions_check", "bank_statements_check"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    op.drop_index("ix_reconciliation_exceptions_office", table_name="reconciliation_exceptions")
    op.drop_table("reconciliation_exceptions")  # SQLite drops the tables' triggers with them
    op.drop_table("bank_statements")
