"""The journal as a file an auditor opens in a spreadsheet, and the writing every audit command shares.

`export` streams the whole journal, in seq order, with its hashes and the canonical bytes (as text) that
were hashed: CSV rows are written as they are read, so a journal of a million entries is never held in
memory; XLSX goes through openpyxl's write-only mode (rows spill to a temporary file, a new sheet every
1 048 575 rows, Excel's limit).

Spreadsheets run a cell that begins with `=`, `+`, `-` or `@` as a formula (and tab or CR lead to one), so a
name like `=HYPERLINK(...)` in a case file could act on an auditor's machine. Every such text cell is
prefixed with a single quote, as OWASP advises against CSV injection; numbers (amounts, seq) are never
text: bare integers in CSV, numeric cells in XLSX, so a reversal's negative amount stays a number.

Files are written beside their destination under a temporary name and renamed into place only when
complete: a failure leaves nothing half-written.
"""

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.db.tables import journal
from beasiswa.ledger.canonical import FIELDS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX cell cannot hold (openpyxl refuses them); shown as \xNN instead.
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_ROWS = 1_048_576
EXPORT_COLUMNS = (*FIELDS, "hash", "canonical")


class OutputError(ValueError):
    """An output file that cannot be written; the message names the option and the value."""


def escape_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, prefixed with a single quote; anything else
    as it is (integers stay integers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    return "" if value is None else escape_cell(value)


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows as CSV (RFC 4180, CRLF): text quoted and escaped, integers bare. Returns the row count."""
    writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        count += 1
    return count


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL_IN_XLSX.sub(lambda m: f"\\x{ord(m[0]):02x}", escape_cell(value))
    return value


def write_xlsx(path: Path, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
               extra_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = ()) -> int:
    """Write rows to an XLSX workbook (write-only, streamed); strings are always string cells, never formulas.
    `extra_sheets`: (name, rows) written after the main sheet. Returns the row count."""
    # lazy: openpyxl, loaded only for XLSX (a CSV export, and `beasiswa decide`, start without it)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)

    def new_sheet(name: str):
        ws = book.create_sheet(name)
        ws.append(list(header))
        return ws

    def string_safe(ws, row):
        cells = []
        for value in row:
            value = _xlsx_cell(value)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would make "=..." a formula; the escape already prevents it
            cells.append(cell)
        return cells

    ws, number, in_sheet, count = new_sheet(sheet), 1, 1, 0
    for row in rows:
        if in_sheet == XLSX_MAX_ROWS:
            number += 1
            ws, in_sheet = new_sheet(f"{sheet}-{number}"), 1
        ws.append(string_safe(ws, row))
        in_sheet += 1
        count += 1
    for name, extra in extra_sheets:
        extra_ws = book.create_sheet(name)
        for row in extra:
            extra_ws.append(string_safe(extra_ws, row))
    book.save(path)
    return count


def check_output(path: Path, option: str = "--out") -> Path:
    """Refuse early an output path that cannot be written: a directory, or a folder that does not exist."""
    if path.is_dir():
        raise OutputError(f"{option}: {str(path)!r} adalah folder, bukan berkas")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{option}: {str(path)!r} tidak dapat ditulis: folder {str(folder)!r} tidak ada")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{option}: {str(path)!r} tidak dapat ditulis: folder {str(folder)!r} tidak dapat ditulisi")
    return path


@contextmanager
def atomic_path(path: Path, option: str = "--out") -> Iterator[Path]:
    """A temporary file beside `path`, renamed to `path` when the block completes, removed if it fails."""
    check_output(path, option)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"{option}: {str(path)!r} tidak dapat ditulis: {exc.strerror}") from None
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def journal_rows(engine: Engine, up_to_seq: int | None = None, batch: int = 10_000,
                 office: str | None = None) -> Iterator[tuple]:
    """Every journal entry in seq order as a tuple in EXPORT_COLUMNS order, canonical bytes decoded as text
    (of `office` only, when given). Streamed in batches (a server-side cursor on PostgreSQL)."""
    columns = [journal.c[name] for name in FIELDS] + [journal.c.hash, journal.c.canonical]
    query = select(*columns).order_by(journal.c.seq)
    if up_to_seq is not None:
        query = query.where(journal.c.seq <= up_to_seq)
    if office is not None:
        query = query.where(journal.c.office == office)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in result:
            *values, canonical = row
            yield (*values, bytes(canonical).decode("utf-8", errors="backslashreplace"))
