"""Properties of the readers over arbitrary and mutated input (hypothesis, derandomized): every case file and
every intake sheet is either decided or refused with a message naming a field (or the row and column), never
a traceback; a refused file or case writes nothing to the database."""

import copy
import json
import re
import tempfile
from pathlib import Path

from audit_support import run
from builders import LAW, case, child, claim, payout
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from beasiswa.casefile import CaseFileError, case_to_json, loads, parse_case
from beasiswa.db import make_engine
from beasiswa.intake.sheets import COLUMNS, SheetError, case_rows, read_sheet, write_template
from beasiswa.rules import InvalidCase, decide
from beasiswa.workflow.intake import IntakeFileError, read_units
from ledger_support import database  # noqa: F401 - fixture
from workflow_support import staffed_and_signed_in

PROPERTY = settings(derandomize=True, max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
THROUGH_THE_DATABASE = settings(PROPERTY, max_examples=25)

BASE = case_to_json(case(children=[child("anak-1"), child("anak-2", other_cases=("KC-JKT-2024-000042",))],
                         history=[payout("anak-1", "2024/2025", "SMP")],
                         claims=[claim("klaim-1"), claim("klaim-2", "anak-2", level="SMP")]))
# A field path, as the case file's messages write it ("claims[0].level", "participant.name", "event.date").
FIELD = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: ")
FILE_LEVEL = ("bukan JSON yang sah", "bukan teks UTF-8", "berkasnya kosong", "berkas kasus harus berupa objek JSON",
              "field ", "field tidak dikenal ")  # the last two name the field: given twice, or unknown at the top

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["", " ", "KC-PLG", "../../etc/KC-PLG", "KC-PLG\u200b", "=1+1", "+62", "-", "@x", "\tx", "2025-07-21",
     "2026/2027", "2025/2025", "SMU", "S2", "death", "anak-1", "klaim-1", "1671015505100003", "null"])
NUMBER = st.integers() | st.sampled_from([2**63, 2**64 - 1, int("9" * 40), -1, 0, 1200, 1201]) | st.floats()
SCALAR = st.none() | st.booleans() | NUMBER | TEXT
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                     max_leaves=8)


def paths(node, prefix=()):
    """Every place in a decoded case file: (path, node) pairs."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


PLACES = [p for p, _ in paths(BASE) if p]


@st.composite
def mutated_case(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(PLACES))
        parent = data
        try:
            for part in place[:-1]:
                parent = parent[part]
            leaf = place[-1]
            if not isinstance(parent, (dict, list)) or (isinstance(parent, list) and leaf >= len(parent)) \
                    or (isinstance(parent, dict) and leaf not in parent):
                continue
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed what held this place
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[leaf] = draw(VALUE)
        elif action == "delete":
            del parent[leaf]
        elif isinstance(parent, dict):
            parent[draw(TEXT)] = draw(VALUE)
    return data


def decided_or_refused(text_or_bytes) -> str:
    """'decided' or 'refused'; anything else (an exception other than the reader's) fails the test."""
    try:
        a_case = parse_case(loads(text_or_bytes))
    except CaseFileError as exc:
        message = str(exc)
        assert FIELD.match(message) or message.startswith(FILE_LEVEL), message
        return "refused"
    try:
        decide(a_case, LAW)
    except InvalidCase as exc:
        assert FIELD.match(str(exc)), exc
        return "refused"
    return "decided"


@PROPERTY
@given(mutated_case())
def test_a_mutated_case_file_is_decided_or_refused_naming_a_field(data):
    decided_or_refused(json.dumps(data))


@PROPERTY
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_as_a_case_file_are_refused_in_plain_words(data):
    assert decided_or_refused(data) == "refused"


@PROPERTY
@given(VALUE)
def test_any_json_value_as_a_case_file_is_refused_in_plain_words(value):
    assert decided_or_refused(json.dumps(value)) == "refused"


ROW_AND_COLUMN = re.compile(r"^baris \d+, kolom [a-z_.]+(\[\d+\])?: ")
CELL = TEXT | st.integers().map(str) | st.sampled_from(["9" * 40, "-5", "1e3", "ya", "2099-01-01"])


@st.composite
def mutated_rows(draw):
    rows = case_rows(BASE)
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(COLUMNS))] = draw(CELL)
    return rows


def read_rows(rows, folder: Path) -> list:
    path = folder / "intake.csv"
    write_template(path, rows)
    try:
        return read_sheet(path)
    except SheetError as exc:
        assert str(exc).startswith(str(path)), exc
        return []


@PROPERTY
@given(mutated_rows())
def test_a_mutated_intake_sheet_gives_cases_or_errors_naming_the_row_and_column(rows):
    with tempfile.TemporaryDirectory() as folder:
        for sheet_case in read_rows(rows, Path(folder)):
            if sheet_case.case is None:
                assert sheet_case.errors and all(ROW_AND_COLUMN.match(e) for e in sheet_case.errors), \
                    sheet_case.errors
            else:
                try:
                    decide(sheet_case.case, LAW)
                except InvalidCase as exc:
                    assert FIELD.match(str(exc)), exc


def counts(url: str) -> tuple[int, ...]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                         for table in ("cases", "children", "claims", "journal", "audit_trail"))
    finally:
        engine.dispose()


@THROUGH_THE_DATABASE
@given(data=mutated_case(), as_sheet=st.booleans())
def test_intake_of_a_mutated_file_takes_it_or_refuses_it_without_a_trace_or_a_row(database, data, as_sheet):
    staffed_once(database)
    before = counts(database)
    with tempfile.TemporaryDirectory() as folder:
        if as_sheet:
            try:
                rows = case_rows(data)
            except Exception:  # noqa: BLE001 - a file too broken to be laid out as rows: a sheet of other rows
                rows = case_rows(BASE)
                rows[0]["case_id"] = "../../etc/KC-PLG"
            path = Path(folder) / "intake.csv"
            write_template(path, rows)
        else:
            path = Path(folder) / "case.json"
            path.write_text(json.dumps(data), encoding="utf-8")
        result = run("intake", str(path), "--as", "ani", "--db", database)
        try:
            units = read_units(path)
        except IntakeFileError:
            units = []
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2 or all(unit.case is None for unit in units):
        # The file, or every case in it, refused: not a row written, not even to the audit trail.
        assert result.exit_code != 0 and counts(database) == before, result.stdout


_STAFFED: set[str] = set()


def staffed_once(url: str) -> None:
    if url not in _STAFFED:
        staffed_and_signed_in(url)
        _STAFFED.add(url)
