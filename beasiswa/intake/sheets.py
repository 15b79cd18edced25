"""Intake spreadsheets: one row per claim, read from CSV or XLSX into case files.

A sheet repeats a case's participant and event, and a child's details, on every row that belongs to them;
the rows of one case must agree on those, or the case is refused. Each case is built as a
`beasiswa-case/1` dict and checked by the same strict reader as a JSON case file, so a sheet can say
nothing a case file can't. Errors name the row (as the office sees it in its spreadsheet, header = row 1)
and the column. A case with any invalid row is refused whole; the other cases of the file go on.

The columns are documented in fixtures/intake/README.md, with a template beside it.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from beasiswa.casefile import CASE_FORMAT, CaseFileError, parse_case, shown
from beasiswa.model import Case

CASE_COLUMNS = {
    "case_id": "case_id", "office": "office",
    "participant_kpj": "participant.kpj", "participant_nik": "participant.nik",
    "participant_name": "participant.name", "segment": "participant.segment",
    "contribution_months": "participant.contribution_months", "arrears_months": "participant.arrears_months",
    "event_kind": "event.kind", "event_date": "event.date",
}
CHILD_COLUMNS = {
    "child_id": "id", "child_nik": "nik", "child_name": "name", "child_birth_date": "birth_date",
    "child_relation": "relation", "child_married_on": "married_on", "child_employed_on": "employed_on",
    "child_designated": "designated",
}
CLAIM_COLUMNS = {
    "claim_id": "id", "academic_year": "academic_year", "level": "level", "institution": "institution",
    "submitted_on": "submitted_on", "documents": "documents", "payee": "payee",
    "account_bank": "account.bank", "account_number": "account.number", "account_holder": "account.holder",
}
REQUIRED = [c for c in [*CASE_COLUMNS, *CHILD_COLUMNS, *CLAIM_COLUMNS]
            if c not in {"child_married_on", "child_employed_on", "child_designated", "payee",
                         "account_bank", "account_number", "account_holder"}]
COLUMNS = [*CASE_COLUMNS, *CHILD_COLUMNS, *CLAIM_COLUMNS]
_INTEGER_COLUMNS = {"contribution_months", "arrears_months"}
_DATE_COLUMNS = {"event_date", "child_birth_date", "child_married_on", "child_employed_on", "submitted_on"}
_MAX_ROWS = 200_000
_FORMULA_START = ("+", "-", "@")
_FORMULA_WHITESPACE = ("\t", "\r")


class SheetError(ValueError):
    """The file as a whole can't be read as an intake sheet (encoding, empty, columns): nothing is taken."""


@attrs.frozen
class SheetCase:
    """One case of a sheet: the case, or why it is refused, with the rows it came from."""

    case_id: str
    rows: tuple[int, ...]
    case: Case | None
    errors: tuple[str, ...] = ()


@attrs.frozen
class _Row:
    number: int
    values: dict[str, Any]


def read_sheet(path: Path) -> list[SheetCase]:
    """Read a CSV or XLSX intake sheet into its cases, in the order they first appear."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, rows = _read_csv(path)
    elif suffix == ".xlsx":
        header, rows = _read_xlsx(path)
    else:
        raise SheetError(f"{path}: {suffix or 'tanpa ekstensi'!r} bukan lembar intake (.csv atau .xlsx)")
    return _cases(path, header, rows)


def _read_csv(path: Path) -> tuple[list[str], list[_Row]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"{path}: tidak dapat dibaca: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(f"{path}: bukan teks UTF-8 (byte {exc.start}), simpan lembar sebagai 'CSV UTF-8'") from None
    if not text.strip():
        raise SheetError(f"{path}: berkasnya kosong")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise SheetError(f"{path}: bukan berkas CSV yang sah: {exc}") from None
    header = [h.strip() for h in lines[0]]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise SheetError(f"{path}: baris {number}: {len(cells)} sel, padahal {len(header)} kolom")
        rows.append(_Row(number, dict(zip(header, cells))))
    return header, rows


def _read_xlsx(path: Path) -> tuple[list[str], list[_Row]]:
    # lazy: openpyxl, loaded only for an .xlsx sheet (a CSV one, and `beasiswa decide`, start without it)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not data_only: a formula must be seen as a formula (and refused), not as its cached result.
        book = load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError:
        raise SheetError(f"{path}: berkas tidak ada") from None
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"{path}: bukan workbook XLSX yang dapat dibaca ({exc})") from None
    try:
        sheet = book.worksheets[0]
        lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SheetError(f"{path}: workbook rusak ({exc})") from None
    finally:
        book.close()
    if not lines or not any(c not in (None, "") for c in lines[0]):
        raise SheetError(f"{path}: lembarnya kosong (header ada di baris 1)")
    header = ["" if h is None else str(h).strip() for h in lines[0]]
    rows = [_Row(n, dict(zip(header, cells))) for n, cells in enumerate(lines[1:], start=2)
            if any(c not in (None, "") for c in cells)]
    return header, rows


def _check_header(path: Path, header: list[str], rows: list[_Row]) -> None:
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if unknown or missing or duplicated:
        parts = []
        if missing:
            parts.append(f"kolom tidak ada {', '.join(missing)}")
        if unknown:
            parts.append(f"kolom tidak dikenal {', '.join(repr(u) for u in unknown)}")
        if duplicated:
            parts.append(f"kolom diberikan dua kali {', '.join(duplicated)}")
        raise SheetError(f"{path}: header: {'; '.join(parts)} (lihat fixtures/intake/README.md)")
    if not rows:
        raise SheetError(f"{path}: tidak ada baris di bawah header")
    if len(rows) > _MAX_ROWS:
        raise SheetError(f"{path}: {len(rows)} baris, paling banyak {_MAX_ROWS} dalam satu berkas")


def _cell(row: _Row, column: str) -> tuple[Any, str | None]:
    """A cell's value as the case file would hold it, or an error naming the row and column."""
    value = row.values.get(column)
    where = f"baris {row.number}, kolom {column}"
    if isinstance(value, str):
        raw, value = value, value.strip()
        if value.startswith("="):
            return None, f"{where}: {shown(value)} adalah rumus, isikan nilainya sendiri"
        # OWASP's other formula starters: a spreadsheet runs such a cell, here or wherever the text is shown
        # again. A number column refuses them as numbers below.
        if column not in _INTEGER_COLUMNS and (raw[:1] in _FORMULA_WHITESPACE or value[:1] in _FORMULA_START):
            return None, f"{where}: {shown(raw)} diawali seperti rumus (+, -, @, tab atau carriage return), " \
                         f"isikan nilainya sendiri"
        if value == "":
            value = None
    if value is None:
        return None, None
    if column in _DATE_COLUMNS and isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if column in _DATE_COLUMNS and isinstance(value, dt.date):
        return value.isoformat(), None
    if column in _DATE_COLUMNS:
        # Checked here, cell by cell, so a bad date is named in its own row rather than as the value the
        # case's other rows "differ" from.
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                return dt.date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            pass
        return None, f"{where}: {value!r} bukan tanggal (YYYY-MM-DD)"
    if column in _INTEGER_COLUMNS:
        if isinstance(value, bool):
            return None, f"{where}: {value!r} bukan bilangan bulat"
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        if isinstance(value, int):
            return value, None
        if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value):  # more digits: beyond any bound anyway
            return int(value), None
        return None, f"{where}: {shown(value)} bukan bilangan bulat (paling banyak 9 digit)"
    if column == "child_designated":
        if isinstance(value, bool):
            return value, None
        text = str(value).lower()
        if text in {"true", "ya", "yes", "1"}:
            return True, None
        if text in {"false", "tidak", "no", "0"}:
            return False, None
        return None, f"{where}: {value!r} bukan ya/tidak (true/false)"
    if column == "documents":
        return [d for d in re.split(r"[;,\s]+", str(value)) if d], None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An identifier typed as a number has lost its leading zeros, or its last digits (floats keep 15).
        return None, f"{where}: {value!r} adalah angka, isikan sebagai teks (format sel sebagai Text)"
    return str(value), None


def _set(target: dict, dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for parent in parents:
        target = target.setdefault(parent, {})
    target[leaf] = value


def _case_dict(rows: list[_Row]) -> tuple[dict | None, list[str], dict[str, int]]:
    """The case file of one case's rows; errors; and which row each claim came from (for messages)."""
    errors: list[str] = []
    case: dict = {"format": CASE_FORMAT, "children": [], "history": [], "claims": []}
    first_values: dict[str, tuple[Any, int]] = {}
    children: dict[str, dict] = {}
    claim_rows: dict[str, int] = {}

    def agreed(row: _Row, column: str, value: Any, scope: str) -> None:
        key = f"{scope}:{column}"
        if key not in first_values:
            first_values[key] = (value, row.number)
        elif first_values[key][0] != value:
            seen, at = first_values[key]
            errors.append(f"baris {row.number}, kolom {column}: {value!r} berbeda dari {seen!r} di baris {at} "
                          f"untuk {'kasus' if scope == 'case' else 'anak'} yang sama")

    for row in rows:
        cells = {}
        bad = set()
        for column in COLUMNS:
            value, error = _cell(row, column)
            if error:
                errors.append(error)
                bad.add(column)
            cells[column] = value
        for column, dotted in CASE_COLUMNS.items():
            if column not in bad:  # a bad cell is named by its own error, not compared with the others
                agreed(row, column, cells[column], "case")
            if cells[column] is not None:
                _set(case, dotted, cells[column])
        child_id = cells["child_id"]
        child = {"married_on": None, "employed_on": None, "designated": None}
        for column, field in CHILD_COLUMNS.items():
            if column not in bad:
                agreed(row, column, cells[column], f"child {child_id}")
            if cells[column] is not None:
                child[field] = cells[column]
        if child_id is not None and child_id not in children:
            children[child_id] = child
            case["children"].append(child)
        claim: dict = {"child": child_id}
        for column, dotted in CLAIM_COLUMNS.items():
            if cells[column] is not None:
                _set(claim, dotted, cells[column])
        claim.setdefault("documents", [])
        if claim.get("id") in claim_rows:
            errors.append(f"baris {row.number}, kolom claim_id: {claim['id']!r} sudah ada di baris "
                          f"{claim_rows[claim['id']]}")
            continue
        claim_rows[claim.get("id")] = row.number
        case["claims"].append(claim)
    return case, errors, claim_rows


def _where(message: str, case: dict, claim_rows: dict[str, int], first_row: int) -> str:
    """A case-file path in a message ('claims[2].level: ...') as the row and column of the sheet."""
    def claim_place(match: re.Match) -> str:
        index, field = int(match[1]), match[2]
        claim_id = case["claims"][index].get("id") if index < len(case["claims"]) else None
        columns = {v: k for k, v in CLAIM_COLUMNS.items()}  # "account.number" is the column account_number
        column = columns.get(field) or columns.get(field.split(".")[0], field.split(".")[0])
        return f"baris {claim_rows.get(claim_id, first_row)}, kolom {column}"

    def child_place(match: re.Match) -> str:
        index, field = int(match[1]), match[2]
        child_id = case["children"][index].get("id") if index < len(case["children"]) else None
        row = next((claim_rows[c["id"]] for c in case["claims"] if c.get("child") == child_id
                    and c.get("id") in claim_rows), first_row)
        column = {v: k for k, v in CHILD_COLUMNS.items()}.get(field, field)
        return f"baris {row}, kolom {column}"

    def case_place(match: re.Match) -> str:
        column = {v: k for k, v in CASE_COLUMNS.items()}.get(match[1], match[1])
        return f"baris {first_row}, kolom {column}"

    message = re.sub(r"claims\[(\d+)\]\.(\w+(?:\.\w+)*)", claim_place, message)
    message = re.sub(r"children\[(\d+)\]\.(\w+)", child_place, message)
    return re.sub(r"^((?:participant|event)\.\w+|case_id|office)(?=:)", case_place, message)


def _cases(path: Path, header: list[str], rows: list[_Row]) -> list[SheetCase]:
    _check_header(path, header, rows)
    by_case: dict[str, list[_Row]] = {}
    for row in rows:
        case_id = row.values.get("case_id")
        key = str(case_id).strip() if case_id not in (None, "") else f"(tanpa case_id, baris {row.number})"
        by_case.setdefault(key, []).append(row)
    out = []
    for case_id, case_rows in by_case.items():
        numbers = tuple(r.number for r in case_rows)
        data, errors, claim_rows = _case_dict(case_rows)
        case = None
        if not errors:
            try:
                case = parse_case(data)
            except CaseFileError as exc:
                errors = [_where(m, data, claim_rows, numbers[0]) for m in str(exc).split("; ")]
        out.append(SheetCase(case_id, numbers, case, tuple(errors)))
    return out


def case_rows(case: dict) -> list[dict[str, Any]]:
    """A case file's claims as sheet rows (its history is not a sheet's business: case files carry it)."""
    children = {c["id"]: c for c in case["children"]}
    rows = []
    for claim in case["claims"]:
        child = children[claim["child"]]
        row: dict[str, Any] = {}
        for column, dotted in CASE_COLUMNS.items():
            value: Any = case
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row[column] = value
        for column, field in CHILD_COLUMNS.items():
            row[column] = child.get(field)
        for column, dotted in CLAIM_COLUMNS.items():
            value = claim
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row[column] = value
        row["documents"] = ";".join(claim.get("documents", []))
        if row["child_designated"] is not None:
            row["child_designated"] = "ya" if row["child_designated"] else "tidak"
        rows.append({k: ("" if v is None else v) for k, v in row.items()})
    return rows


def write_template(path: Path, rows: Iterable[dict[str, Any]] = ()) -> None:
    """A CSV with the header (and any example rows): the template offices fill in."""
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
