"""Letter batches as records, and the letters' PDFs in the database, for Celery workers on any machine.

Revision ID: 0009_letter_batches
Revises: 0008_sign_in
Create Date: 2026-12-03

A batch of letters now runs on Celery workers through a broker (or on the local process pool): every worker
of a deployment uses the same database, so what they share lives there (`beasiswa.db.batch_tables`):
- `letter_batches`: who started a batch, of which office, when, for which letter date, how it runs, and the
  public address its letters' QR codes point under (every worker renders the batch's letters with it);
- `letter_batch_items`: each claim of a batch, pending / done (its letter's number) / failed (the code and
  message: a refusal, or DEAD_LETTER), and how many times a worker took it up (`deliveries`);
- `letter_pdfs`: the PDF of each letter rendered by a worker, added once, beside its SHA-256 in `letter_files`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_letter_batches"
down_revision = "0008_sign_in"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "letter_batches",
        sa.Column("id", big, primary_key=True, autoincrement=True),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("started_by", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("started_at", sa.String(), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("public_url", sa.String(), nullable=False),
        sa.CheckConstraint("mode IN ('queue', 'local')", name="letter_batch_mode_known"),
    )
    op.create_index("ix_letter_batches_office", "letter_batches", ["office"])
    op.create_table(
        "letter_batch_items",
        sa.Column("batch_id", big, sa.ForeignKey("letter_batches.id"), primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.String(), primary_key=True),
        sa.Column("claim_id", sa.String(), primary_key=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("number", sa.String(), sa.ForeignKey("letters.number"), nullable=True),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("finished_at", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name="letter_batch_item_status_known"),
        sa.CheckConstraint("deliveries >= 0", name="letter_batch_item_deliveries"),
    )
    op.create_index("ix_letter_batch_items_status", "letter_batch_items", ["batch_id", "status"])
    op.create_table(
        "letter_pdfs",
        sa.Column("number", sa.String(), sa.ForeignKey("letters.number"), primary_key=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("letter_pdfs")
    op.drop_index("ix_letter_batch_items_status", table_name="letter_batch_items")
    op.drop_table("letter_batch_items")
    op.drop_index("ix_letter_batches_office", table_name="letter_batches")
    op.drop_table("letter_batches")
