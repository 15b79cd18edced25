"""The heads of the journal, the audit trail and the letter register, kept outside the database and checked against it later.

A hash chain proves only that it is consistent: whoever can write the database can delete its last entries
(and adjust the totals), or rewrite it from any row on and hash it all again, and the chain still verifies.
What they cannot do is change a head someone wrote down elsewhere. `beasiswa ledger head` prints the heads
in one line; `beasiswa ledger anchor --to FILE` appends that line to a file that is only ever appended to
(kept off the database's machine, or mailed, or printed); `verify --anchors FILE` then fails when an anchored
(seq, hash) is no longer in its chain: the entry or row is gone, or its hash differs (it, or one before it,
was changed and the chain rehashed).

The line: `beasiswa-head/1 2026-12-03T08:00:00.000000Z journal 38:b939f8… audit 120:3fa2c4… letters 14:9c01d2…`
(a time in UTC, then each chain's last seq and its hash; seq 0 and 64 zeros for an empty one). Lines written
before the letter register was chained end after the audit trail's head, and are read as they are.
"""

import os
import re
from pathlib import Path

import attrs
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

FORMAT = "beasiswa-head/1"
_HEX = re.compile(r"[0-9a-f]{64}")
_LINE = re.compile(rf"{re.escape(FORMAT)} (?P<at>\S+) journal (?P<j>\S+) audit (?P<a>\S+)(?: letters (?P<l>\S+))?")
# The chains by the names a line gives them: (table, what the auditor reads).
CHAINS = {"journal": ("journal", "jurnal", "entri"), "audit": ("audit_trail", "jejak audit", "baris"),
          "letters": ("letter_chain", "register surat", "baris")}
ZEROS = "0" * 64


class AnchorError(ValueError):
    """An anchor that cannot be read; the message names the file, the line and the value."""


@attrs.frozen
class Anchor:
    chain: str  # journal | audit
    seq: int
    hash: str
    at: str = ""  # when it was written down ("" for one given on the command line)
    where: str = ""  # FILE:LINE, or the option


@attrs.frozen
class Heads:
    journal: tuple[int, str]
    audit: tuple[int, str]
    letters: tuple[int, str]

    def line(self, at: str) -> str:
        return (f"{FORMAT} {at} journal {self.journal[0]}:{self.journal[1]} "
                f"audit {self.audit[0]}:{self.audit[1]} letters {self.letters[0]}:{self.letters[1]}")


def parse_head(value: str, chain: str = "journal", where: str = "") -> Anchor:
    """SEQ:HASH (as `--expect-head` takes it) → an Anchor; AnchorError naming the value otherwise."""
    seq, colon, hash_ = value.strip().partition(":")
    if not colon or not seq.isdigit() or not _HEX.fullmatch(hash_):
        raise AnchorError(f"{where or chain}: {value!r} bukan SEQ:HASH (nomor urut, titik dua, 64 digit heksadesimal "
                          f"huruf kecil)")
    return Anchor(chain, int(seq), hash_, where=where)


def parse_line(line: str, where: str) -> list[Anchor]:
    match = _LINE.fullmatch(line.strip())
    if not match:
        raise AnchorError(f"{where}: {line.strip()!r} bukan baris jangkar ({FORMAT} WAKTU journal SEQ:HASH "
                          f"audit SEQ:HASH letters SEQ:HASH)")
    return [attrs.evolve(parse_head(match[key], chain, where), at=match["at"])
            for key, chain in (("j", "journal"), ("a", "audit"), ("l", "letters")) if match[key] is not None]


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor of an anchor file (blank lines and lines starting with # skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"--anchors: {str(path)!r} tidak terbaca ({exc.__class__.__name__}: {exc})") from None
    anchors = []
    for number, line in enumerate(lines, 1):
        if line.strip() and not line.lstrip().startswith("#"):
            anchors += parse_line(line, f"{path}:{number}")
    return anchors


def append_line(path: Path, line: str) -> None:
    """Add one line at the end of the anchor file (created if absent, never rewritten), flushed to disk."""
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(line + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def _head(conn: Connection, table: str) -> tuple[int, str]:
    row = conn.execute(text(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")).one_or_none()
    return (row[0], row[1]) if row else (0, ZEROS)


def read_heads(engine: Engine) -> Heads:
    """Every chain's head, read in one transaction."""
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return Heads(*(_head(conn, table) for table, _, _ in CHAINS.values()))


def findings(engine: Engine, anchors: list[Anchor]) -> list[str]:
    """One message per anchor whose (seq, hash) is not in its chain any more, naming the seq."""
    problems = []
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        heads = {name: _head(conn, table) for name, (table, _, _) in CHAINS.items()}
        for anchor in anchors:
            if anchor.seq == 0:
                continue  # an empty chain's head: every chain began there
            table, name, unit = CHAINS[anchor.chain]
            found = conn.execute(text(f"SELECT hash FROM {table} WHERE seq = :seq"), {"seq": anchor.seq}).scalar()
            source = f"jangkar {anchor.where}{f' ({anchor.at})' if anchor.at else ''}"
            if found is None:
                problems.append(f"{name}: {unit} seq {anchor.seq} dari {source} tidak ada lagi ({name} kini berakhir "
                                f"pada seq {heads[anchor.chain][0]}): {unit} dihapus")
            elif found != anchor.hash:
                problems.append(f"{name}: hash {unit} seq {anchor.seq} kini {found}, bukan {anchor.hash} menurut "
                                f"{source}: {unit} itu atau yang sebelumnya diubah dan rantainya di-hash ulang")
    return problems
