"""The queue and its search, fast with 200 000 claims (bench/web.py).

Revision ID: 0010_queue_search
Revises: 0009_letter_batches
Create Date: 2026-12-03

- `cases (office, case_id)` and `claims (state, case_id)`: an office's queue, its counts and the Beranda join
  the office's cases with the claims in the states asked, both read from the indexes alone (the rows, with
  their case files and decisions, are wide);
- `claims (state_at, case_id, claim_id)`: the queue's order, oldest in its state first, read in order and
  stopped at a page;
- `cases.participant_nik`, `cases.participant_kpj`, `children.nik`: a search by NIK or KPJ is an index lookup;
- the names, `cases.participant_name` and `children.name`: searched as "containing the text, whatever its
  case" (ILIKE '%text%'), which no B-tree serves. On PostgreSQL, a GIN index of trigrams (the `pg_trgm`
  extension, trusted since PostgreSQL 13: the database's owner may create it) serves ILIKE with a pattern of
  three characters or more. Where the extension cannot be created, or on SQLite, the same names get a plain
  index instead (searching still works, by reading the joined rows; it is only slower). A prefix index of a
  normalised name would serve only "starting with", which is not what the officers' search promises.

The extension lives in the schema `public` when this creates it (where every schema's search path can find its
operator class); one created elsewhere before is used where it is.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_queue_search"
down_revision = "0009_letter_batches"
branch_labels = None
depends_on = None

PLAIN = [
    ("ix_cases_office", "cases", ["office", "case_id"]),
    ("ix_claims_state_case", "claims", ["state", "case_id"]),
    ("ix_cases_participant_nik", "cases", ["participant_nik"]),
    ("ix_cases_participant_kpj", "cases", ["participant_kpj"]),
    ("ix_children_nik", "children", ["nik"]),
    ("ix_claims_queue_order", "claims", ["state_at", "case_id", "claim_id"]),
]
NAMES = [("ix_cases_participant_name", "cases", "participant_name"), ("ix_children_name", "children", "name")]


def _trigram_schema(bind) -> str | None:
    """The schema of pg_trgm's operator class, creating the extension in `public` if it is not there; None
    when it cannot be created (not installed on the server, or not allowed)."""
    found = bind.execute(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                 "WHERE e.extname = 'pg_trgm'")).scalar()
    if found:
        return found
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError:
        return None
    return "public"


def upgrade() -> None:
    for name, table, columns in PLAIN:
        op.create_index(name, table, columns)
    bind = op.get_bind()
    schema = _trigram_schema(bind) if bind.dialect.name == "postgresql" else None
    for name, table, column in NAMES:
        if schema:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} {schema}.gin_trgm_ops)")
        else:
            op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in NAMES:
        op.drop_index(name, table_name=table)
    for name, table, _columns in reversed(PLAIN):
        op.drop_index(name, table_name=table)
