"""The ledger's tables, as SQLModel classes: the registered cases with their decisions, the journal, and the
running totals the database keeps from the journal.

Layout (the migrations in `beasiswa/migrations/versions/` create exactly this; a test compares the two):

- `cases`, `children`, `claims`: a case as registered from its file; each claim with the decision taken on it
  (outcome, amount, reasons, warnings and trace as JSON). Natural keys: `case_id`, (`case_id`, `child_id`),
  (`case_id`, `claim_id`).
- `journal`: one row per payout or reversal, never updated or deleted. `seq` is gap-free from 1; `amount` is
  signed (a payout positive, its reversal the exact negative), so `SUM(amount)` is what was paid net.
  `source` tells a payout posted from a decided claim (`ledger`) from one imported from a case file's
  `history[]` (`history`, with no claim). `canonical` holds the exact bytes that were hashed
  (`beasiswa.ledger.canonical`), `hash` is their SHA-256 and `prev_hash` that of `seq - 1`.
- `family_totals`: one row per case, created at registration: `paid` (net, from the journal) within
  0..`cap` (the scheme's family cap, copied from the law data with `scheme_id`).
- `level_usage`: one row per child and level group, created at registration: `years_used` (paid academic
  years not reversed) within the scheme's `allowance` (NULL where the scheme counts no years: PP 44/2015).
- `paid_years`: one row per child and academic year holding an unreversed payout (`payout_seq`).

The three running-total tables are written only by the journal's insert trigger; their own triggers refuse
any other change (see the migration). Money is BIGINT whole rupiah throughout.
"""

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from beasiswa.model import State

OUTCOMES = ("approved", "rejected", "returned", "pending")
KINDS = ("payout", "reversal")
SOURCES = ("ledger", "history")
GENESIS_HASH = "0" * 64


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # The queue's office and its search (migration 0010_queue_search; on PostgreSQL the name's index is a GIN of
    # trigrams where pg_trgm could be created).
    __table_args__ = (
        Index("ix_cases_office", "office", "case_id"),
        Index("ix_cases_participant_nik", "participant_nik"),
        Index("ix_cases_participant_kpj", "participant_kpj"),
        Index("ix_cases_participant_name", "participant_name"),
    )

    case_id: str = Field(primary_key=True)
    office: str
    scheme_id: str
    participant_kpj: str
    participant_nik: str
    participant_name: str
    segment: str
    event_kind: str
    event_date: dt.date
    # The case file as registered (the contract's JSON, as `beasiswa.casefile.dumps` writes it).
    case_file: str = Field(sa_column=Column(Text, nullable=False))
    registered_at: str
    registered_by: str


class Child(SQLModel, table=True):
    __tablename__ = "children"
    __table_args__ = (
        Index("ix_children_nik", "nik"),
        Index("ix_children_name", "name"),
    )

    case_id: str = Field(foreign_key="cases.case_id", primary_key=True)
    child_id: str = Field(primary_key=True)
    nik: str
    name: str
    birth_date: dt.date
    relation: str
    married_on: dt.date | None = None
    employed_on: dt.date | None = None
    designated: bool | None = None


class Claim(SQLModel, table=True):
    __tablename__ = "claims"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        CheckConstraint(_in("outcome", OUTCOMES), name="claim_outcome_known"),
        CheckConstraint("(outcome = 'approved' AND amount > 0) OR (outcome <> 'approved' AND amount = 0)",
                        name="claim_amount_follows_outcome"),
        Index("ix_claims_state", "state"),
        Index("ix_claims_state_case", "state", "case_id"),
        Index("ix_claims_queue_order", "state_at", "case_id", "claim_id"),
        Index("ix_claims_office_state", "office", "state", "state_at", "level", "outcome", "case_id", "child_id"),
        Index("ix_claims_office_queue", "office", "state_at", "case_id", "claim_id"),
    )

    case_id: str = Field(foreign_key="cases.case_id", primary_key=True)
    claim_id: str = Field(primary_key=True)
    child_id: str
    # The case's office (migration 0011_claims_office), written with the claim (`beasiswa.db.rows.claim_row`):
    # an office's queue and counts read the claims' indexes alone.
    office: str = Field(sa_column=Column(String, nullable=False, server_default=""))
    academic_year: str
    level: str
    level_group: str | None = None  # None: a level the scheme does not cover (S2, S3)
    institution: str
    submitted_on: dt.date
    documents: list[str] = Field(sa_column=Column(JSON, nullable=False))
    payee: str | None = None
    account_bank: str | None = None
    account_number: str | None = None
    account_holder: str | None = None
    outcome: str
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    reasons: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    warnings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    trace: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # The workflow's (migration 0003_workflow, beasiswa.workflow.states): where the claim is in its life, the
    # revision of its decision (+1 at every re-decision; letters are keyed by it), who moved it and when.
    # `outcome`..`trace` above are the decision in force; `automatic_outcome` is what the rules said.
    state: str = Field(default=State.DECIDED.value,
                       sa_column=Column(String, nullable=False, server_default=State.DECIDED.value))
    decision_revision: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    automatic_outcome: str | None = None
    state_at: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    verified_by: str | None = None
    verified_at: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    override_outcome: str | None = None
    override_reason: str | None = None
    overridden_by: str | None = None
    overridden_at: str | None = None
    appealed_revision: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    appeal_reason: str | None = None
    appealed_by: str | None = None
    appealed_at: str | None = None
    paid_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class JournalEntry(SQLModel, table=True):
    __tablename__ = "journal"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        ForeignKeyConstraint(["case_id", "claim_id"], ["claims.case_id", "claims.claim_id"]),
        CheckConstraint("seq >= 1", name="journal_seq_positive"),
        CheckConstraint(_in("kind", KINDS), name="journal_kind_known"),
        CheckConstraint(_in("source", SOURCES), name="journal_source_known"),
        CheckConstraint("(kind = 'payout' AND amount > 0 AND reverses_seq IS NULL) OR "
                        "(kind = 'reversal' AND amount < 0 AND reverses_seq IS NOT NULL)",
                        name="journal_amount_positive"),
        CheckConstraint("kind = 'payout' OR (source = 'ledger' AND reason <> '')",
                        name="journal_reversal_has_reason"),
        CheckConstraint("source = 'history' OR kind = 'reversal' OR claim_id IS NOT NULL",
                        name="journal_payout_names_claim"),
        CheckConstraint("maker <> approver", name="maker_is_approver"),
        CheckConstraint("maker <> '' AND approver <> ''", name="journal_actors_named"),
        CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="journal_hash_length"),
        Index("ix_journal_case", "case_id", "child_id", "academic_year"),
        Index("ix_journal_office_year", "office", "academic_year"),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    idempotency_key: str = Field(sa_column=Column(String, nullable=False, unique=True))
    case_id: str = Field(foreign_key="cases.case_id")
    child_id: str
    claim_id: str | None = None
    level: str
    level_group: str
    academic_year: str
    office: str
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str
    source: str
    reverses_seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("journal.seq"), unique=True, nullable=True))
    maker: str
    approver: str
    reason: str = ""
    posted_at: str  # UTC, ISO 8601 with microseconds and a Z: text, so it hashes alike on every database
    prev_hash: str
    hash: str = Field(sa_column=Column(String, nullable=False, unique=True))
    canonical: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class FamilyTotal(SQLModel, table=True):
    __tablename__ = "family_totals"
    __table_args__ = (
        CheckConstraint("paid <= cap", name="family_cap_reached"),
        CheckConstraint("paid >= 0", name="family_paid_not_negative"),
    )

    case_id: str = Field(foreign_key="cases.case_id", primary_key=True)
    scheme_id: str
    cap: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid: int = Field(sa_column=Column(BigInteger, nullable=False))


class LevelUsage(SQLModel, table=True):
    __tablename__ = "level_usage"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        CheckConstraint("allowance IS NULL OR years_used <= allowance", name="level_years_exhausted"),
        CheckConstraint("years_used >= 0", name="level_years_not_negative"),
    )

    case_id: str = Field(primary_key=True)
    child_id: str = Field(primary_key=True)
    level_group: str = Field(primary_key=True)
    scheme_id: str
    allowance: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    years_used: int = Field(sa_column=Column(Integer, nullable=False))


class PaidYear(SQLModel, table=True):
    __tablename__ = "paid_years"
    __table_args__ = (
        ForeignKeyConstraint(["case_id", "child_id"], ["children.case_id", "children.child_id"]),
        UniqueConstraint("payout_seq", name="paid_years_payout_once"),
    )

    case_id: str = Field(primary_key=True)
    child_id: str = Field(primary_key=True)
    academic_year: str = Field(primary_key=True)
    level_group: str
    level: str
    payout_seq: int = Field(sa_column=Column(BigInteger, ForeignKey("journal.seq"), nullable=False))


cases = Case.__table__
children = Child.__table__
claims = Claim.__table__
journal = JournalEntry.__table__
family_totals = FamilyTotal.__table__
level_usage = LevelUsage.__table__
paid_years = PaidYear.__table__
