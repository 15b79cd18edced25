"""The claims officer's workflow: users, the append-only audit trail, and each claim's state and decision
revision.

Revision ID: 0003_workflow
Revises: 0002_letters
Create Date: 2025-07-23

- `users` (name, role, office, active): never deleted, a name never changed (the audit trail and the journal
  name users); deactivating is the only way out.
- `audit_trail`: one row per change, never updated, deleted or truncated (AUDIT_APPEND_ONLY).
- `claims` gains the workflow's columns (see `beasiswa.db.tables.Claim`); the triggers hold, whatever writes:
  - `state` is one of the state machine's (CLAIM_STATE);
  - `decision_revision` starts at 1 and moves only by +1, and a changed decision (outcome, amount, reasons,
    trace) always takes the next revision, so a letter keyed by the revision never tells an old decision
    (DECISION_REVISION);
  - verified, approved and paid claims name who verified and who approved, and the approver is neither the
    verifier nor the officer who overrode the outcome (FOUR_EYES);
  - an override has a written reason and its officer (OVERRIDE_REASON);
  - a claim is appealed at most once (APPEAL_ONCE);
  - a paid claim names its payout in the journal, and stays paid with the decision it was paid on (PAID).
Messages begin with the rule's code, as the ledger's and the letter register's do.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_workflow"
down_revision = "0002_letters"
branch_labels = None
depends_on = None

STATES = ("submitted", "decided", "verified", "approved", "paid", "returned", "rejected", "pending", "appealed")
_STATES = ", ".join(f"'{s}'" for s in STATES)

def _claim_columns() -> list[sa.Column]:
    return [
        sa.Column("state", sa.String(), nullable=False, server_default="decided"),
        sa.Column("decision_revision", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("automatic_outcome", sa.String(), nullable=True),
        sa.Column("state_at", sa.String(), nullable=True),
        sa.Column("decided_at", sa.String(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("verified_by", sa.String(), nullable=True),
        sa.Column("verified_at", sa.String(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", sa.String(), nullable=True),
        sa.Column("override_outcome", sa.String(), nullable=True),
        sa.Column("override_reason", sa.String(), nullable=True),
        sa.Column("overridden_by", sa.String(), nullable=True),
        sa.Column("overridden_at", sa.String(), nullable=True),
        sa.Column("appealed_revision", sa.Integer(), nullable=True),
        sa.Column("appeal_reason", sa.String(), nullable=True),
        sa.Column("appealed_by", sa.String(), nullable=True),
        sa.Column("appealed_at", sa.String(), nullable=True),
        sa.Column("paid_seq", sa.BigInteger(), nullable=True),
    ]


def _tables() -> None:
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "users",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("office", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.CheckConstraint("role IN ('officer', 'supervisor', 'auditor', 'admin')", name="user_role_known"),
        sa.CheckConstraint("name <> '' AND office <> ''", name="user_named"),
    )
    op.create_table(
        "audit_trail",
        sa.Column("seq", seq, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=True),
        sa.Column("claim_id", sa.String(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
    )
    op.create_index("ix_audit_trail_claim", "audit_trail", ["case_id", "claim_id"])
    op.create_index("ix_audit_trail_actor", "audit_trail", ["actor"])
    for column in _claim_columns():
        op.add_column("claims", column)
    op.create_index("ix_claims_state", "claims", ["state"])


# The claim checks, one (condition, message) per rule; NEW and OLD as both dialects name them. `{text}` casts
# a JSON column to comparable text (PostgreSQL's json has no equality; SQLite stores text already).
def _claim_checks(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    decision_changed = ("NEW.outcome IS DISTINCT FROM OLD.outcome OR NEW.amount IS DISTINCT FROM OLD.amount "
                        f"OR {text.format('NEW.reasons')} IS DISTINCT FROM {text.format('OLD.reasons')} "
                        f"OR {text.format('NEW.trace')} IS DISTINCT FROM {text.format('OLD.trace')}")
    row = [
        (f"NEW.state NOT IN ({_STATES})", "CLAIM_STATE: state must be one of " + _STATES.replace("'", "")),
        ("NEW.decision_revision < 1", "DECISION_REVISION: a claim's first decision is revision 1"),
        ("NEW.state IN ('verified', 'approved', 'paid') AND NEW.verified_by IS NULL",
         "FOUR_EYES: a verified, approved or paid claim names the officer who verified it"),
        ("NEW.state IN ('approved', 'paid') AND NEW.approved_by IS NULL",
         "FOUR_EYES: an approved or paid claim names the supervisor who approved it"),
        ("NEW.approved_by IS NOT NULL AND (NEW.approved_by = NEW.verified_by OR NEW.approved_by = NEW.overridden_by)",
         "FOUR_EYES: the supervisor who approves is neither the officer who verified nor the one who overrode"),
        ("NEW.override_outcome IS NOT NULL AND (NEW.override_reason IS NULL OR TRIM(NEW.override_reason) = '' "
         "OR NEW.overridden_by IS NULL)",
         "OVERRIDE_REASON: an override of the automatic outcome has a written reason and its officer"),
        ("NEW.state = 'paid' AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.seq = NEW.paid_seq "
         "AND j.kind = 'payout' AND j.case_id = NEW.case_id AND j.claim_id = NEW.claim_id)",
         "PAID: a paid claim names its payout in the journal"),
    ]
    change = [
        ("NEW.decision_revision <> OLD.decision_revision AND NEW.decision_revision <> OLD.decision_revision + 1",
         "DECISION_REVISION: the decision revision moves only by +1"),
        (f"NEW.decision_revision = OLD.decision_revision AND ({decision_changed})",
         "DECISION_REVISION: a changed decision takes the next revision"),
        ("OLD.appealed_revision IS NOT NULL AND NEW.appealed_revision IS DISTINCT FROM OLD.appealed_revision",
         "APPEAL_ONCE: a claim is appealed at most once"),
        (f"OLD.state = 'paid' AND (NEW.state <> 'paid' OR NEW.paid_seq IS DISTINCT FROM OLD.paid_seq "
         f"OR NEW.decision_revision <> OLD.decision_revision)",
         "PAID: a paid claim stays paid on the decision it was paid on; corrections are reversals"),
    ]
    return row, change


def _sqlite_statements() -> list[str]:
    row, change = _claim_checks("{}")

    def raises(checks):
        # SQLite has IS NOT for IS DISTINCT FROM.
        return "\n".join(f"SELECT RAISE(ABORT, '{m.replace(chr(39), chr(39) * 2)}') WHERE "
                         f"{c.replace('IS DISTINCT FROM', 'IS NOT')};" for c, m in checks)

    return [
        """CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail BEGIN
             SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: the audit trail is never updated');
           END""",
        """CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail BEGIN
             SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY: the audit trail is never deleted');
           END""",
        """CREATE TRIGGER users_no_delete BEFORE DELETE ON users BEGIN
             SELECT RAISE(ABORT, 'USER_KEPT: users are never deleted; deactivate them');
           END""",
        """CREATE TRIGGER users_check_update BEFORE UPDATE ON users BEGIN
             SELECT RAISE(ABORT, 'USER_KEPT: a user''s name is never changed')
              WHERE NEW.name IS NOT OLD.name;
           END""",
        f"""CREATE TRIGGER claims_workflow_check_insert BEFORE INSERT ON claims BEGIN
             {raises(row)}
           END""",
        f"""CREATE TRIGGER claims_workflow_check_update BEFORE UPDATE ON claims BEGIN
             {raises(row + change)}
           END""",
    ]


def _postgres_statements() -> list[str]:
    row, change = _claim_checks("{}::text")

    def raises(checks):
        return "\n".join(f"IF {c} THEN RAISE EXCEPTION '%', '{m.replace(chr(39), chr(39) * 2)}' "
                         f"USING ERRCODE = 'check_violation'; END IF;" for c, m in checks)

    return [
        """CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION 'AUDIT_APPEND_ONLY: the audit trail is never updated, deleted or truncated (% refused)',
               TG_OP USING ERRCODE = 'check_violation';
           END $$""",
        """CREATE FUNCTION users_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
               RAISE EXCEPTION 'USER_KEPT: users are never deleted; deactivate them' USING ERRCODE = 'check_violation';
             END IF;
             IF NEW.name IS DISTINCT FROM OLD.name THEN
               RAISE EXCEPTION 'USER_KEPT: a user''s name is never changed (% to %)', OLD.name, NEW.name
                 USING ERRCODE = 'check_violation';
             END IF;
             RETURN NEW;
           END $$""",
        f"""CREATE FUNCTION claims_workflow_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             {raises(row)}
             IF TG_OP = 'UPDATE' THEN
               {raises(change)}
             END IF;
             RETURN NEW;
           END $$""",
        "CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail "
        "FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()",
        "CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only()",
        "CREATE TRIGGER users_check BEFORE UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_check()",
        "CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION users_check()",
        "CREATE TRIGGER claims_workflow_check BEFORE INSERT OR UPDATE ON claims "
        "FOR EACH ROW EXECUTE FUNCTION claims_workflow_check()",
    ]


def upgrade() -> None:
    _tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _postgres_statements()
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no workflow triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("audit_trail_append_only", "users_check", "claims_workflow_check"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
    else:
        for name in ("claims_workflow_check_insert", "claims_workflow_check_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_claims_state", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        for column in reversed(_claim_columns()):
            batch.drop_column(column.name)
    op.drop_index("ix_audit_trail_actor", table_name="audit_trail")
    op.drop_index("ix_audit_trail_claim", table_name="audit_trail")
    op.drop_table("audit_trail")
    op.drop_table("users")
