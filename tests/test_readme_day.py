"""The README's "A day at the branch office", run as written: so the README cannot drift from what the
commands do.

The section's shell blocks (``$ command`` lines followed by what it prints) run in order, in an empty folder
holding a copy of the KC-PLG intake sheet, with the installed `beasiswa` on the PATH and no database or user in
the environment (the token file of `beasiswa login` in the folder's own config/). Every command must exit 0
unless its line shows the status (``; echo "exit $?"``). What the
README shows after a command must be what it printed, line by line (runs of spaces folded, since table widths
follow the terminal); a line ``...`` stands for any number of lines. What changes from one run to the next is
masked on both sides: dates and times of the day the test runs (the README shows the day it was written) and
hashes (entries carry the time they were posted).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## A day at the branch office"
# The Letters section goes on with the same folder in the first block after this line.
CONTINUED = "Continuing the day above:"
SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"

MONTHS = ("Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember")
_VOLATILE = (
    (re.compile(r"\b[0-9a-f]{64}\b"), "<hash>"),
    (re.compile(r"\b[0-9a-f]{16}…"), "<hash>…"),
    (re.compile(r"\b\d{1,2}\.\d{2} (WIB|WITA|WIT|UTC)\b"), "<jam>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b"), "<waktu>"),
    (re.compile(r"[─━]+"), "─"),  # a table's rule is as wide as its columns
)


@attrs.frozen
class Step:
    command: str
    expected: tuple[str, ...]
    line: int  # in README.md, for the failure message


def day_steps(readme: str) -> list[Step]:
    """The commands of the day section's blocks, then of the Letters section's block that continues the day,
    each with the lines the README shows after it."""
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == SECTION)
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"#{1,3} ", lines[i])), len(lines))
    steps = _steps(lines, start, end)
    later = next(i for i, line in enumerate(lines) if line.rstrip().endswith(CONTINUED))
    opening = next(i for i in range(later + 1, len(lines)) if lines[i].startswith("```"))
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].startswith("```"))
    return steps + _steps(lines, later, closing + 1)


def _steps(lines: list[str], start: int, end: int) -> list[Step]:
    steps: list[Step] = []
    in_block = False
    command: list[str] = []
    expected: list[str] = []
    at = 0

    def close() -> None:
        if command:
            steps.append(Step(" ".join(command), tuple(expected), at))

    i = start
    while i < end:
        line = lines[i]
        if line.startswith("```"):
            if in_block:
                close()
                command, expected = [], []
            in_block = not in_block and line.strip() == "```"
            i += 1
            continue
        if in_block and line.startswith("$ "):
            close()
            command, expected, at = [], [], i + 1
            text = line[2:]
            while text.rstrip().endswith("\\"):
                command.append(text.rstrip()[:-1].strip())
                i += 1
                text = lines[i]
            command.append(_without_comment(text).strip())
        elif in_block and command and not re.match(r"\s{8,}#", line):  # an aside's second line: not output
            expected.append(line)
        i += 1
    return steps


def _without_comment(text: str) -> str:
    """`$ beasiswa show X      # what it shows`: the README's aside after the command is not run."""
    return re.split(r"\s{2,}#\s", text, maxsplit=1)[0]


def mask(text: str, today_dates: set[str]) -> str:
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    for date_text in today_dates:
        text = text.replace(date_text, "<hari ini>")
    return " ".join(text.split())


def matches(expected: list[str], actual: list[str]) -> str | None:
    """None when `actual` is what `expected` shows (``...`` skipping lines); else what first differs."""
    expected = [line for line in expected if line]
    actual = [line for line in actual if line]

    def walk(e: int, a: int) -> str | None:
        while e < len(expected):
            if expected[e] == "...":
                if e + 1 == len(expected):
                    return None
                for skip in range(a, len(actual) + 1):
                    if walk(e + 1, skip) is None:
                        return None
                return f"nothing after '...' matches {expected[e + 1]!r}"
            if a >= len(actual):
                return f"expected {expected[e]!r}, the output ended"
            if expected[e] != actual[a]:
                return f"expected {expected[e]!r}\n     got {actual[a]!r}"
            e, a = e + 1, a + 1
        return None if a == len(actual) else f"unexpected line {actual[a]!r}"

    return walk(0, 0)


def _dates_of_today() -> set[str]:
    """Today as the commands print it (a command run near midnight UTC may print yesterday's or tomorrow's)."""
    from babel.dates import format_date
    import datetime as dt

    today = dt.date.today()
    return {format_date(today + dt.timedelta(days=d), "d MMMM y", locale="id_ID") for d in (-1, 0, 1)}


@pytest.fixture(scope="module")
def day_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hari")
    shutil.copy(SHEET, folder / SHEET.name)
    return folder


def _environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEASISWA_")}
    env["XDG_CONFIG_HOME"] = str(folder / "config")  # `beasiswa login`'s token file: the day's own
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "120"
    env["TERM"] = "dumb"
    return env


def test_the_readme_shows_a_day_of_commands():
    steps = day_steps(README.read_text(encoding="utf-8"))
    assert len(steps) >= 15
    assert all(step.command.startswith(("beasiswa ", "cp ", "printf ")) for step in steps)


def test_the_day_at_the_branch_office_runs_as_the_readme_shows_it(day_folder):
    steps = day_steps(README.read_text(encoding="utf-8"))
    env = _environment(day_folder)
    today = _dates_of_today()
    for step in steps:
        result = subprocess.run(["bash", "-c", step.command], cwd=day_folder, env=env, capture_output=True,
                                text=True, timeout=300)
        shown_status = re.search(r'echo "exit \$\?"', step.command)
        where = f"README.md line {step.line}: $ {step.command}"
        assert shown_status or result.returncode == 0, (
            f"{where}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}")
        actual = [mask(line, today) for line in (result.stdout + result.stderr).splitlines()]
        expected = [mask(line, today) for line in step.expected]
        difference = matches(expected, actual)
        assert difference is None, f"{where}\n{difference}\n--- printed:\n{result.stdout}{result.stderr}"


def test_an_ellipsis_line_stands_for_any_lines_and_nothing_else():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"]) is None
    assert matches(["a", "d"], ["a", "b", "d"]) is not None
    assert matches(["a", "..."], ["a"]) is None
    assert matches(["a"], ["a", "b"]) is not None
