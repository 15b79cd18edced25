"""The people's tables, as SQLModel classes (created by migration 0003_workflow; a test compares them): who
may act, who is signed in, and what everyone did. Here, beside the other tables, because every service that
changes something (the workflow, the letter register, sign-in) writes them through `beasiswa.access`:

- `users`: who may act, with a role and an office. Never deleted (the audit trail and the journal name
  them): a user who leaves is deactivated.
  Since migration 0008_sign_in a user also has a password (`beasiswa.auth`): its argon2id hash (NULL: none set,
  so no sign-in), whether it is a one-time password an admin set (`must_change_password`), the failed sign-ins
  in a row and the moment a lockout ends.
- `sessions`: who is signed in (`beasiswa.auth.sessions`): a browser's session (`web`) or a personal token of
  the command line (`token`), held by its user; only the SHA-256 of its secret is stored. Never deleted: a
  session ends by being revoked (`revoked_at`, `revoked_by`, `revoked_reason`) or by its time running out.
- `audit_trail`: one row per change anyone made through the workflow, written in the same transaction as the
  change: when (`at`, UTC), who (`actor`, a user), what (`action`, and the subject: a case, a claim or a
  user), the state before and after (JSON), and a note (an override's or an appeal's written reason, the
  file a case came from). An attempt that was refused is a row too (`result` 'refused', with the refusal's
  code and message), written even when the attempt's own transaction rolled back: `asked_as` is the name
  as it was given, `actor` the user only when that name is one (a done row always has its user). Never
  updated or deleted: the database's triggers refuse it on SQLite and PostgreSQL alike. Each row is chained
  like the journal (migration 0005_audit_chain): `seq` gap-free from 1, assigned under the writer's lock,
  `canonical` the exact bytes hashed (`beasiswa.access.canonical`), `hash` their SHA-256, `prev_hash` the
  hash of `seq - 1`.

The workflow's columns of `claims` (state, decision revision, who verified and approved, overrides, the
appeal) are declared with the ledger's tables in `beasiswa.db.tables`, where the rest of that table is.
"""

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
)
from sqlmodel import Field, SQLModel

ROLES = ("officer", "supervisor", "auditor", "admin")
RESULTS = ("done", "refused")

# SQLite makes only an INTEGER PRIMARY KEY an autoincrementing rowid; PostgreSQL gets a BIGINT identity.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('officer', 'supervisor', 'auditor', 'admin')", name="user_role_known"),
        CheckConstraint("name <> '' AND office <> ''", name="user_named"),
    )

    name: str = Field(primary_key=True)
    role: str
    office: str
    active: bool = Field(sa_column=Column(Boolean, nullable=False))
    created_at: str  # UTC, ISO 8601 with a Z
    created_by: str
    password_hash: str | None = None  # argon2id, PHC string; NULL: no password yet
    must_change_password: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    failed_sign_ins: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    locked_until: str | None = None
    password_changed_at: str | None = None


SESSION_KINDS = ("web", "token")


class Session(SQLModel, table=True):
    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user", "user_name"),
        CheckConstraint("kind IN ('web', 'token')", name="session_kind_known"),
        CheckConstraint("length(secret_hash) = 64", name="session_secret_hashed"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_reason IS NULL)", name="session_revoked_why"),
    )

    id: int | None = Field(default=None, sa_column=Column(_SEQ, primary_key=True, autoincrement=True))
    kind: str  # web | token
    secret_hash: str = Field(sa_column=Column(String, nullable=False, unique=True))  # SHA-256 hex of the secret
    user_name: str = Field(sa_column=Column(ForeignKey("users.name"), nullable=False))
    label: str | None = None  # a token's note ("laptop ani", "cron process")
    created_at: str
    last_seen_at: str
    expires_at: str  # the absolute end, whatever the activity
    revoked_at: str | None = None
    revoked_by: str | None = Field(default=None, sa_column=Column(ForeignKey("users.name"), nullable=True))
    revoked_reason: str | None = None  # sign_out, revoked, disabled, password_changed, password_reset, replaced


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_trail"
    __table_args__ = (
        Index("ix_audit_trail_claim", "case_id", "claim_id"),
        Index("ix_audit_trail_actor", "actor"),
        CheckConstraint(f"result IN ({', '.join(repr(r) for r in RESULTS)})", name="audit_result_known"),
        CheckConstraint("result = 'refused' OR (actor IS NOT NULL AND actor = asked_as AND refusal_code IS NULL "
                        "AND refusal_message IS NULL)", name="audit_done_by_user"),
        CheckConstraint("result = 'done' OR (refusal_code IS NOT NULL AND refusal_code <> '' "
                        "AND refusal_message IS NOT NULL)", name="audit_refusal_named"),
        CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="audit_hash_length"),
    )

    # Assigned by the writer under the trail's lock (beasiswa.access.chain), never by the database.
    seq: int = Field(sa_column=Column(_SEQ, primary_key=True, autoincrement=False))
    at: str  # UTC, ISO 8601 with microseconds and a Z
    actor: str | None = Field(default=None, sa_column=Column(ForeignKey("users.name"), nullable=True))
    asked_as: str  # the name the change was asked as ('' when none was given)
    action: str
    subject: str  # "claim KC-PLG-2025-000123/klaim-1", "case KC-PLG-2025-000123", "user ani"
    case_id: str | None = None
    claim_id: str | None = None
    before: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    note: str | None = None
    result: str  # done | refused
    refusal_code: str | None = None
    refusal_message: str | None = None
    prev_hash: str
    hash: str
    canonical: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


users = User.__table__
audit_trail = AuditEntry.__table__
sessions = Session.__table__
