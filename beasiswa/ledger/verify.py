"""Verifying the journal: the hash chain recomputed entry by entry, and every running total from the journal.

For each entry in seq order: seq is the previous one + 1 (no gap, no jump), `prev_hash` is the previous
entry's hash, the row's columns rebuild exactly the canonical bytes stored with it, and those bytes hash to
`hash`. The first entry that fails is the break: its seq and what differs are reported. Then `family_totals`,
`level_usage` and `paid_years` are compared with what the journal adds up to.

How, so that a million entries take seconds: one pass in seq order reads only what the chain and the
level-usage count need (seq, prev_hash, hash, the stored bytes, a payout's key, what a reversal reverses) and
hashes the stored bytes. Meanwhile a second process (`beasiswa.ledger.verify_side`) asks the database, on the
same snapshot (SQLite: this connection holds the write lock from before either reads; PostgreSQL: an exported
REPEATABLE READ snapshot), which entries' columns, written as JSON by the database, are not their stored bytes;
each such entry is then rebuilt here with `canonical_bytes`, the one authority, so a difference in how the
database writes JSON can cost time but never hide or invent a break. It also sums each case's entries against
`family_totals`, reads the `level_usage` rows that count years, and checks that `paid_years` holds only
unreversed payouts of their own keys and as many rows as there are such payouts; only when it does not are the
rows compared one by one, to name them.

A chain proves internal consistency only: whoever can write the database can recompute it. The head hash is
printed so it can be kept outside the database and compared later.
"""

import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from operator import itemgetter
from pathlib import Path

import attrs
from sqlalchemy import text
from sqlalchemy.engine import Engine

from beasiswa.db.tables import GENESIS_HASH
from beasiswa.ledger import verify_side
from beasiswa.ledger.canonical import FIELDS, canonical_bytes, decode, digest

# The pass: a payout's level-usage key as one string (the expression `verify_side` keys `level_usage` with), and
# what an entry reverses: NULL for a payout, else reverses_seq (0 where a reversal names none).
_PASS = ("SELECT seq, prev_hash, hash, canonical, {key}, "
         "CASE WHEN kind = 'payout' THEN NULL ELSE coalesce(reverses_seq, 0) END FROM journal ORDER BY seq")
_ROW = f"SELECT {', '.join(FIELDS)}, hash, canonical FROM journal WHERE seq = {{}}"
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
# Which check fails first when two fail at the same seq, as the checks are listed in the module's docstring.
_GAP, _LINK, _CONTENT, _REVERSAL = range(4)


@attrs.frozen
class VerifyReport:
    entries: int  # entries read up to the first break, or all
    head_hash: str  # hash of the last entry read (64 zeros for an empty journal)
    broken_seq: int | None  # the first sequence number whose entry breaks the chain
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@attrs.frozen
class _Break:
    seq: int
    order: int  # _GAP.._REVERSAL
    what: str


def _field_differences(row, stored: bytes) -> str:
    try:
        hashed = decode(stored)
    except ValueError as exc:
        return f"bytes kanonik yang tersimpan tidak terbaca ({exc})"
    differs = [f"{name} {row[i]!r} di baris, {hashed[name]!r} di bytes yang di-hash"
               for i, name in enumerate(FIELDS) if row[i] != hashed[name]]
    return "; ".join(differs) or "bytes yang tersimpan tidak dalam bentuk kanonik"


def _content_problem(cursor, seq: int) -> str | None:
    """The exact check of one entry: its columns rebuild its stored bytes, which hash to its `hash`."""
    cursor.execute(_ROW.format(int(seq)))
    row = cursor.fetchone()
    hashed, stored = row[-2], bytes(row[-1])
    if canonical_bytes(row[:-2]) != stored:
        return f"seq {seq}: {_field_differences(row, stored)}"
    if digest(stored) != hashed:
        return f"seq {seq}: hash {hashed} bukan SHA-256 bytes kanoniknya ({digest(stored)})"
    return None


class _Chain:
    """The pass in seq order: links, hashes of the stored bytes, and what the totals add up to."""

    def __init__(self):
        self.expected, self.prev_hash, self.count = 1, GENESIS_HASH, 0
        self.payouts: dict[int, str] = {}  # seq -> its level-usage key (verify_side.KEY)
        self.reversed: dict[int, int] = {}  # payout seq -> the seq reversing it
        self.failed: tuple[int, int, str | None] | None = None  # seq, order, a message or None

    def read(self, rows) -> bool:
        """Take a batch of rows; False once an entry fails (the rest is not read)."""
        sha256, payouts, reversed_ = hashlib.sha256, self.payouts, self.reversed
        expected, prev_hash = self.expected, self.prev_hash
        for seq, prev, hashed, stored, key, reverses in rows:
            if seq != expected:
                self.failed = (expected, _GAP,
                               f"seq {expected} tidak ada (setelah seq {expected - 1} langsung seq {seq})"
                               if seq > expected else f"seq {seq} tidak berurutan (seharusnya {expected})")
                break
            if prev != prev_hash:
                self.failed = (seq, _LINK,
                               f"seq {seq}: prev_hash {prev} bukan hash seq {seq - 1} ({prev_hash})")
                break
            if sha256(stored).hexdigest() != hashed:
                self.failed = (seq, _CONTENT, None)
                break
            if reverses is None:
                payouts[seq] = key
            elif reverses not in payouts:
                self.failed = (seq, _REVERSAL, None)  # the message names the column's value, read then
                break
            elif reverses in reversed_:
                self.failed = (seq, _REVERSAL, f"seq {seq}: membalik seq {reverses}, yang sudah dibalik oleh "
                                               f"seq {reversed_[reverses]}")
                break
            else:
                reversed_[reverses] = seq
            expected, prev_hash = seq + 1, hashed
        self.count += expected - self.expected
        self.expected, self.prev_hash = expected, prev_hash
        return self.failed is None


def verify(engine: Engine, batch: int = 20_000) -> VerifyReport:
    dialect = engine.dialect.name
    chain = _Chain()
    with engine.connect() as conn, conn.begin():  # SQLite: BEGIN IMMEDIATE, so nothing is posted meanwhile
        snapshot = None
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        raw = conn.connection.dbapi_connection
        side = _SideProcess(engine, snapshot) if _has_second_connection(engine) else None
        try:
            cursor = raw.cursor(name="beasiswa_verify") if dialect == "postgresql" else raw.cursor()
            try:
                if dialect == "postgresql":  # binary: the stored bytes as they are, not as hex to decode
                    cursor.execute(_PASS.format(key=verify_side.KEY[dialect]), binary=True)
                else:
                    cursor.execute(_PASS.format(key=verify_side.KEY[dialect]))
                while (rows := cursor.fetchmany(batch)) and chain.read(rows):
                    pass
            finally:
                cursor.close()
        except BaseException:
            if side is not None:
                side.stop()
            raise
        plain = raw.cursor()
        try:
            answer = verify_side.read(plain, dialect) if side is None else side.answer()
            return _report(conn, plain, chain, answer)
        finally:
            plain.close()


def _has_second_connection(engine: Engine) -> bool:
    """Whether a second connection sees the same database (not so for an in-memory SQLite one)."""
    if engine.dialect.name == "postgresql":
        return True
    database = engine.url.database or ""
    return database not in ("", ":memory:") and "mode=memory" not in database


class _SideProcess:
    """`python -m beasiswa.ledger.verify_side`, asked on stdin; its answer read once the pass is done."""

    def __init__(self, engine: Engine, snapshot: str | None):
        if engine.dialect.name == "sqlite":
            request = {"dialect": "sqlite", "database": engine.url.database, "timeout": 30}
        else:
            if not _SNAPSHOT_ID.fullmatch(snapshot or ""):
                raise ValueError(f"pg_export_snapshot returned {snapshot!r}, not a snapshot id")
            _args, params = engine.dialect.create_connect_args(engine.url)  # libpq's keywords, and adapters
            connect = {k: v for k, v in params.items() if isinstance(v, (str, int, float, bool))}
            request = {"dialect": engine.dialect.name, "connect": connect, "snapshot": snapshot}
        root = str(Path(verify_side.__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen([sys.executable, "-m", "beasiswa.ledger.verify_side"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                         env={**os.environ, "PYTHONPATH": path})
        self._process.stdin.write(json.dumps(request).encode("utf-8"))
        self._process.stdin.close()

    def answer(self) -> dict:
        try:
            out = self._process.stdout.read()
            self._process.stdout.close()
            if self._process.wait() != 0:
                self._errors.seek(0)
                raise RuntimeError("verify's second process failed: "
                                   + self._errors.read().decode("utf-8", "replace").strip())
            return pickle.loads(out)
        finally:
            self._errors.close()

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()
        self._process.stdout.close()
        self._errors.close()


def _first_differing(cursor, candidates: list[int]) -> _Break | None:
    """The first entry whose columns really do not rebuild its stored bytes (or whose bytes do not hash to its
    hash), among those the database named."""
    for seq in candidates:
        what = _content_problem(cursor, seq)
        if what:
            return _Break(seq, _CONTENT, what)
    return None


def _report(conn, cursor, chain: _Chain, answer: dict) -> VerifyReport:
    found = None
    if chain.failed is not None:
        seq, order, what = chain.failed
        if what is None and order == _CONTENT:
            what = _content_problem(cursor, seq)
        elif what is None:
            cursor.execute(f"SELECT reverses_seq FROM journal WHERE seq = {int(seq)}")
            what = f"seq {seq}: membalik seq {cursor.fetchone()[0]}, yang bukan pembayaran sebelumnya"
        found = _Break(seq, order, what)
    differs = _first_differing(cursor, answer["differing"])
    if differs is not None and (found is None or (differs.seq, differs.order) < (found.seq, found.order)):
        found = differs
    if found is not None:
        head = GENESIS_HASH
        if found.seq > 1:
            cursor.execute(f"SELECT hash FROM journal WHERE seq = {int(found.seq) - 1}")
            head = cursor.fetchone()[0]
        return VerifyReport(found.seq - 1, head, found.seq, (found.what,))
    return VerifyReport(chain.count, chain.prev_hash, None, tuple(_totals_problems(conn, chain, answer)))


def _totals_problems(conn, chain: _Chain, answer: dict) -> list[str]:
    problems = []
    family = {case: (paid, summed) for case, paid, summed in answer["family_totals"]}
    for case in sorted([*family, *answer["untotalled"]]):
        if case not in family:
            problems.append(f"family_totals: kasus {case} punya entri jurnal tetapi tidak punya total berjalan")
        else:
            problems.append(f"family_totals: kasus {case} paid {family[case][0]}, jumlah di jurnal "
                            f"{family[case][1]}")

    unreversed = chain.payouts  # the pass is over: its payouts become the unreversed ones
    for seq in chain.reversed:
        del unreversed[seq]
    years = Counter(unreversed.values())
    stored_years = dict(answer["level_usage"])
    if stored_years != years:
        differing = [k for k in stored_years.keys() | years.keys() if stored_years.get(k) != years.get(k)]
        for key, (case, child, group) in sorted(((k, tuple(json.loads(k))) for k in differing), key=itemgetter(1)):
            stored = stored_years[key] if key in stored_years else conn.execute(
                text("SELECT years_used FROM level_usage WHERE case_id = :c AND child_id = :k AND level_group = :g"),
                {"c": case, "k": child, "g": group}).scalar()
            problems.append(f"level_usage: kasus {case} anak {child} {group} years_used {stored}, jurnal "
                            f"menghitung {years.get(key, 0)}")

    if answer["stray_paid_year"] or answer["paid_years_count"] != len(unreversed):
        problems.extend(_paid_years_problems(conn, unreversed))
    return problems


def _paid_years_problems(conn, unreversed: dict[int, str]) -> list[str]:
    """Row by row, once the database said `paid_years` is not the journal's unreversed payouts."""
    problems = []
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for seq, case, child, year in conn.execute(text(
            "SELECT seq, case_id, child_id, academic_year FROM journal WHERE kind = 'payout' ORDER BY seq")):
        if seq in unreversed:
            by_key[(case, child, year)].append(seq)
    for key, seqs in sorted(by_key.items()):
        if len(seqs) > 1:
            problems.append(f"journal: kasus {key[0]} anak {key[1]} {key[2]} punya {len(seqs)} pembayaran yang tidak dibalik "
                            f"(seq {', '.join(map(str, seqs))}), padahal satu tahun ajaran dibayar sekali")
    expected = {key: seqs[-1] for key, seqs in by_key.items()}
    rows = conn.execute(text("SELECT case_id, child_id, academic_year, payout_seq FROM paid_years")).all()
    stored = {(case, child, year): seq for case, child, year, seq in rows}
    for key in sorted(k for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k)):
        problems.append(f"paid_years: kasus {key[0]} anak {key[1]} {key[2]} memuat pembayaran seq "
                        f"{stored.get(key)}, pembayaran jurnal yang tidak dibalik {expected.get(key)}")
    if not problems:
        problems.append(f"paid_years: {len(rows)} baris, jurnal punya {len(unreversed)} pembayaran yang tidak dibalik")
    return problems
