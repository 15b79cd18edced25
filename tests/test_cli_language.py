"""Everything an officer, supervisor or auditor reads from the command line is Indonesian: every command's help
page (found by walking the app, so a command added later is covered without a change here), the usage errors
a typo gets, and the lines the commands print. Identifiers of the JSON contract stay as the contract has them.
"""

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.cli.locale import translate_error
from ledger_support import sqlite_database
from workflow_support import signed_in, staffed

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "fixtures" / "cases" / "01-contoh-kontrak.json"
runner = CliRunner(env={"COLUMNS": "300"})  # wide: a help text or trace line is not wrapped


def flat(output: str) -> str:
    """The text of a Rich panel or table as one line: borders dropped, wrapped lines joined."""
    return re.sub(r"\s+", " ", output.replace("│", " "))

# Typer's and click's English chrome, and the type names they show instead of what a value is.
ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "Show this message", "[default:", "[required]",
           "[env var:", "<bool>", "<str>", "<int>", "<list[", "<path>", "<Path>", "{files}", "Try '")


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the app, as the words typed to reach it."""
    root = typer.main.get_command(app)
    paths = []

    def walk(command, path):
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(root, ())
    return paths


def test_the_walk_finds_every_command_and_group():
    paths = {" ".join(p) for p in command_paths()}
    assert {"", "decide", "show", "verify", "ledger", "ledger report", "letters render", "users add"} <= paths
    assert len(paths) > 30


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "beasiswa")
def test_every_help_page_is_indonesian(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    found = [word for word in ENGLISH if word in result.output]
    assert not found, f"{' '.join(path)} --help shows {found}:\n{result.output}"
    assert "Cara pakai: " in result.output and "Tampilkan bantuan ini lalu keluar." in result.output


@pytest.mark.parametrize("path", [p for p in command_paths() if p], ids=lambda p: " ".join(p))
def test_every_command_and_option_has_an_indonesian_help_text(path):
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no help text"
    for param in command.params:
        assert getattr(param, "help", None), f"{' '.join(path)}: {param.name} has no help text"


def test_the_help_lists_the_documents_with_their_indonesian_names():
    output = flat(runner.invoke(app, ["return", "--help"]).output)
    assert "bank_account (buku tabungan atas nama anak atau wali)" in output


@pytest.mark.parametrize("command, values", [
    (["queue"], ["decided (diputuskan)", "appealed (peninjauan kembali)"]),
    (["users", "add"], ["officer (petugas)", "supervisor (pengawas)"]),
    (["override"], ["approved (disetujui)", "rejected (ditolak)"]),
    (["decide"], ["text|json"]),
    (["ledger", "report"], ["table|csv|xlsx", "all (semua)"]),
])
def test_the_help_lists_the_valid_values(command, values):
    output = flat(runner.invoke(app, [*command, "--help"]).output)
    for value in values:
        assert value in output


@pytest.mark.parametrize("args, expected", [
    (["decide", "--bogus"], "opsi --bogus tidak dikenal"),
    (["decide"], "argumen 'BERKAS_KASUS' wajib diisi."),
    (["decide", "-f", "xml", "x.json"], "nilai tidak sah untuk '--format' / '-f': 'xml' bukan salah satu dari"),
    (["queue", "--limit", "0"], "nilai tidak sah untuk '--limit': paling kecil 1"),
    (["perintah-salah"], "perintah 'perintah-salah' tidak dikenal"),
    (["search", "a", "b"], "argumen berlebih: b"),
])
def test_a_typo_on_the_command_line_is_told_in_indonesian_with_status_2(args, expected):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert expected in flat(result.output), result.output
    assert "Kesalahan" in result.output and "Error" not in result.output


def test_an_english_message_no_pattern_knows_is_left_as_it_is():
    assert translate_error("Something new from click.") == "Something new from click."


@pytest.fixture
def database(tmp_path):
    return sqlite_database(tmp_path, "b.db")


def test_show_and_verify_of_the_same_unknown_claim_say_the_same(database):
    shown = runner.invoke(app, ["show", "KC-PLG-2025-000999/klaim-1", "--db", database])
    verified = runner.invoke(app, ["verify", "KC-PLG-2025-000999/klaim-1", "--db", database, "--as", "admin"])
    assert shown.exit_code == 1
    message = "klaim KC-PLG-2025-000999/klaim-1 tidak terdaftar"
    assert "CLAIM_NOT_FOUND" in shown.output and message in shown.output
    staffed(database).engine.dispose()
    signed_in(database, ["ani"])
    verified = runner.invoke(app, ["verify", "KC-PLG-2025-000999/klaim-1", "--db", database, "--as", "ani"])
    assert "CLAIM_NOT_FOUND" in verified.output and message in verified.output


def test_show_of_an_unknown_case_names_the_case_in_indonesian(database):
    shown = runner.invoke(app, ["show", "KC-PLG-2025-000999", "--db", database])
    assert shown.exit_code == 1 and "kasus KC-PLG-2025-000999 tidak terdaftar" in shown.output


def test_the_upgrade_and_verify_lines_are_indonesian(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert upgraded.output.startswith(f"basis data {url}: pada revisi ") and "(terbaru)" in upgraded.output
    verified = runner.invoke(app, ["ledger", "verify", "--db", url])
    assert verified.output.startswith("OK: 0 entri, hash ujung ")


def test_the_period_all_is_shown_as_semua_in_the_table_and_stays_all_in_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    runner.invoke(app, ["db", "upgrade", "--db", url])
    runner.invoke(app, ["ledger", "record", str(CASE), "--maker", "ani", "--approver", "budi", "--db", url])
    table = runner.invoke(app, ["ledger", "report", "--by", "", "--period", "all", "--db", url],
                          terminal_width=200).output
    assert re.search(r"^\s+semua\s+0\s", table, re.M) and not re.search(r"\ball\b", table)
    csv = runner.invoke(app, ["ledger", "report", "--by", "", "--period", "all", "--format", "csv", "--db", url])
    assert csv.stdout.splitlines()[1].startswith('"all",')


def test_a_missing_document_is_named_in_indonesian_in_the_trace_and_the_json_keeps_its_identifiers(tmp_path):
    case = json.loads(CASE.read_text(encoding="utf-8"))
    claim = case["claims"][0]
    claim["documents"] = [d for d in claim["documents"] if d != "report_card"]
    path = tmp_path / "kasus.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    text = runner.invoke(app, ["decide", str(path), "--trace"]).output
    assert "kurang: rapor atau transkrip nilai terakhir" in text
    decided = json.loads(runner.invoke(app, ["decide", str(path), "--format", "json"]).stdout)
    returned = next(d for d in decided["decisions"] if d["claim"] == claim["id"])
    assert returned["outcome"] == "returned"
    assert [r["code"] for r in returned["reasons"]] == ["DOCUMENTS_INCOMPLETE"]
