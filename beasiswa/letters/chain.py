"""The letter register's hash chain: each letter numbered, and each PDF recorded, is one chained row.

Why: the register's rows are its evidence (which claim a number was issued for, what the letter states, the
SHA-256 of the PDF sent). Anyone with write access could change a kind, a date, the stored data, or write the
SHA-256 of a forged PDF into `letter_files`, and `letters verify` would call the forgery genuine. So every
event is appended to `letter_chain` with the exact bytes hashed: a JSON array, UTF-8, no spaces,
`["beasiswa-letter-register/1", seq, event, number, office, year, sequence, case_id, claim_id,
decision_revision, kind, letter_date, data_digest, file_name, numbered_at, pdf_sha256, rendered_at, actor,
prev_hash]` (a `numbered` row has no PDF yet: null, null). `hash` is their SHA-256, `prev_hash` that of
`seq - 1` (64 zeros for the first). `seq` is gap-free, taken under the writer's lock: the write lock SQLite's
`BEGIN IMMEDIATE` holds, `pg_advisory_xact_lock(CHAIN_LOCK)` on PostgreSQL.

`findings` recomputes it all: the chain's links and hashes, every register row against the bytes hashed for
it, every stored data's SHA-256 against its recorded digest (and what the data says against the row), and a
letter or PDF record that has no chained row. One Indonesian message per finding, naming the letter number and
the chain row. A chain proves internal consistency only (whoever can write the database can recompute it all):
`head` gives the last row's hash, to keep outside the database and compare later.
"""

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Connection

from beasiswa.db.canonical import Canonical, digest
from beasiswa.db.letter_tables import letter_chain, letter_files, letters
from beasiswa.db.tables import GENESIS_HASH

FORMAT = "beasiswa-letter-register/1"
LETTER_FIELDS = ("number", "office", "year", "sequence", "case_id", "claim_id", "decision_revision", "kind",
                 "letter_date", "data_digest", "file_name", "numbered_at")
FILE_FIELDS = ("pdf_sha256", "rendered_at")
FIELDS = ("seq", "event", *LETTER_FIELDS, *FILE_FIELDS, "actor", "prev_hash")
# The advisory lock under which PostgreSQL appends to the chain ('letters' in ASCII; the journal's is another).
CHAIN_LOCK = 0x6C657474657273
EVENT_NAMES = {"numbered": "penomoran", "rendered": "pencatatan PDF"}
# What a letter's stored data states that its register row states too.
_DATA_FACTS = (("number", "number"), ("kind", "kind"), ("date", "letter_date"), ("case", "case_id"),
               ("claim", "claim_id"), ("office", "office"))


_CANONICAL = Canonical(FORMAT, FIELDS)
canonical_bytes = _CANONICAL.bytes
decode = _CANONICAL.decode


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def facts(row, event: str) -> dict:
    """What the register holds of a letter for an event: its `letters` row, and for `rendered` its PDF record."""
    out = {name: _plain(getattr(row, name)) for name in LETTER_FIELDS}
    for name in FILE_FIELDS:
        out[name] = getattr(row, name) if event == "rendered" else None
    return out


def chain_values(seq: int, event: str, facts_: dict, actor: str | None, prev_hash: str) -> tuple:
    return (seq, event, *(facts_[n] for n in LETTER_FIELDS), *(facts_[n] for n in FILE_FIELDS), actor, prev_hash)


_REGISTER_ROW = (select(*(letters.c[n] for n in LETTER_FIELDS), letters.c.data, letter_files.c.pdf_sha256,
                        letter_files.c.rendered_at)
                 .select_from(letters.outerjoin(letter_files, letter_files.c.number == letters.c.number)))
_HEAD = select(letter_chain.c.seq, letter_chain.c.hash).order_by(letter_chain.c.seq.desc()).limit(1)


def head(conn: Connection) -> tuple[int, str]:
    """The last chain row's seq and hash (0 and 64 zeros for an empty register)."""
    row = conn.execute(_HEAD).one_or_none()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def append(conn: Connection, event: str, number: str, actor: str | None) -> str:
    """Chain the register's rows of letter `number` for `event`, in the caller's transaction (after its insert
    into `letters` or `letter_files`); returns the new row's hash."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
    last, prev_hash = head(conn)
    row = conn.execute(_REGISTER_ROW.where(letters.c.number == number)).one()
    data = canonical_bytes(chain_values(last + 1, event, facts(row, event), actor, prev_hash))
    hashed = digest(data)
    conn.execute(insert(letter_chain).values(seq=last + 1, event=event, number=number, actor=actor, canonical=data,
                                             prev_hash=prev_hash, hash=hashed))
    return hashed


# ---------------------------------------------------------------------------------------------- findings

_WALK = (select(letter_chain.c.seq, letter_chain.c.event, letter_chain.c.number.label("chained"),
                letter_chain.c.actor, letter_chain.c.canonical, letter_chain.c.prev_hash, letter_chain.c.hash,
                *(letters.c[n] for n in LETTER_FIELDS), letters.c.data, letter_files.c.pdf_sha256,
                letter_files.c.rendered_at)
         .select_from(letter_chain.outerjoin(letters, letters.c.number == letter_chain.c.number)
                      .outerjoin(letter_files, letter_files.c.number == letter_chain.c.number))
         .order_by(letter_chain.c.seq))
_chained = letter_chain.alias("chained")


def _unchained(event: str, table):
    has_row = select(_chained.c.seq).where(and_(_chained.c.number == table.c.number,
                                                _chained.c.event == event)).exists()
    return select(table.c.number).where(~has_row).order_by(table.c.number)


def _where(row) -> str:
    return f"register surat, baris rantai {row.seq} (surat {row.chained}, {EVENT_NAMES.get(row.event, row.event)})"


def _data_findings(row) -> list[str]:
    """The stored data hashes to its recorded digest, and states the row's number, kind, date, claim, office."""
    data = bytes(row.data)
    found = []
    if digest(data) != row.data_digest:
        found.append(f"surat {row.number}: data surat yang tersimpan ber-SHA-256 {digest(data)[:16]}…, register "
                     f"mencatat {row.data_digest[:16]}…: data surat diubah sesudah dicatat")
    try:
        stated = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return found + [f"surat {row.number}: data surat yang tersimpan bukan JSON"]
    row_facts = facts(row, "numbered")
    differ = [f"{key} di data {stated.get(key)!r}, di register {row_facts[name]!r}" for key, name in _DATA_FACTS
              if isinstance(stated, dict) and stated.get(key) != row_facts[name]]
    if not isinstance(stated, dict):
        differ = ["datanya bukan objek JSON"]
    if differ:
        found.append(f"surat {row.number}: data surat tidak sesuai baris registernya: {'; '.join(differ)}")
    return found


def _content_findings(row) -> list[str]:
    """A chain row against the bytes hashed for it, and the register's rows against those bytes."""
    where, hashed_now = _where(row), digest(bytes(row.canonical))
    if hashed_now != row.hash:
        return [f"{where}: hash {row.hash[:16]}… bukan SHA-256 bytes kanoniknya ({hashed_now[:16]}…): bytes atau "
                f"hash baris itu diubah"]
    try:
        hashed = decode(row.canonical)
    except ValueError as exc:
        return [f"{where}: {exc}"]
    if row.number is None:
        return [f"{where}: surat {row.chained} tidak ada lagi di register (barisnya dihapus)"]
    if row.event == "rendered" and row.pdf_sha256 is None:
        return [f"{where}: SHA-256 PDF surat {row.chained} tidak ada lagi di register (catatannya dihapus)"]
    actual = chain_values(row.seq, row.event, facts(row, row.event), row.actor, row.prev_hash)
    differ = [f"{name} di register {value!r}, yang dirantai {hashed[name]!r}"
              for name, value in zip(FIELDS, actual) if hashed[name] != value]
    return [f"{where}: diubah sesudah dirantai: {'; '.join(differ)}"] if differ else []


def _walk(rows: Iterable, expected: int | None, prev_hash: str | None, prev_number: str | None) -> list[str]:
    """Every row's own findings; with `expected` (a walk of the whole chain), also the gaps and the links."""
    found = []
    for row in rows:
        if expected is not None:
            if row.seq != expected:
                found.append(f"rantai register surat: baris {expected} tidak ada (sesudah baris {expected - 1} "
                             f"datang baris {row.seq}, surat {row.chained})")
            elif row.prev_hash != prev_hash:
                found.append(f"{_where(row)}: prev_hash {row.prev_hash[:16]}… bukan hash baris {row.seq - 1} "
                             f"(surat {prev_number}, {prev_hash[:16]}…): baris itu atau hash-nya diubah")
            expected, prev_hash, prev_number = row.seq + 1, row.hash, row.chained
        found += _content_findings(row)
        if row.event == "numbered" and row.number is not None:
            found += _data_findings(row)
    return found


def _unchained_findings(conn: Connection, number: str | None = None) -> list[str]:
    found = []
    for event, table, what in (("numbered", letters, "baris registernya"),
                               ("rendered", letter_files, "SHA-256 PDF-nya")):
        query = _unchained(event, table)
        if number is not None:
            query = query.where(table.c.number == number)
        for (unchained,) in conn.execute(query):
            found.append(f"surat {unchained}: {what} tidak punya baris rantai {EVENT_NAMES[event]} (ditulis di luar "
                         f"aplikasi)")
    return found


def findings(conn: Connection) -> list[str]:
    """The whole register checked (see the module's docstring); an empty list when nothing is wrong."""
    rows = conn.execution_options(yield_per=2000).execute(_WALK)
    found = _walk(rows, 1, GENESIS_HASH, None)
    return found + _unchained_findings(conn)


def letter_findings(conn: Connection, number: str) -> list[str]:
    """One letter's rows checked: its chain rows' bytes and hashes, their links to the rows before and after
    (a rewritten hash breaks the link of the next row), its stored data, and a record left unchained."""
    rows = conn.execute(_WALK.where(letter_chain.c.number == number)).all()
    found = _walk(rows, None, None, None)
    for row in rows:
        before = conn.execute(select(letter_chain.c.hash).where(letter_chain.c.seq == row.seq - 1)).scalar()
        if (before or GENESIS_HASH) != row.prev_hash and (before is not None or row.seq == 1):
            found.append(f"{_where(row)}: prev_hash {row.prev_hash[:16]}… bukan hash baris {row.seq - 1}: baris "
                         f"itu atau hash-nya diubah")
        after = conn.execute(select(letter_chain.c.prev_hash).where(letter_chain.c.seq == row.seq + 1)).scalar()
        if after is not None and after != row.hash:
            found.append(f"{_where(row)}: baris {row.seq + 1} merantai hash {after[:16]}…, baris ini ber-hash "
                         f"{row.hash[:16]}…: hash baris ini ditulis ulang")
    return found + _unchained_findings(conn, number)
