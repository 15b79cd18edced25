"""A bank's CSV result file: the layouts are data (data/results.toml, one per bank whose upload is a CSV
layout), told apart by their header row.

Each row after the header is one transfer: its end-to-end id (the reference the upload gave it), the payee's
account, the amount (whole rupiah; a decimal mark only before zeros), the status word (the layout's settled or
returned words, without case), the return's code and the bank's note, the date (the layout's format) and the
bank's reference. A blank line is skipped; a row whose reference is empty is not a transfer (`other`). A value
that cannot be read is refused naming the file, the line, the column and the value.
"""

import csv
import datetime as dt
import io
import tomllib
from functools import lru_cache
from pathlib import Path

import attrs

from beasiswa.payments.return_reasons import reason_text
from beasiswa.payments.statement import (RETURNED, SETTLED, Statement, StatementError, StatementLine, digest,
                                         whole_rupiah)

DATA_FILE = Path(__file__).parent / "data" / "results.toml"
COLUMNS = ("end_to_end_id", "account", "amount", "status", "return_code", "return_reason", "booking_date",
           "bank_reference")
REQUIRED = ("end_to_end_id", "amount", "status", "booking_date")


@attrs.frozen
class Layout:
    name: str
    bank: str  # Bank Indonesia's sandi bank
    separator: str
    header: tuple[str, ...]
    columns: dict  # field → the header's column name
    date_format: str
    decimal_mark: str
    settled: frozenset[str]
    returned: frozenset[str]
    source: str

    def index(self, field: str) -> int | None:
        column = self.columns.get(field)
        return None if column is None else [h.casefold() for h in self.header].index(column.casefold())


@lru_cache(maxsize=1)
def layouts() -> dict[str, Layout]:
    """Every layout of data/results.toml by name; a layout naming a column its header lacks is refused here."""
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    found = {}
    for entry in data["layout"]:
        layout = Layout(name=entry["name"], bank=entry["bank"], separator=entry["separator"],
                        header=tuple(entry["header"]), columns=dict(entry["columns"]),
                        date_format=entry["date_format"], decimal_mark=entry["decimal_mark"],
                        settled=frozenset(w.casefold() for w in entry["settled"]),
                        returned=frozenset(w.casefold() for w in entry["returned"]), source=entry["source"])
        header = {h.casefold() for h in layout.header}
        missing = [f for f in REQUIRED if f not in layout.columns]
        unknown = [c for c in layout.columns.values() if c.casefold() not in header]
        if missing or unknown or set(layout.columns) - set(COLUMNS):
            raise ValueError(f"results.toml: layout {layout.name}: columns {missing or unknown} not in its header")
        found[layout.name] = layout
    return found


def layout_of(first_line: str) -> Layout | None:
    """The layout whose header is this line, or None."""
    for layout in layouts().values():
        cells = next(csv.reader([first_line], delimiter=layout.separator), [])
        if [c.strip().casefold() for c in cells] == [h.casefold() for h in layout.header]:
            return layout
    return None


def read(file_name: str, content: bytes, layout: Layout | None = None) -> Statement:
    """The result file's lines, in the layout its header names (or the one given)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementError(file_name, f"bita {exc.start}", None, "bukan teks UTF-8") from None
    rows = text.splitlines()
    if layout is None:
        layout = layout_of(rows[0] if rows else "")
    if layout is None:
        names = ", ".join(layouts())
        raise StatementError(file_name, "baris 1", rows[0][:120] if rows else "",
                             f"bukan header berkas hasil bank yang dikenal ({names}) dan bukan camt.053/camt.054")
    lines, other = [], 0
    for n, cells in enumerate(csv.reader(io.StringIO(text), delimiter=layout.separator), 1):
        if n == 1 or not any(c.strip() for c in cells):
            continue
        if len(cells) != len(layout.header):
            raise StatementError(file_name, f"baris {n}", layout.separator.join(cells)[:120],
                                 f"memuat {len(cells)} kolom, layout {layout.name} {len(layout.header)}")
        line = _line(file_name, layout, n, cells, len(lines) + 1)
        if line is None:
            other += 1
        else:
            lines.append(line)
    return Statement(file_name, f"csv:{layout.name}", digest(content), file_name, tuple(lines), other)


def _line(file_name: str, layout: Layout, n: int, cells: list[str], line_no: int) -> StatementLine | None:
    def cell(field: str) -> str | None:
        i = layout.index(field)
        value = cells[i].strip() if i is not None else ""
        return value or None

    def where(field: str) -> str:
        return f"baris {n}, kolom {layout.columns[field]}"

    end_to_end = cell("end_to_end_id")
    if end_to_end is None:
        return None
    word = (cell("status") or "").casefold()
    if word in layout.settled:
        status = SETTLED
    elif word in layout.returned:
        status = RETURNED
    else:
        raise StatementError(file_name, where("status"), cell("status"),
                             f"bukan status yang dikenal layout {layout.name} (berhasil: "
                             f"{', '.join(sorted(layout.settled))}; kembali: {', '.join(sorted(layout.returned))})")
    amount = cell("amount")
    if amount is None:
        raise StatementError(file_name, where("amount"), "", "wajib diisi")
    rupiah = whole_rupiah(file_name, where("amount"), amount.replace(layout.decimal_mark, "."))
    day = cell("booking_date")
    try:
        booked = dt.datetime.strptime(day or "", layout.date_format).date()
    except ValueError:
        raise StatementError(file_name, where("booking_date"), day or "",
                             f"bukan tanggal berformat {layout.date_format}") from None
    code = cell("return_code") if status == RETURNED else None
    return StatementLine(line_no=line_no, end_to_end_id=end_to_end, amount=rupiah, account=cell("account"),
                         status=status, bank_reference=cell("bank_reference"), booking_date=booked,
                         return_code=code,
                         return_reason=reason_text(code, cell("return_reason")) if status == RETURNED else None,
                         where=f"baris {n}")
