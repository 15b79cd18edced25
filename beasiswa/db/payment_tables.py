"""Bank transfer batches and their transfers, as SQLModel classes (created by migration 0012_payments; a test
compares them).

- `transfer_batches`: one row per file handed to a bank: `batch_id` "TRF/<office>/<YYYYMMDD>/<NNN>", numbered
  per office per office-day from 001 (`number`, UNIQUE with the office and day; the insert trigger takes only
  the day's next number), the payees' bank (its Bank Indonesia code), the file's format ("pain.001.001.09" or
  "csv:<layout>"), the value date asked of the bank, the file's name and its exact bytes (`content`), their
  SHA-256, the count and total (whole rupiah) of its transfers, who exported it and when. Never updated or
  deleted (TRANSFER_APPEND_ONLY): exporting again writes the stored bytes, and a changed file is found by
  `payments verify`.
- `transfers`: one row per payout sent, keyed by its end-to-end id "BSW-<payout seq>" (ISO 20022's EndToEndId,
  at most 35 characters), in exactly one batch (`payout_seq` UNIQUE). The claim's account is copied as it was
  exported (a snapshot: the claim's own columns may be corrected after a return, the transfer keeps what was
  sent). The bank's answer (`status` exported → settled or returned, its reference and dates, the return's
  code and reason, the journal's reversal of a returned transfer, the statement it came from) is written by
  reconciliation; nothing else of a transfer ever changes and none is deleted (TRANSFER_FIXED).
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
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

import beasiswa.db.tables  # noqa: F401 - declares `journal` and `claims`, which transfers name
import beasiswa.db.user_tables  # noqa: F401 - declares `users`, which a batch's exporter names

TRANSFER_STATUSES = ("exported", "settled", "returned")
# The columns reconciliation writes (the application role's UPDATE grant); every other column is fixed.
TRANSFER_ANSWER_COLUMNS = ("status", "bank_reference", "settled_on", "returned_on", "return_code",
                           "return_reason", "reversal_seq", "statement_id")


class TransferBatch(SQLModel, table=True):
    __tablename__ = "transfer_batches"
    __table_args__ = (
        UniqueConstraint("office", "day", "number", name="transfer_batch_number_once"),
        UniqueConstraint("file_name", name="transfer_batch_file_name_once"),
        CheckConstraint("number >= 1", name="transfer_batch_number_positive"),
        CheckConstraint("count >= 1 AND total > 0", name="transfer_batch_not_empty"),
        CheckConstraint("length(sha256) = 64", name="transfer_batch_digest_length"),
        Index("ix_transfer_batches_office", "office", "day"),
    )

    batch_id: str = Field(primary_key=True)
    office: str
    day: dt.date = Field(sa_column=Column(Date, nullable=False))  # the office's day of the export
    number: int = Field(sa_column=Column(Integer, nullable=False))
    bank: str  # Bank Indonesia's sandi bank of the payees' bank
    file_format: str  # "pain.001.001.09" or "csv:<layout>"
    value_date: dt.date = Field(sa_column=Column(Date, nullable=False))
    file_name: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str
    count: int = Field(sa_column=Column(Integer, nullable=False))
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_by: str = Field(sa_column=Column(ForeignKey("users.name"), nullable=False))
    created_at: str  # UTC, ISO 8601 with a Z


class Transfer(SQLModel, table=True):
    __tablename__ = "transfers"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        CheckConstraint("length(end_to_end_id) <= 35", name="transfer_end_to_end_id_length"),
        CheckConstraint("amount > 0", name="transfer_amount_positive"),
        CheckConstraint("status IN ('exported', 'settled', 'returned')", name="transfer_status_known"),
        Index("ix_transfers_batch", "batch_id"),
        Index("ix_transfers_office_status", "office", "status"),
    )

    end_to_end_id: str = Field(primary_key=True)
    batch_id: str = Field(sa_column=Column(ForeignKey("transfer_batches.batch_id"), nullable=False))
    payout_seq: int = Field(sa_column=Column(BigInteger, ForeignKey("journal.seq"), unique=True, nullable=False))
    case_id: str
    claim_id: str
    child_id: str
    office: str
    level: str
    academic_year: str
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    bank: str
    account_number: str
    account_holder: str
    status: str = Field(default="exported",
                        sa_column=Column(String, nullable=False, server_default="exported"))
    bank_reference: str | None = None
    settled_on: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    returned_on: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    return_code: str | None = None
    return_reason: str | None = None
    reversal_seq: int | None = Field(default=None,
                                     sa_column=Column(BigInteger, ForeignKey("journal.seq"), nullable=True))
    statement_id: str | None = None


transfer_batches = TransferBatch.__table__
transfers = Transfer.__table__
