"""The audit trail chained like the journal, and refused attempts recorded in it.

Revision ID: 0005_audit_chain
Revises: 0004_journal_totals_by_kind
Create Date: 2026-12-03

`audit_trail` gains what a hash chain needs (`canonical`, the exact bytes hashed; `hash`, their SHA-256;
`prev_hash`, the hash of `seq - 1`) and what a refused attempt needs (`result` done | refused, `refusal_code`,
`refusal_message`, and `asked_as`, the name as it was given: `actor` becomes nullable, since a name that is
no user cannot be a foreign key, and a CHECK keeps every done row's actor a registered user). `seq` is no
longer the database's: the writer assigns it under the trail's lock, gap-free, and a trigger refuses any row
whose seq is not the last one's + 1 or whose `prev_hash` is not that row's hash.

The table is rebuilt (SQLite cannot make a column nullable in place): the rows there are copied in their
order, renumbered 1, 2, 3 … where PostgreSQL's sequence had left gaps, and chained as they are copied
(`beasiswa.access.chain.chained_rows`, the application's own function). Every trigger of 0003 comes back.
"""

import json

import sqlalchemy as sa
from alembic import op

from beasiswa.access.chain import chained_rows

revision = "0005_audit_chain"
down_revision = "0004_journal_totals_by_kind"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_OLD_COLUMNS = ("seq", "at", "actor", "action", "subject", "case_id", "claim_id", "before", "after", "note")


def _seq_type():
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _create_chained() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("seq", _seq_type(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), sa.ForeignKey("users.name"), nullable=True),
        sa.Column("asked_as", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=True),
        sa.Column("claim_id", sa.String(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("refusal_code", sa.String(), nullable=True),
        sa.Column("refusal_message", sa.String(), nullable=True),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("result IN ('done', 'refused')", name="audit_result_known"),
        sa.CheckConstraint("result = 'refused' OR (actor IS NOT NULL AND actor = asked_as AND refusal_code IS NULL "
                           "AND refusal_message IS NULL)", name="audit_done_by_user"),
        sa.CheckConstraint("result = 'done' OR (refusal_code IS NOT NULL AND refusal_code <> '' "
                           "AND refusal_message IS NOT NULL)", name="audit_refusal_named"),
        sa.CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="audit_hash_length"),
    )
    _indexes()


def _create_plain() -> None:
    """0003's table, for the downgrade."""
    op.create_table(
        "audit_trail",
        sa.Column("seq", _seq_type(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=True),
        sa.Column("claim_id", sa.String(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
    )
    _indexes()


def _indexes() -> None:
    op.create_index("ix_audit_trail_claim", "audit_trail", ["case_id", "claim_id"])
    op.create_index("ix_audit_trail_actor", "audit_trail", ["actor"])


# ---------------------------------------------------------------------------------------------- triggers
_SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail BEGIN
         SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: the audit trail is never updated');
       END""",
    """CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail BEGIN
         SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: the audit trail is never deleted');
       END""",
]
SQLITE_CHAIN = f"""CREATE TRIGGER audit_trail_check_insert BEFORE INSERT ON audit_trail BEGIN
         SELECT RAISE(ABORT, 'AUDIT_SEQUENCE: seq must be the last row''s seq + 1')
          WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_trail);
         SELECT RAISE(ABORT, 'AUDIT_CHAIN: prev_hash must be the hash of row seq - 1')
          WHERE NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_trail WHERE seq = NEW.seq - 1), '{GENESIS}');
       END"""
_PG_APPEND_ONLY = [
    "CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail "
    "FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()",
    "CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only()",
]
PG_CHAIN = [
    f"""CREATE FUNCTION audit_trail_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         expected bigint;
         previous text;
       BEGIN
         SELECT COALESCE(MAX(seq), 0) + 1 INTO expected FROM audit_trail;
         IF NEW.seq IS DISTINCT FROM expected THEN
           RAISE EXCEPTION 'AUDIT_SEQUENCE: seq % must be the last row''s seq + 1 = %', NEW.seq, expected
             USING ERRCODE = 'check_violation';
         END IF;
         SELECT hash INTO previous FROM audit_trail WHERE seq = NEW.seq - 1;
         IF NEW.prev_hash IS DISTINCT FROM COALESCE(previous, '{GENESIS}') THEN
           RAISE EXCEPTION 'AUDIT_CHAIN: seq % prev_hash % is not the hash of seq % (%)', NEW.seq, NEW.prev_hash,
             NEW.seq - 1, COALESCE(previous, '{GENESIS}') USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    "CREATE TRIGGER audit_trail_check_insert BEFORE INSERT ON audit_trail "
    "FOR EACH ROW EXECUTE FUNCTION audit_trail_check_insert()",
]


def _drop_triggers(dialect: str, chained: bool) -> None:
    if dialect == "sqlite":
        for name in ("audit_trail_no_update", "audit_trail_no_delete", *(("audit_trail_check_insert",) if chained
                                                                          else ())):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in ("audit_trail_append_only", "audit_trail_no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_trail")
        if chained:
            op.execute("DROP FUNCTION IF EXISTS audit_trail_check_insert() CASCADE")


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _old_rows(bind) -> list[dict]:
    rows = bind.execute(sa.text(f"SELECT {', '.join(_OLD_COLUMNS)} FROM audit_trail ORDER BY seq")).mappings()
    return [{**row, "before": _json(row["before"]), "after": _json(row["after"])} for row in rows]


def _table(columns: list[str]) -> sa.Table:
    """A lightweight table for the copies (JSON columns written as JSON on either dialect)."""
    json_columns = {"before", "after"}
    return sa.table("audit_trail", *[sa.column(c, sa.JSON() if c in json_columns else
                                               sa.LargeBinary() if c == "canonical" else None) for c in columns])


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    rows = _old_rows(bind)
    _drop_triggers(dialect, chained=False)
    op.drop_index("ix_audit_trail_actor", table_name="audit_trail")
    op.drop_index("ix_audit_trail_claim", table_name="audit_trail")
    op.drop_table("audit_trail")
    _create_chained()
    if rows:
        copied = chained_rows([{k: v for k, v in row.items() if k != "seq"} for row in rows], 0, GENESIS)
        op.bulk_insert(_table(list(copied[0])), copied)
    if dialect == "sqlite":
        for statement in (*_SQLITE_APPEND_ONLY, SQLITE_CHAIN):
            op.execute(statement)
    else:
        for statement in (*_PG_APPEND_ONLY, *PG_CHAIN):
            op.execute(statement)


def downgrade() -> None:
    """Back to 0003's table: the done rows as they were (renumbered as copied); refused attempts, which that
    table cannot hold (their actor may be no user), are left out."""
    bind = op.get_bind()
    dialect = bind.dialect.name
    rows = bind.execute(sa.text(f"SELECT {', '.join(_OLD_COLUMNS)} FROM audit_trail WHERE result = 'done' "
                                f"ORDER BY seq")).mappings()
    rows = [{**row, "before": _json(row["before"]), "after": _json(row["after"])} for row in rows]
    _drop_triggers(dialect, chained=True)
    op.drop_index("ix_audit_trail_actor", table_name="audit_trail")
    op.drop_index("ix_audit_trail_claim", table_name="audit_trail")
    op.drop_table("audit_trail")
    _create_plain()
    if rows:
        op.bulk_insert(_table(list(_OLD_COLUMNS)), rows)
    if dialect == "sqlite":
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)
    else:
        for statement in _PG_APPEND_ONLY:
            op.execute(statement)
        if rows:  # the identity's sequence continues after the rows copied with their seq
            op.execute("SELECT setval(pg_get_serial_sequence('audit_trail', 'seq'), (SELECT MAX(seq) FROM audit_trail))")
