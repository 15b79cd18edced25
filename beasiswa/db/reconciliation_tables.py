"""The banks' statements as imported, and what in them matched no transfer as it should (created by migration
0013_reconciliation; a test compares them).

- `bank_statements`: one row per file a supervisor reconciled: `statement_id` "RKN/<office>/<YYYYMMDD>/<NNN>",
  numbered per office per day of the import (on its clock) from 001, the file's SHA-256 (UNIQUE: the same file imported
  again is found, and changes nothing), its name, format ("camt.053.001.08", "camt.054.001.08",
  "csv:<layout>") and the bank's own id for it (`reference`), who imported it and when, and its counts: lines
  read, transfers settled, transfers returned, exceptions, and entries that were no transfer (`other`: fees,
  top-ups). Never changed.
- `reconciliation_exceptions`: one row per line of a statement that changed nothing (`kind`: UNMATCHED,
  AMOUNT_DIFFERS, ACCOUNT_DIFFERS, DUPLICATE), keyed by the statement and its line: where in the file, the
  end-to-end id, the amount the bank named, and why, in the supervisor's words. An exception stays open until
  a supervisor of its office clears it with a note (`resolved_by`, `resolved_at`, `resolution`: set once).
"""

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

import beasiswa.db.payment_tables  # noqa: F401 - declares `transfers`, which the statements answer
import beasiswa.db.user_tables  # noqa: F401 - declares `users`, who import and resolve

EXCEPTION_KINDS = ("UNMATCHED", "AMOUNT_DIFFERS", "ACCOUNT_DIFFERS", "DUPLICATE")
# The columns of an exception a supervisor's clearing writes (the application role's UPDATE grant).
RESOLUTION_COLUMNS = ("resolved_by", "resolved_at", "resolution")


class BankStatement(SQLModel, table=True):
    __tablename__ = "bank_statements"
    __table_args__ = (
        UniqueConstraint("office", "day", "number", name="bank_statement_number_once"),
        UniqueConstraint("sha256", name="bank_statement_file_once"),
        CheckConstraint("number >= 1", name="bank_statement_number_positive"),
        CheckConstraint("length(sha256) = 64", name="bank_statement_digest_length"),
        CheckConstraint("lines >= 0 AND settled >= 0 AND returned >= 0 AND exceptions >= 0 AND other >= 0 "
                        "AND settled + returned + exceptions = lines", name="bank_statement_counts"),
    )

    statement_id: str = Field(primary_key=True)
    office: str
    day: dt.date = Field(sa_column=Column(Date, nullable=False))  # the import's day on the office's clock
    number: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str
    file_name: str
    file_format: str
    reference: str
    imported_by: str = Field(sa_column=Column(ForeignKey("users.name"), nullable=False))
    imported_at: str  # UTC, ISO 8601 with a Z
    lines: int = Field(sa_column=Column(Integer, nullable=False))
    settled: int = Field(sa_column=Column(Integer, nullable=False))
    returned: int = Field(sa_column=Column(Integer, nullable=False))
    exceptions: int = Field(sa_column=Column(Integer, nullable=False))
    other: int = Field(sa_column=Column(Integer, nullable=False))


class ReconciliationException(SQLModel, table=True):
    __tablename__ = "reconciliation_exceptions"
    __table_args__ = (
        CheckConstraint("kind IN ('UNMATCHED', 'AMOUNT_DIFFERS', 'ACCOUNT_DIFFERS', 'DUPLICATE')",
                        name="reconciliation_exception_kind_known"),
        CheckConstraint("(resolved_by IS NULL AND resolved_at IS NULL AND resolution IS NULL) OR "
                        "(resolved_by IS NOT NULL AND resolved_at IS NOT NULL AND resolution <> '')",
                        name="reconciliation_exception_resolved_whole"),
        Index("ix_reconciliation_exceptions_office", "office", "resolved_at"),
    )

    statement_id: str = Field(sa_column=Column(String, ForeignKey("bank_statements.statement_id"),
                                               primary_key=True))
    line_no: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    office: str
    place: str  # where in the file: an element's path, or "baris N"
    kind: str
    end_to_end_id: str
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    detail: str
    resolved_by: str | None = Field(default=None, sa_column=Column(ForeignKey("users.name"), nullable=True))
    resolved_at: str | None = None
    resolution: str | None = None


bank_statements = BankStatement.__table__
reconciliation_exceptions = ReconciliationException.__table__
