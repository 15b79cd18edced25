"""Each claim carries its case's office, so that an office's queue and its counts read one index of `claims`.

Revision ID: 0011_claims_office
Revises: 0010_queue_search
Create Date: 2026-12-03

With 200 000 claims an office's queue joined ~8 000 of its cases with the ~115 000 open claims of every office
to count ~19 000 of them (bench/web.py: 150-500 ms a page). The office is the case's, fixed at registration (a
case is registered once, its office never changes: `beasiswa.workflow.registration`), so the copy cannot drift;
the row mapping (`beasiswa.db.rows.claim_row`) writes it with every claim.

- `claims (office, state, state_at, level, outcome, case_id, child_id)`: an office's counts by state (the
  Beranda, the queue's total, with its filters: days waiting, level, mine, a search's children) read from the
  index alone, without visiting the ~19 000 rows of an office's open claims;
- `claims (office, state_at, case_id, claim_id)`: an office's open queue read in its order and stopped at a page.

The column is filled from `cases` here; its server default '' only lets the column be added to a filled table
(SQLite adds no NOT NULL column without one); every insert writes the office.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_claims_office"
down_revision = "0010_queue_search"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_claims_office_state", ["office", "state", "state_at", "level", "outcome", "case_id", "child_id"]),
    ("ix_claims_office_queue", ["office", "state_at", "case_id", "claim_id"]),
]


def upgrade() -> None:
    op.add_column("claims", sa.Column("office", sa.String(), nullable=False, server_default=""))
    op.execute("UPDATE claims SET office = (SELECT cases.office FROM cases WHERE cases.case_id = claims.case_id)")
    for name, columns in INDEXES:
        op.create_index(name, "claims", columns)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="claims")
    op.execute("ALTER TABLE claims DROP COLUMN office")  # SQLite 3.35 and later, as PostgreSQL
