"""A paid claim whose payout is reversed goes back to `decided`: the claims' triggers allow that move, and only it.

Revision ID: 0007_claim_reversal
Revises: 0004_journal_totals_by_kind
Create Date: 2026-12-03

0003 kept a paid claim paid for ever ("corrections are reversals"), so `beasiswa ledger reverse` of a payout
made through the workflow left the claim `paid` next to a journal that no longer paid it. The claims' checks
are 0003's, with the PAID rule split in three (the messages begin with PAID, as before):
- a paid claim stays paid, on its payout and decision, while that payout is not reversed;
- once it is reversed, the claim leaves `paid` for `decided` only, on the same decision, naming no payout;
- a claim is never `paid` on a reversed payout.
The reversal's journal entry is written first, then the claim's move, in one transaction (the workflow's
`reverse`). The triggers keep their names (claims_workflow_check[_insert|_update]; on PostgreSQL the function
claims_workflow_check is replaced), so nothing else that names them changes.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0007_claim_reversal"
down_revision = "0006_letter_register_chain"
branch_labels = None
depends_on = None


def _workflow_migration():
    """0003's module, whose claim checks these are (a migration's file name is not an importable name)."""
    path = Path(__file__).with_name("0003_workflow.py")
    spec = importlib.util.spec_from_file_location("beasiswa_migration_0003_workflow", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_REVERSED = "EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = {}.paid_seq)"


def _claim_checks(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    row, change = _workflow_migration()._claim_checks(text)
    row = row + [(f"NEW.state = 'paid' AND {_REVERSED.format('NEW')}",
                  "PAID: a claim is never paid on a payout that was reversed")]
    change = [c for c in change if not c[1].startswith("PAID:")] + [
        (f"OLD.state = 'paid' AND NOT {_REVERSED.format('OLD')} AND (NEW.state <> 'paid' "
         f"OR NEW.paid_seq IS DISTINCT FROM OLD.paid_seq OR NEW.decision_revision <> OLD.decision_revision)",
         "PAID: a paid claim stays paid on the decision it was paid on until its payout is reversed; "
         "corrections are reversals"),
        ("OLD.state = 'paid' AND NEW.state <> 'paid' AND (NEW.state <> 'decided' OR NEW.paid_seq IS NOT NULL "
         "OR NEW.decision_revision <> OLD.decision_revision)",
         "PAID: a claim whose payout is reversed goes back to decided, on the same decision, naming no payout"),
    ]
    return row, change


def _sqlite(row, change) -> list[str]:
    def raises(checks):
        return "\n".join(f"SELECT RAISE(ABORT, '{m.replace(chr(39), chr(39) * 2)}') WHERE "
                         f"{c.replace('IS DISTINCT FROM', 'IS NOT')};" for c, m in checks)

    return [
        "DROP TRIGGER claims_workflow_check_insert",
        "DROP TRIGGER claims_workflow_check_update",
        f"""CREATE TRIGGER claims_workflow_check_insert BEFORE INSERT ON claims BEGIN
             {raises(row)}
           END""",
        f"""CREATE TRIGGER claims_workflow_check_update BEFORE UPDATE ON claims BEGIN
             {raises(row + change)}
           END""",
    ]


def _postgres(row, change) -> list[str]:
    def raises(checks):
        return "\n".join(f"IF {c} THEN RAISE EXCEPTION '%', '{m.replace(chr(39), chr(39) * 2)}' "
                         f"USING ERRCODE = 'check_violation'; END IF;" for c, m in checks)

    return [f"""CREATE OR REPLACE FUNCTION claims_workflow_check() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             {raises(row)}
             IF TG_OP = 'UPDATE' THEN
               {raises(change)}
             END IF;
             RETURN NEW;
           END $$"""]


def _statements(checks) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite(*checks("{}"))
    if dialect == "postgresql":
        return _postgres(*checks("{}::text"))
    raise RuntimeError(f"no workflow triggers for {dialect}")  # pragma: no cover - make_engine accepts no other


def upgrade() -> None:
    for statement in _statements(_claim_checks):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(_workflow_migration()._claim_checks):
        op.execute(statement)
