"""Sign-in: a password for every user, and the sessions of the browser and the command line's personal tokens.

Revision ID: 0008_sign_in
Revises: 0007_claim_reversal
Create Date: 2026-12-03

Until now who acted was whatever name followed `--as`. `beasiswa.auth` makes identity something a user proves:
- `users` gains the password's argon2id hash (NULL until an admin sets a one-time password), whether that
  password must be changed at the next sign-in, the failed sign-ins in a row, the end of a lockout and when the
  password last changed;
- `sessions` holds who is signed in: `kind` web (a browser) or token (a personal token of the command line),
  the SHA-256 of its secret only (the secret itself is never stored: reading the database gives no session),
  its user, when it began, was last used and ends at the latest, and, once ended early, when, by whom and why.
  A session is never deleted, and an ended one never changes again (SESSION_KEPT): what the admin revoked stays
  revoked, whatever writes.
Messages begin with the rule's code, as the other tables' do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_sign_in"
down_revision = "0007_claim_reversal"
branch_labels = None
depends_on = None


def _user_columns() -> list[sa.Column]:
    return [
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.String(), nullable=True),
        sa.Column("password_changed_at", sa.String(), nullable=True),
    ]


def _sessions() -> None:
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "sessions",
        sa.Column("id", seq, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("secret_hash", sa.String(), nullable=False, unique=True),
        sa.Column("user_name", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("last_seen_at", sa.String(), nullable=False),
        sa.Column("expires_at", sa.String(), nullable=False),
        sa.Column("revoked_at", sa.String(), nullable=True),
        sa.Column("revoked_by", sa.String(), sa.ForeignKey("users.name"), nullable=True),
        sa.Column("revoked_reason", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('web', 'token')", name="session_kind_known"),
        sa.CheckConstraint("length(secret_hash) = 64", name="session_secret_hashed"),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_reason IS NULL)", name="session_revoked_why"),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_name"])


# What an ended session or any session may not become: (condition on OLD/NEW, message).
_KEPT = [
    ("OLD.revoked_at IS NOT NULL",
     "SESSION_KEPT: an ended session never changes again"),
    ("NEW.id IS DISTINCT FROM OLD.id OR NEW.kind IS DISTINCT FROM OLD.kind "
     "OR NEW.secret_hash IS DISTINCT FROM OLD.secret_hash OR NEW.user_name IS DISTINCT FROM OLD.user_name "
     "OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.expires_at IS DISTINCT FROM OLD.expires_at",
     "SESSION_KEPT: a session's kind, secret, user, start and end are never changed"),
]


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _sqlite_statements() -> list[str]:
    checks = "\n".join(f"SELECT RAISE(ABORT, '{_quoted(m)}') WHERE {c.replace('IS DISTINCT FROM', 'IS NOT')};"
                       for c, m in _KEPT)
    return [
        f"""CREATE TRIGGER sessions_check_update BEFORE UPDATE ON sessions BEGIN
             {checks}
           END""",
        """CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions BEGIN
             SELECT RAISE(ABORT, 'SESSION_KEPT: sessions are never deleted; revoke them');
           END""",
    ]


def _postgres_statements() -> list[str]:
    checks = "\n".join(f"IF {c} THEN RAISE EXCEPTION '%', '{_quoted(m)}' USING ERRCODE = 'check_violation'; "
                       f"END IF;" for c, m in _KEPT)
    return [
        f"""CREATE FUNCTION sessions_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
               RAISE EXCEPTION 'SESSION_KEPT: sessions are never deleted; revoke them'
                 USING ERRCODE = 'check_violation';
             END IF;
             {checks}
             RETURN NEW;
           END $$""",
        "CREATE TRIGGER sessions_check BEFORE UPDATE OR DELETE ON sessions FOR EACH ROW "
        "EXECUTE FUNCTION sessions_check()",
        "CREATE TRIGGER sessions_no_truncate BEFORE TRUNCATE ON sessions FOR EACH STATEMENT "
        "EXECUTE FUNCTION sessions_check()",
    ]


def upgrade() -> None:
    for column in _user_columns():
        op.add_column("users", column)
    _sessions()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _postgres_statements()
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no session triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sessions_check() CASCADE")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")  # SQLite drops the table's triggers with it
    for column in reversed(_user_columns()):
        # Plain ALTER TABLE on SQLite too (3.35+): a batch copy of `users` would lose its USER_KEPT triggers.
        op.execute(f"ALTER TABLE users DROP COLUMN {column.name}")
