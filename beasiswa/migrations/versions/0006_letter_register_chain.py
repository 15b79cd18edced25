"""The letter register chained: every letter numbered and every PDF recorded is a hashed row of `letter_chain`.

Revision ID: 0006_letter_register_chain
Revises: 0004_journal_totals_by_kind
Create Date: 2026-12-03

Until now a letter's kind, date or stored data could be changed, or the SHA-256 of a forged PDF written into
`letter_files`, and `letters verify` still said GENUINE. `letter_chain` holds, per event of a letter
(`numbered`, `rendered`), the exact bytes hashed (`beasiswa.letters.chain`), their hash and the previous row's.
Like the journal: `seq` gap-free from 1 (the insert trigger checks it is the last + 1 and that `prev_hash` is
the hash of `seq - 1`), never updated, deleted or truncated; a `rendered` row needs its `letter_files` row.

Upgrading chains the letters already registered, in the order they were numbered and rendered (by time, then
office, year and sequence), with no user (they were issued before `letters render` ran as one).
Messages begin with the rule's code (LETTER_CHAIN, LETTER_APPEND_ONLY).
"""

import sqlalchemy as sa
from alembic import op

from beasiswa.letters import chain

revision = "0006_letter_register_chain"
down_revision = "0005_audit_chain"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER letter_chain_check_insert BEFORE INSERT ON letter_chain BEGIN
         SELECT RAISE(ABORT, 'LETTER_CHAIN: seq must be the last row''s seq + 1')
          WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM letter_chain);
         SELECT RAISE(ABORT, 'LETTER_CHAIN: prev_hash must be the hash of row seq - 1')
          WHERE NEW.prev_hash IS NOT COALESCE((SELECT hash FROM letter_chain WHERE seq = NEW.seq - 1), '{GENESIS}');
         SELECT RAISE(ABORT, 'LETTER_CHAIN: a rendered row chains a recorded PDF')
          WHERE NEW.event = 'rendered' AND NOT EXISTS (SELECT 1 FROM letter_files WHERE number = NEW.number);
       END""",
    """CREATE TRIGGER letter_chain_no_update BEFORE UPDATE ON letter_chain BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: the register''s chain is never updated');
       END""",
    """CREATE TRIGGER letter_chain_no_delete BEFORE DELETE ON letter_chain BEGIN
         SELECT RAISE(ABORT, 'LETTER_APPEND_ONLY: the register''s chain is never deleted');
       END""",
]

POSTGRES_FUNCTIONS = [
    f"""CREATE FUNCTION letter_chain_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         expected bigint;
         previous text;
       BEGIN
         SELECT COALESCE(MAX(seq), 0) + 1 INTO expected FROM letter_chain;
         IF NEW.seq IS DISTINCT FROM expected THEN
           RAISE EXCEPTION 'LETTER_CHAIN: seq % must be the last row''s seq + 1 = %', NEW.seq, expected
             USING ERRCODE = 'check_violation';
         END IF;
         SELECT hash INTO previous FROM letter_chain WHERE seq = NEW.seq - 1;
         IF NEW.prev_hash IS DISTINCT FROM COALESCE(previous, '{GENESIS}') THEN
           RAISE EXCEPTION 'LETTER_CHAIN: seq % prev_hash % is not the hash of seq % (%)', NEW.seq, NEW.prev_hash,
             NEW.seq - 1, COALESCE(previous, '{GENESIS}') USING ERRCODE = 'check_violation';
         END IF;
         IF NEW.event = 'rendered' AND NOT EXISTS (SELECT 1 FROM letter_files WHERE number = NEW.number) THEN
           RAISE EXCEPTION 'LETTER_CHAIN: seq % chains the PDF of letter %, which is not recorded', NEW.seq,
             NEW.number USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
]

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER letter_chain_check_insert BEFORE INSERT ON letter_chain FOR EACH ROW "
    "EXECUTE FUNCTION letter_chain_check_insert()",
    # 0002's function: refuses any UPDATE, DELETE or TRUNCATE, naming the table.
    "CREATE TRIGGER letter_chain_append_only BEFORE UPDATE OR DELETE ON letter_chain FOR EACH ROW "
    "EXECUTE FUNCTION letters_append_only()",
    "CREATE TRIGGER letter_chain_no_truncate BEFORE TRUNCATE ON letter_chain FOR EACH STATEMENT "
    "EXECUTE FUNCTION letters_append_only()",
]


def _table() -> None:
    op.create_table(
        "letter_chain",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("number", sa.String(), sa.ForeignKey("letters.number"), nullable=False),
        sa.Column("actor", sa.String(), sa.ForeignKey("users.name"), nullable=True),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.UniqueConstraint("number", "event", name="letter_chain_event_once"),
        sa.CheckConstraint("seq >= 1", name="letter_chain_seq_positive"),
        sa.CheckConstraint("event IN ('numbered', 'rendered')", name="letter_chain_event_known"),
        sa.CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="letter_chain_hash_length"),
    )


def _chain_existing(bind) -> None:
    """The letters registered before this revision, chained in the order their events happened (a date comes
    back as text from SQLite, as a date from PostgreSQL: `chain.facts` writes both as YYYY-MM-DD)."""
    rows = bind.execute(sa.text(
        "SELECT l.number, l.office, l.year, l.sequence, l.case_id, l.claim_id, l.decision_revision, l.kind, "
        "l.letter_date, l.data_digest, l.file_name, l.numbered_at, f.pdf_sha256, f.rendered_at "
        "FROM letters l LEFT JOIN letter_files f ON f.number = l.number")).all()
    events = [(row.numbered_at, 0, row.office, row.year, row.sequence, "numbered", row) for row in rows]
    events += [(row.rendered_at, 1, row.office, row.year, row.sequence, "rendered", row)
               for row in rows if row.pdf_sha256 is not None]
    prev_hash = GENESIS
    insert = sa.text("INSERT INTO letter_chain (seq, event, number, actor, canonical, prev_hash, hash) "
                     "VALUES (:seq, :event, :number, NULL, :canonical, :prev_hash, :hash)")
    for seq, (*_, event, row) in enumerate(sorted(events, key=lambda e: e[:5]), start=1):
        data = chain.canonical_bytes(chain.chain_values(seq, event, chain.facts(row, event), None, prev_hash))
        hashed = chain.digest(data)
        bind.execute(insert, dict(seq=seq, event=event, number=row.number, canonical=data, prev_hash=prev_hash,
                                  hash=hashed))
        prev_hash = hashed


def upgrade() -> None:
    _table()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = SQLITE_TRIGGERS
    elif bind.dialect.name == "postgresql":
        statements = POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS
    else:  # pragma: no cover - make_engine accepts no other
        raise RuntimeError(f"no letter chain triggers for {bind.dialect.name}")
    _chain_existing(bind)  # before the triggers: it inserts in order, checked by verify instead
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS letter_chain_check_insert() CASCADE")
    op.drop_table("letter_chain")
