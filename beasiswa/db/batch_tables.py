"""A batch of letters as a record, and the letters' PDFs where every worker writes and every reader fetches them
(created by migration 0009_letter_batches; a test compares them).

- `letter_batches`: one row per batch: its office, who started it (the supervisor who issues the office's
  letters), when, the date its letters bear, how it runs (`queue`: Celery workers through a broker; `local`:
  the starting machine's process pool), and the public address its letters' QR codes point under (the
  deployment's, as the starter knew it: every worker renders with it). Never changed: its counts are its items'.
- `letter_batch_items`: one row per claim of a batch. `status` pending → done (its letter's number) or failed
  (the code and message of why: a refusal, or `DEAD_LETTER` for a letter delivered too many times without
  finishing, or whose retries ran out). `deliveries` counts the times a worker took it up: a task redelivered
  after its worker died counts again, and past the limit the letter is dead-lettered, named in the batch's
  report, never silently dropped. A claim is pending in at most one batch at a time (the service's rule).
- `letter_pdfs`: a rendered letter's PDF bytes, added once (ON CONFLICT DO NOTHING): the bytes are
  deterministic, and the register's `letter_files` holds their SHA-256.
"""

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlmodel import Field, SQLModel

import beasiswa.db.letter_tables  # noqa: F401 - declares `letters`, which letter_pdfs names
import beasiswa.db.tables  # noqa: F401 - declares `claims`, which the items name
import beasiswa.db.user_tables  # noqa: F401 - declares `users`, which a batch's starter names

BATCH_MODES = ("queue", "local")
ITEM_STATUSES = ("pending", "done", "failed")
_ID = BigInteger().with_variant(Integer(), "sqlite")


class LetterBatch(SQLModel, table=True):
    __tablename__ = "letter_batches"
    __table_args__ = (CheckConstraint("mode IN ('queue', 'local')", name="letter_batch_mode_known"),
                      Index("ix_letter_batches_office", "office"))

    id: int = Field(sa_column=Column(_ID, primary_key=True, autoincrement=True))
    office: str
    started_by: str = Field(sa_column=Column(ForeignKey("users.name"), nullable=False))
    started_at: str  # UTC, ISO 8601 with a Z
    letter_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    mode: str
    public_url: str  # the address the letters' QR codes point under (`canonical.verify_url`)


class LetterBatchItem(SQLModel, table=True):
    __tablename__ = "letter_batch_items"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="letter_batch_item_status_known"),
        CheckConstraint("deliveries >= 0", name="letter_batch_item_deliveries"),
        Index("ix_letter_batch_items_status", "batch_id", "status"),
    )

    batch_id: int = Field(sa_column=Column(_ID, ForeignKey("letter_batches.id"), primary_key=True,
                                           autoincrement=False))
    case_id: str = Field(sa_column=Column(String, primary_key=True))
    claim_id: str = Field(sa_column=Column(String, primary_key=True))
    status: str
    number: str | None = Field(default=None, sa_column=Column(ForeignKey("letters.number"), nullable=True))
    deliveries: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    code: str | None = None
    message: str | None = None
    finished_at: str | None = None


class LetterPdf(SQLModel, table=True):
    __tablename__ = "letter_pdfs"

    number: str = Field(sa_column=Column(ForeignKey("letters.number"), primary_key=True))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    stored_at: str  # UTC, ISO 8601 with a Z


letter_batches = LetterBatch.__table__
letter_batch_items = LetterBatchItem.__table__
letter_pdfs = LetterPdf.__table__
