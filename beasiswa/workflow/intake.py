"""Intake: the files an office sends, case by case into the workflow, with a summary per file.

A case file (JSON, `beasiswa-case/1`) is one case; an intake sheet (CSV or XLSX, `beasiswa.intake.sheets`)
holds any number, each taken or refused whole. A file that cannot be read at all (not UTF-8, empty, not JSON,
a sheet without the required columns) is refused whole and names why; nothing of it is taken. Every case is
taken in its own transaction (`Workflow.take_in`), so a refused case never leaves anything behind and never
stops the others. Taking the same file in again changes nothing: its cases are registered already.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from beasiswa.casefile import CaseFileError, read_case
from beasiswa.intake.sheets import SheetError, read_sheet
from beasiswa.model import Case, Refusal
from beasiswa.workflow.results import CaseIntake
from beasiswa.workflow.service import Workflow

SHEETS = (".csv", ".xlsx")


@attrs.frozen
class Unit:
    """One case as a file gives it: the case, or why it can't be taken; `rows` for a sheet's cases."""

    case_id: str
    case: Case | None
    errors: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()

    @property
    def claims(self) -> int:
        return len(self.case.claims) if self.case else len(self.rows) or 1

    @property
    def where(self) -> str:
        if not self.rows:
            return ""
        return f"baris {self.rows[0]}" if len(self.rows) == 1 else f"baris {self.rows[0]}–{self.rows[-1]}"


class IntakeFileError(ValueError):
    """The file as a whole can't be read; the message names the file and why."""


def missing_file(path: Path) -> str | None:
    """Why `path` is no file to take in (it does not exist, or is a folder), in one wording whatever its
    kind; None when it is a file."""
    path = Path(path)
    if path.is_file():
        return None
    return f"{path}: {'adalah folder, bukan berkas' if path.is_dir() else 'berkas tidak ditemukan'}"


def read_units(path: Path, today: dt.date | None = None) -> list[Unit]:
    """The cases of one file, in the order they appear; `today` (from the edge) refuses a case file whose
    history holds a payout for a year not begun yet."""
    path = Path(path)
    if (missing := missing_file(path)) is not None:
        raise IntakeFileError(missing)
    suffix = path.suffix.lower()
    if suffix in SHEETS:
        try:
            return [Unit(c.case_id, c.case, c.errors, c.rows) for c in read_sheet(path)]
        except SheetError as exc:
            raise IntakeFileError(str(exc)) from None
    if suffix == ".json":
        try:
            case = read_case(path, today)
        except CaseFileError as exc:
            raise IntakeFileError(str(exc)) from None
        return [Unit(case.case_id, case)]
    raise IntakeFileError(f"{path}: {suffix or 'tanpa ekstensi'!r} bukan berkas penerimaan (.json berkas kasus, "
                          f".csv atau .xlsx lembar penerimaan)")


@attrs.frozen
class CaseLine:
    """One case of a file in the summary: what became of it."""

    unit: Unit
    result: CaseIntake

    @property
    def refused_claims(self) -> int:
        return self.unit.claims if self.result.status == "refused" else 0


@attrs.frozen
class FileSummary:
    path: str
    error: str | None = None
    lines: tuple[CaseLine, ...] = ()

    def _cases(self, *statuses: str) -> int:
        return sum(1 for line in self.lines if line.result.status in statuses)

    @property
    def cases_taken(self) -> int:
        return self._cases("new", "added")

    @property
    def cases_new(self) -> int:
        return self._cases("new")

    @property
    def cases_added(self) -> int:
        """Registered cases that this file added claims to (counted once more in no batch's total of cases)."""
        return self._cases("added")

    @property
    def cases_unchanged(self) -> int:
        return self._cases("unchanged")

    @property
    def cases_refused(self) -> int:
        return self._cases("refused")

    @property
    def claims_taken(self) -> int:
        return sum(len(line.result.taken) for line in self.lines)

    @property
    def claims_unchanged(self) -> int:
        return sum(line.result.unchanged for line in self.lines)

    @property
    def claims_refused(self) -> int:
        return sum(line.refused_claims for line in self.lines)

    @property
    def outcomes(self) -> Counter:
        return Counter(t.outcome for line in self.lines for t in line.result.taken)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cases_refused


def take_in_file(workflow: Workflow, path: Path, user_for: Callable[[Case], str | None],
                 today: dt.date | None = None, *, source: str | None = None) -> FileSummary:
    """Take in every case of a file, each as the user `user_for(case)` names (by the case's office).
    `source`: what the summary, its messages and the audit rows call the file (an upload's own name, not where
    the server kept it); the path by default."""
    source = source or str(path)
    try:
        units = read_units(path, today)
    except IntakeFileError as exc:
        return FileSummary(source, error=str(exc).replace(str(path), source))
    readable = [u for u in units if u.case is not None]
    results = iter(workflow.take_in_all([(u.case, user_for(u.case)) for u in readable], source=source))
    lines = []
    for unit in units:
        if unit.case is None:
            result = CaseIntake(unit.case_id, "refused", refusal=Refusal("INVALID_ROWS", "; ".join(unit.errors)))
        else:
            result = next(results)
        lines.append(CaseLine(unit, result))
    return FileSummary(source, lines=tuple(lines))


def take_in_files(workflow: Workflow, paths: Sequence[Path], user_for: Callable[[Case], str | None],
                  today: dt.date | None = None) -> list[FileSummary]:
    """Each file in turn; a file that can't be read is refused whole and the others go on."""
    return [take_in_file(workflow, Path(path), user_for, today) for path in paths]
