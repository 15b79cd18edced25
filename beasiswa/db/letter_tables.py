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
- `letter_chain` (migration 0006_letter_register_chain): the register's hash chain, one row per event of a
  letter, `numbered` (inserted with its `letters` row) and `rendered` (with its `letter_files` row). `seq` is
  gap-free from 1, assigned under the writer's lock; `canonical` holds the exact bytes hashed
  (`beasiswa.letters.chain`: the letter's number, claim, kind, date, decision revision, data digest, file
  name, the PDF's SHA-256 once rendered, the user who did it), `hash` is their SHA-256 and `prev_hash` that of
  `seq - 1`. Never updated or deleted: changing a letter's row, or rewriting its hash, is found by
  `letters verify` and `beasiswa.letters.verify.register_findings`.
"""

import datetime as dt

from sqlalchemy import (
    BigInteger,
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

import beasiswa.db.user_tables  # noqa: F401 - declares `users`, which letter_chain's actor names

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


LETTER_EVENTS = ("numbered", "rendered")


class LetterChainRow(SQLModel, table=True):
    __tablename__ = "letter_chain"
    __table_args__ = (
        UniqueConstraint("number", "event", name="letter_chain_event_once"),
        CheckConstraint("seq >= 1", name="letter_chain_seq_positive"),
        CheckConstraint("event IN ('numbered', 'rendered')", name="letter_chain_event_known"),
        CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="letter_chain_hash_length"),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event: str
    number: str = Field(sa_column=Column(ForeignKey("letters.number"), nullable=False))
    actor: str | None = Field(default=None, sa_column=Column(ForeignKey("users.name"), nullable=True))
    canonical: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    prev_hash: str
    hash: str


letter_sequences = LetterSequence.__table__
letters = RegisteredLetter.__table__
letter_files = LetterFile.__table__
letter_chain = LetterChainRow.__table__
