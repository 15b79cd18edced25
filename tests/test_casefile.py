"""The case file contract (shared/case-format.md) at the command line: a valid file round-trips; an invalid one
is decided not at all, and `beasiswa decide` exits with status 2 and one line naming the field and the value.
Also what the officer reads: the text explanation names each outcome in Indonesian, and `beasiswa rules`
shows the scheme in force on the day asked (today when no day is given)."""

import copy
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from beasiswa.casefile import CaseFileError, case_to_json, parse_case, read_case
from beasiswa.cli import app

BEASISWA = Path(sys.executable).parent / "beasiswa"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted((FIXTURES / "cases").glob("*.json"))
CONTRACT_EXAMPLE = FIXTURES / "cases" / "01-contoh-kontrak.json"
THREE_CHILDREN = FIXTURES / "cases" / "02-tiga-anak.json"

# What the text explanation calls each outcome (Indonesian, for the family).
OUTCOME_IN_INDONESIAN = {"approved": "DISETUJUI", "rejected": "DITOLAK", "returned": "DIKEMBALIKAN",
                         "pending": "DITUNDA"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def beasiswa(*args) -> subprocess.CompletedProcess:
    """The installed command, as another system or an officer runs it."""
    return subprocess.run([str(BEASISWA), *map(str, args)], capture_output=True, text=True, timeout=120)


def changed(path: Path, where: tuple, value) -> dict:
    """The case file at `path` with one value replaced; `where` is the keys and indexes down to it."""
    data = copy.deepcopy(read_json(path))
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return data


def with_extra_field(path: Path, where: tuple, name: str, value) -> dict:
    data = copy.deepcopy(read_json(path))
    target = data
    for key in where:
        target = target[key]
    target[name] = value
    return data


def file_of(data: dict, encoding: str = "utf-8") -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode(encoding)


def documents_order_aside(data: dict) -> dict:
    data = copy.deepcopy(data)
    for claim in data["claims"]:
        claim["documents"] = sorted(claim["documents"])
    return data


# ---- a valid file round-trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_a_valid_case_file_read_and_written_again_is_the_same_file_documents_order_aside(path):
    assert documents_order_aside(case_to_json(read_case(path))) == documents_order_aside(read_json(path))


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_a_case_written_out_and_read_back_is_the_same_case(path):
    case = read_case(path)
    assert parse_case(json.loads(json.dumps(case_to_json(case)))) == case


# ---- an invalid file is refused: exit status 2, the field and the value named ------------------------------

# name: (the file's bytes, or None for no file at all; what the message must say)
REFUSED = {
    "a level that bukan jenjang sekolah": (
        file_of(changed(CONTRACT_EXAMPLE, ("claims", 0, "level"), "SMU")),
        ["claims[0].level: 'SMU' bukan jenjang sekolah (TK, "]),
    "a field the contract does not have": (
        file_of(with_extra_field(CONTRACT_EXAMPLE, ("participant",), "email", "budi@example.com")),
        ["participant: field tidak dikenal 'email'"]),
    "a date that does not exist": (
        file_of(changed(CONTRACT_EXAMPLE, ("event", "date"), "2023-02-30")),
        ["event.date: '2023-02-30' bukan tanggal"]),
    "a claim naming a child the case does not have": (
        file_of(changed(CONTRACT_EXAMPLE, ("claims", 0, "child"), "anak-2")),
        ["claims[0].child: 'anak-2' bukan anak dalam kasus ini (anak-1)"]),
    "a NIK of 15 digits": (
        file_of(changed(CONTRACT_EXAMPLE, ("participant", "nik"), "167101150780001")),
        ["participant.nik: '167101150780001' bukan NIK (16 digit)"]),
    "a NIK of a province that does not exist": (
        file_of(changed(CONTRACT_EXAMPLE, ("children", 0, "nik"), "2071015505100003")),
        ["children[0].nik: '2071015505100003' bukan NIK: kode provinsi 20 tidak ada"]),
    "a NIK whose birth date does not exist": (
        file_of(changed(CONTRACT_EXAMPLE, ("children", 0, "nik"), "1671017102100003")),
        ["children[0].nik: '1671017102100003' bukan NIK: tanggal lahir 710210 (DDMMYY) tidak ada"]),
    "a KPJ of 10 digits": (
        file_of(changed(CONTRACT_EXAMPLE, ("participant", "kpj"), "1234567890")),
        ["participant.kpj: '1234567890' bukan KPJ (11 digit)"]),
    "a KPJ given as a number": (
        file_of(changed(CONTRACT_EXAMPLE, ("participant", "kpj"), 12345678901)),
        ["participant.kpj: 12345678901 bukan teks"]),
    "contribution months given as text": (
        file_of(changed(CONTRACT_EXAMPLE, ("participant", "contribution_months"), "48")),
        ["participant.contribution_months: '48' bukan bilangan bulat"]),
    "designated given as yes": (
        file_of(changed(CONTRACT_EXAMPLE, ("children", 0, "designated"), "yes")),
        ["children[0].designated: 'yes' bukan true atau false"]),
    "documents given as one text instead of a list": (
        file_of(changed(CONTRACT_EXAMPLE, ("claims", 0, "documents"), "claim_form")),
        ["claims[0].documents: 'claim_form' bukan daftar (list)"]),
    "history given as text instead of a list": (
        file_of(changed(CONTRACT_EXAMPLE, ("history",), "none")),
        ["history: 'none' bukan daftar (list)"]),
    "another format": (
        file_of(changed(CONTRACT_EXAMPLE, ("format",), "beasiswa-case/2")),
        ["format: 'beasiswa-case/2' bukan 'beasiswa-case/1'"]),
    "a value that looks like terminal markup": (
        file_of(changed(CONTRACT_EXAMPLE, ("claims", 0, "level"), "[/SMA]")),
        ["claims[0].level: '[/SMA]' bukan jenjang sekolah"]),
    "a spreadsheet row instead of JSON": (
        b"KPJ;NIK;Nama\n12345678901;1671011507800001;Budi Santoso\n",
        ["bukan JSON yang sah: baris 1 kolom 1"]),
    "text that is not UTF-8": (
        file_of(changed(CONTRACT_EXAMPLE, ("participant", "name"), "Budi Santosó"), encoding="latin-1"),
        ["bukan teks UTF-8"]),
    "an empty file": (b"", ["berkasnya kosong"]),
    "a missing file": (None, ["berkas tidak ada"]),
    "three children designated where the scheme allows two": (
        file_of({**read_json(THREE_CHILDREN),
                 "children": [{**c, "designated": True} for c in read_json(THREE_CHILDREN)["children"]]}),
        ["children[].designated: 3 children are designated (anak-1, anak-2, anak-3); PP 82/2019 allows at most 2"]),
}


@pytest.fixture(scope="module")
def refusals(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """Each invalid file decided by the installed command, one process each, run side by side."""
    folder = tmp_path_factory.mktemp("refused")
    paths = {}
    for number, (name, (content, _)) in enumerate(REFUSED.items()):
        paths[name] = folder / f"case-{number:02d}.json"
        if content is not None:
            paths[name].write_bytes(content)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        runs = pool.map(lambda path: beasiswa("decide", path, "--format", "json"), paths.values())
        return {name: (paths[name], run) for name, run in zip(paths, runs)}


@pytest.mark.parametrize("name", REFUSED)
def test_an_invalid_case_file_is_refused_with_status_2_and_one_line_naming_the_field_and_the_value(name, refusals):
    path, run = refusals[name]
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith(f"kesalahan: {path}: ")
    assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n")
    for words in REFUSED[name][1]:
        assert words in run.stderr


def test_a_level_that_is_not_a_school_level_is_named_first_with_its_field_path(refusals):
    path, run = refusals["a level that bukan jenjang sekolah"]
    message = run.stderr.removeprefix(f"kesalahan: {path}: ")
    assert message.startswith("claims[0].level: 'SMU' bukan jenjang sekolah")


def test_a_value_that_looks_like_terminal_markup_is_shown_as_it_is(refusals):
    _, run = refusals["a value that looks like terminal markup"]
    assert "Traceback" not in run.stderr
    assert "'[/SMA]'" in run.stderr


# ---- what the officer reads ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [FIXTURES / "cases" / name for name in (
    "02-tiga-anak.json", "07-tunggakan-pemberi-kerja.json", "10-terlambat-dan-belum-dimulai.json")],
    ids=lambda path: path.stem)
def test_the_text_explanation_names_each_claims_outcome_in_indonesian(path):
    run = beasiswa("decide", path)
    assert run.returncode == 0, run.stderr
    text = ANSI.sub("", run.stdout)
    expected = read_json(FIXTURES / "expected" / f"{path.stem}.decision.json")["decisions"]
    shown = re.findall(r"\b(DISETUJUI|DITOLAK|DIKEMBALIKAN|DITUNDA)\b", text)
    assert shown == [OUTCOME_IN_INDONESIAN[d["outcome"]] for d in expected]
    for d in expected:
        assert f"Klaim {d['claim']}:" in text


def test_the_rules_for_an_event_on_1_december_2019_are_those_of_pp_44_2015():
    run = beasiswa("rules", "--on", "2019-12-01")
    assert run.returncode == 0, run.stderr
    assert "PP 44/2015 untuk peristiwa pada 1 Desember 2019" in run.stdout
    assert "Beasiswa sekaligus" in run.stdout and "Rp174.000.000,00" not in run.stdout


def test_the_rules_for_an_event_on_2_december_2019_are_those_of_pp_82_2019():
    run = beasiswa("rules", "--on", "2019-12-02")
    assert run.returncode == 0, run.stderr
    assert "PP 82/2019 untuk peristiwa pada 2 Desember 2019" in run.stdout
    assert "Rp174.000.000,00" in run.stdout and "Beasiswa sekaligus" not in run.stdout


@pytest.mark.parametrize(("today", "shown"), [
    ("2019-11-30", "PP 44/2015 untuk peristiwa pada 30 November 2019"),
    ("2024-08-17", "PP 82/2019 untuk peristiwa pada 17 Agustus 2024"),
])
def test_the_rules_without_a_day_are_those_in_force_today(today, shown):
    with freeze_time(today):
        result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    assert shown in ANSI.sub("", result.output)


def test_the_rules_for_a_day_before_any_scheme_are_refused_with_status_2():
    run = beasiswa("rules", "--on", "2014-01-01")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("kesalahan: --on: 2014-01-01")


def test_the_rules_for_a_day_that_does_not_exist_are_refused_with_status_2():
    run = beasiswa("rules", "--on", "2019-13-01")
    assert run.returncode == 2
    assert run.stderr.startswith("kesalahan: --on: '2019-13-01' bukan tanggal")


# ---- starting fast ------------------------------------------------------------------------------------------

# What `decide` and `rules` never use: the database layer, PDF letters, spreadsheets. Every run of the command
# imports beasiswa.cli, which registers the ledger's, letters' and workflow's commands, so none of their
# modules may import these at load; a command that needs one imports it when it runs.
NOT_FOR_DECIDING = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "weasyprint", "openpyxl")
LOADED_PROBE = """
import sys
case, not_for_deciding = sys.argv[1], set(sys.argv[2:])
def loaded(after):
    print(f"after {after}:", sorted({name.split(".")[0] for name in sys.modules} & not_for_deciding), file=sys.stderr)
import beasiswa.cli
loaded("import beasiswa.cli")
for args in (["decide", case, "--format", "json"], ["decide", case], ["rules"]):
    try:
        beasiswa.cli.app(args, prog_name="beasiswa")
    except SystemExit as exit:
        if exit.code:
            raise
    loaded(" ".join(args[:1] + args[2:]))
"""


def test_deciding_a_case_or_showing_the_rules_loads_no_database_pdf_or_spreadsheet_library():
    run = subprocess.run([sys.executable, "-c", LOADED_PROBE, str(CONTRACT_EXAMPLE), *NOT_FOR_DECIDING],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == ["after import beasiswa.cli: []", "after decide --format json: []",
                                       "after decide: []", "after rules: []"]


# ---- the letters' additions (issue 11): address, guardian, children[].address ------------------------------

def test_the_letters_additions_are_read_and_a_case_without_them_writes_none():
    data = read_json(CONTRACT_EXAMPLE)
    plain = case_to_json(parse_case(data))
    assert not {"address", "guardian"} & set(plain) and "address" not in plain["children"][0]
    data.update(address=["Jalan Merdeka Nomor 12", "Palembang 30111"], guardian="Rahmawati")
    data["children"][0]["address"] = ["Jalan Masjid Al Gazali, Indralaya"]
    case = parse_case(data)
    assert (case.address, case.guardian, case.children[0].address) == (
        ("Jalan Merdeka Nomor 12", "Palembang 30111"), "Rahmawati", ("Jalan Masjid Al Gazali, Indralaya",))
    assert documents_order_aside(case_to_json(case)) == documents_order_aside(data)


@pytest.mark.parametrize("field, value, message", [
    ("address", "Jalan Merdeka Nomor 12", "address: 'Jalan Merdeka Nomor 12' bukan daftar (list)"),
    ("address", ["Jalan Merdeka", 12], "address[1]: 12 bukan teks"),
    ("guardian", "", "guardian: '' kosong"),
])
def test_a_letters_addition_of_the_wrong_kind_is_refused_naming_the_field(field, value, message):
    data = read_json(CONTRACT_EXAMPLE)
    data[field] = value
    with pytest.raises(CaseFileError, match=re.escape(message)):
        parse_case(data)
