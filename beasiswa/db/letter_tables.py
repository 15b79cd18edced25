"""The letter register's tables, as SQLModel classes (created by migration 0002_letters; a test compares them).

- `letter_sequences`: per issuing office per year, `last` is the last sequence issued (0 before the first);
  the database lets it move only by +1 and never deletes it, so a number is never reused.
- `letters`: the register, never updated or deleted. A row is inserted in the transaction that takes its
  sequence from `letter_sequences`; it holds the number and its parts, the claim, the kind, the date the
  letter bears, the canonical data attached to the PDF (`data`) and its SHA-256 (`data_digest`), and the
  file name. At most one letter per claim and `decision_revision`: a claim's first decision is revision 1;
  the workflow that re-decides a claim gives the new decision the next revision, which may get a new letter.
- `letter_files`: the SHA-256 of each letter's PDF and when it was rendered, inserted once the file is
  written (outside the numbering transaction: the PDF is deterministic, so a letter numbered before a crash
  is rendered with the same bytes after it). Never updated or deleted.
"""

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

LETTER_KINDS = ("award", "rejection", "return")


class LetterSequence(SQLModel, table=True):
    __tablename__ = "letter_sequences"
    __table_args__ = (CheckConstraint("last >= 0", name="letter_sequence_not_negative"),)

    office: str = Field(primary_key=True)
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last: int = Field(sa_column=Column(Integer, nullable=False))


class RegisteredLetter(SQLModel, table=True):
    __tablename__ = "letters"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        ForeignKeyConstraint(["office", "year"], ["letter_sequences.office", "letter_sequences.year"]),
        UniqueConstraint("office", "year", "sequence", name="letter_sequence_once"),
        UniqueConstraint("case_id", "claim_id", "decision_revision", name="letter_once_per_decision"),
        UniqueConstraint("file_name", name="letter_file_name_once"),
        CheckConstraint("sequence >= 1", name="letter_sequence_positive"),
        CheckConstraint("decision_revision >= 1", name="letter_revision_positive"),
        CheckConstraint("kind IN ('award', 'rejection', 'return')", name="letter_kind_known"),
        CheckConstraint("length(data_digest) = 64", name="letter_digest_length"),
        Index("ix_letters_claim", "case_id", "claim_id"),
    )

    number: str = Field(primary_key=True)
    office: str
    year: int
    sequence: int
    case_id: str
    claim_id: str
    decision_revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default=text("1")))
    kind: str
    letter_date: dt.date
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    data_digest: str
    file_name: str
    numbered_at: str  # UTC, ISO 8601 with a Z


class LetterFile(SQLModel, table=True):
    __tablename__ = "letter_files"
    __table_args__ = (CheckConstraint("length(pdf_sha256) = 64", name="letter_pdf_digest_length"),)

    number: str = Field(sa_column=Column(ForeignKey("letters.number"), primary_key=True))
    pdf_sha256: str
    rendered_at: str  # UTC, ISO 8601 with a Z


letter_sequences = LetterSequence.__table__
letters = RegisteredLetter.__table__
letter_files = LetterFile.__table__
