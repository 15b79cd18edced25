"""A case from decoded JSON or from a file: structured, then checked across fields."""

import datetime as dt
from pathlib import Path
from typing import Any

import cattrs

from beasiswa.casefile.checks import (
    account_problems,
    check_accounts,
    check_dates,
    check_history,
    check_ids,
    check_references,
)
from beasiswa.casefile.convert import CASE_FORMAT, CONVERTER, messages, structure_case
from beasiswa.casefile.errors import CaseFileError, shown
from beasiswa.casefile.json_text import loads
from beasiswa.law import default_law
from beasiswa.model import BankAccount, Case


def parse_case(data: Any, today: dt.date | None = None, law=None, accounts: bool = True) -> Case:
    """A Case from decoded JSON, or CaseFileError naming every invalid field.

    With `today` (read at the edge, never here), payouts in `history` for an academic year that begins after
    it are refused too; the year's first day comes from `law` (default: the law shipped). With `accounts`
    (the default, for a file coming in), every claim's account is held to the bank table; a case file read back
    from the database was held to it when it came in, and is not refused later for a bank the table has since
    dropped (`accounts=False`)."""
    if not isinstance(data, dict):
        raise CaseFileError(f"berkas kasus harus berupa objek JSON, bukan {type(data).__name__}")
    if data.get("format") != CASE_FORMAT:
        raise CaseFileError(f"format: {shown(data.get('format'))} bukan {CASE_FORMAT!r}")
    try:
        case = structure_case(data)
    except cattrs.BaseValidationError as exc:
        raise CaseFileError("; ".join(messages(exc))) from None
    problems = check_ids(case) + check_references(case) + check_dates(case)
    if accounts:
        problems += check_accounts(case)
    if today is not None:
        if law is None:
            law = default_law()
        problems += check_history(case, today, law.year_start)
    if problems:
        raise CaseFileError("; ".join(problems))
    return case


def parse_account(data: Any, path: str = "account") -> BankAccount:
    """An account typed by an officer (bank, number, holder as text), held to the same rules as a case file's:
    the strict text of every field, then the bank table; CaseFileError naming each field under `path`."""
    if not isinstance(data, dict):
        raise CaseFileError(f"{path}: {shown(data)} bukan rekening (bank, number, holder)")
    try:
        account = CONVERTER.structure(data, BankAccount)
    except cattrs.BaseValidationError as exc:
        raise CaseFileError("; ".join(f"{path}.{m}" if not m.startswith(path) else m for m in messages(exc))) from None
    problems = account_problems(account, path)
    if problems:
        raise CaseFileError("; ".join(problems))
    return account


def read_case(path: Path, today: dt.date | None = None) -> Case:
    """Read a case file; a file that cannot be read or decoded is a CaseFileError like any other. A UTF-8
    byte-order mark at the start (as some editors write) is taken as UTF-8. `today` as for `parse_case`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"{path}: berkas tidak ada") from None
    except IsADirectoryError:
        raise CaseFileError(f"{path}: sebuah direktori, bukan berkas kasus") from None
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: bukan teks UTF-8 (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: tidak dapat dibaca: {exc.strerror}") from None
    try:
        return parse_case(loads(text), today)
    except CaseFileError as exc:
        raise CaseFileError(f"{path}: {exc}") from None
