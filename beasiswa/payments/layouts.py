"""The banks' own bulk-upload CSV files, written from their layouts in data/layouts.toml and nothing else: the
separator, the quoting, the date format, the amount's decimals, the header and trailer lines (with the batch's
count and total) and a transfer's columns are the data's. Pure; the same batch always gives the same bytes.
"""

import csv
import datetime as dt
import io
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import attrs

from beasiswa.payments.batch import BatchFile, PaymentDataError, TransferLine

LAYOUTS_FILE = Path(__file__).parent / "data" / "layouts.toml"
BATCH_FIELDS = ("batch_id", "file_name", "value_date", "created_on", "count", "total", "debtor_name",
                "debtor_account", "debtor_bank_code", "debtor_bic")
TRANSFER_FIELDS = ("end_to_end_id", "account_number", "account_holder", "amount", "bank_code", "bic", "bank_name",
                   "remittance", "case_id", "claim_id", "child_id", "academic_year", "level", "line")
QUOTING = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": csv.QUOTE_NONE}
LINE_ENDS = {"crlf": "\r\n", "lf": "\n"}
_FIELD = re.compile(r"\{(\w+)(?::(\d+))?\}")
_KEYS = {"name", "source", "basis", "separator", "quoting", "date_format", "amount_decimals", "line_end", "header",
         "columns", "trailer"}


class LayoutRefused(ValueError):
    """A batch cannot be written in a layout (a value the layout cannot carry); the message names it."""


@attrs.frozen
class Layout:
    key: str
    name: str
    source: str
    basis: str
    separator: str
    quoting: str
    date_format: str
    amount_decimals: int
    line_end: str
    header: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...]
    trailer: tuple[tuple[str, ...], ...]


def _cells(value, where: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    if not (isinstance(value, list) and all(isinstance(c, str) for c in value)):
        raise PaymentDataError(f"{where}: a list of cells (text), got {value!r}")
    for cell in value:
        for name, _ in _FIELD.findall(cell):
            if name not in fields:
                raise PaymentDataError(f"{where}: {{{name}}} is no field here (known: {', '.join(fields)})")
    return tuple(value)


def _layout(key: str, entry: dict, source: str) -> Layout:
    where = f"{source}: [{key}]"
    extra = sorted(set(entry) - _KEYS)
    if extra:
        raise PaymentDataError(f"{where}: unknown field(s) {', '.join(extra)}")
    for field in ("name", "source", "basis", "separator", "quoting", "date_format", "line_end"):
        if not isinstance(entry.get(field), str):
            raise PaymentDataError(f"{where}.{field}: required text")
    if len(entry["separator"]) != 1 or entry["separator"] in "\"\r\n":
        raise PaymentDataError(f"{where}.separator: one character, not a quote or a line break, "
                               f"got {entry['separator']!r}")
    for field, known in (("quoting", QUOTING), ("line_end", LINE_ENDS)):
        if entry[field] not in known:
            raise PaymentDataError(f"{where}.{field}: one of {', '.join(known)}, got {entry[field]!r}")
    if entry.get("amount_decimals") not in (0, 2):
        raise PaymentDataError(f"{where}.amount_decimals: 0 or 2, got {entry.get('amount_decimals')!r}")
    lines = {}
    for field in ("header", "trailer"):
        value = entry.get(field, [])
        if not isinstance(value, list):
            raise PaymentDataError(f"{where}.{field}: a list of lines, got {value!r}")
        lines[field] = tuple(_cells(line, f"{where}.{field}[{i}]", BATCH_FIELDS) for i, line in enumerate(value))
    columns = _cells(entry.get("columns"), f"{where}.columns", BATCH_FIELDS + TRANSFER_FIELDS)
    if not columns:
        raise PaymentDataError(f"{where}.columns: at least one column")
    return Layout(key, entry["name"], entry["source"], entry["basis"], entry["separator"], entry["quoting"],
                  entry["date_format"], entry["amount_decimals"], entry["line_end"], lines["header"], columns,
                  lines["trailer"])


def load_layouts(text: str, source: str = LAYOUTS_FILE.name) -> dict[str, Layout]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PaymentDataError(f"{source}: cannot be read: {exc}") from exc
    return {key: _layout(key, entry, source) for key, entry in data.items()}


@lru_cache(maxsize=1)
def layouts() -> dict[str, Layout]:
    return load_layouts(LAYOUTS_FILE.read_text(encoding="utf-8"))


def layout(key: str) -> Layout:
    found = layouts().get(key)
    if found is None:
        raise PaymentDataError(f"{LAYOUTS_FILE.name}: no layout {key!r} (known: {', '.join(layouts())})")
    return found


def _amount(rupiah: int, decimals: int) -> str:
    return f"{rupiah}.00" if decimals == 2 else str(rupiah)


def _batch_values(batch: BatchFile, lay: Layout, file_name: str) -> dict[str, str]:
    return {"batch_id": batch.batch_id, "file_name": file_name,
            "value_date": batch.value_date.strftime(lay.date_format),
            "created_on": dt.date.fromisoformat(batch.created_at[:10]).strftime(lay.date_format),
            "count": str(batch.count), "total": _amount(batch.total, lay.amount_decimals),
            "debtor_name": batch.debtor.name, "debtor_account": batch.debtor.account_number,
            "debtor_bank_code": batch.debtor.bank.code, "debtor_bic": batch.debtor.bank.bic}


def _transfer_values(t: TransferLine, line: int, lay: Layout) -> dict[str, str]:
    return {"end_to_end_id": t.end_to_end_id, "account_number": t.account_number,
            "account_holder": " ".join(t.account_holder.split()), "amount": _amount(t.amount, lay.amount_decimals),
            "bank_code": t.bank.code, "bic": t.bank.bic, "bank_name": t.bank.name, "remittance": t.remittance,
            "case_id": t.case_id, "claim_id": t.claim_id, "child_id": t.child_id,
            "academic_year": t.academic_year, "level": t.level, "line": str(line)}


def _fill(cell: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        value = values[match[1]]
        return value[:int(match[2])] if match[2] else value
    return _FIELD.sub(one, cell)


def write(batch: BatchFile, lay: Layout, file_name: str) -> bytes:
    """The batch in the layout, UTF-8; LayoutRefused when a value cannot be carried (quoting "none")."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=lay.separator, quoting=QUOTING[lay.quoting],
                        lineterminator=LINE_ENDS[lay.line_end], escapechar=None)
    values = _batch_values(batch, lay, file_name)
    rows = [[_fill(c, values) for c in line] for line in lay.header]
    rows += [[_fill(c, {**values, **_transfer_values(t, i, lay)}) for c in lay.columns]
             for i, t in enumerate(batch.transfers, start=1)]
    rows += [[_fill(c, values) for c in line] for line in lay.trailer]
    for row in rows:
        try:
            writer.writerow(row)
        except csv.Error:
            bad = next(c for c in row if lay.separator in c or '"' in c or "\n" in c or "\r" in c)
            raise LayoutRefused(f"{lay.key}: {bad!r} memuat pemisah, tanda kutip atau baris baru, yang tidak dapat "
                                f"dimuat tata letak ini (quoting none)") from None
    return out.getvalue().encode("utf-8")
