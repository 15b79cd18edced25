"""What a new user meets first (issue 11, point 5): a command run before `db upgrade` creates nothing and says
what to run; a mistyped SQLite URL is answered with the URL meant; a mistyped claim id with the nearest ids;
a file that cannot be taken in is one error in one wording; a refusal is printed whole."""

import pytest
from typer.testing import CliRunner

from beasiswa.cli import app
from ledger_support import ROOT, sqlite_database
from workflow_support import staffed_and_signed_in

SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"
runner = CliRunner()


def run(*args, env=None):
    result = runner.invoke(app, list(args), env=env or {}, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("BEASISWA_USER", raising=False)
    url = sqlite_database(tmp_path, "cli.db")
    staffed_and_signed_in(url)
    return url


# ------------------------------------------------------------------------------------------- before db upgrade

@pytest.mark.parametrize("command", [["queue"], ["show", "KC-PLG-2025-000201"], ["users", "list"],
                                     ["ledger", "verify"], ["intake", str(SHEET), "--as", "ani"],
                                     ["letters", "render", "--out", "surat", "--as", "ani"]])
def test_a_command_before_db_upgrade_creates_no_database_and_says_to_run_db_upgrade(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BEASISWA_DATABASE_URL", raising=False)
    code, out = run(*command)
    assert code == 2, out
    assert "basis data sqlite:///beasiswa.db belum ada" in out and "jalankan `beasiswa db upgrade`" in out
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_is_the_command_that_creates_the_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BEASISWA_DATABASE_URL", raising=False)
    assert run("db", "upgrade")[0] == 0
    assert (tmp_path / "beasiswa.db").exists()
    assert run("users", "list")[0] == 0


# ------------------------------------------------------------------------------------------- database URL

def test_a_sqlite_url_with_two_slashes_is_answered_with_the_url_meant(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = run("queue", "--db", "sqlite://beasiswa.db")
    assert code == 2
    assert "maksudnya sqlite:///beasiswa.db?" in out and "Invalid SQLite URL" not in out
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_url_with_three_slashes_is_the_file_here(tmp_path, monkeypatch, db):
    monkeypatch.chdir(tmp_path)
    assert run("users", "list", "--db", "sqlite:///cli.db")[0] == 0


# ------------------------------------------------------------------------------------------- mistyped ids

def intake(db):
    code, out = run("intake", str(SHEET), "--as", "ani", "--db", db)
    assert code == 0, out


def test_show_of_a_mistyped_case_id_suggests_the_nearest_registered_ids(db):
    intake(db)
    code, out = run("show", "KC-PLG-2025-0002", "--db", db)
    assert code == 1
    assert "CASE_NOT_FOUND: kasus KC-PLG-2025-0002 tidak terdaftar; mungkin maksud Anda: " in out
    assert "KC-PLG-2025-000202" in out.split("mungkin maksud Anda:")[1]


def test_show_of_a_mistyped_claim_id_suggests_the_claims_of_that_case(db):
    intake(db)
    code, out = run("show", "KC-PLG-2025-000201/klaim2", "--db", db)
    assert code == 1
    assert out.split("mungkin maksud Anda: ")[1].split(", ")[0] == "KC-PLG-2025-000201/klaim-2"


def test_an_id_near_nothing_registered_gets_no_suggestion(db):
    intake(db)
    code, out = run("show", "ZZZZ", "--db", db)
    assert code == 1 and "tidak terdaftar" in out and "mungkin" not in out


def test_an_action_on_a_mistyped_claim_id_suggests_the_nearest_claims(db):
    intake(db)
    code, out = run("verify", "KC-PLG-2025-00201/klaim-1", "--as", "ani", "--db", db, env={"COLUMNS": "60"})
    assert code == 1
    assert ("[CLAIM_NOT_FOUND]: klaim KC-PLG-2025-00201/klaim-1 tidak terdaftar; mungkin maksud Anda: "
            "KC-PLG-2025-000201/klaim-1") in out


def test_arrears_of_a_mistyped_case_id_suggests_the_nearest_cases(db):
    intake(db)
    code, out = run("arrears", "KC-PLG-2025-00202", "--as", "ani", "--db", db)
    assert code == 1 and "mungkin maksud Anda: KC-PLG-2025-000202" in out


# ------------------------------------------------------------------------------------------- whole messages

@pytest.mark.parametrize(("action", "flag"), [("verify", "--all-decided"), ("approve", "--all-verified"),
                                              ("pay", "--all-approved")])
def test_a_refusal_of_all_of_an_offices_claims_names_the_option_whole(db, action, flag):
    code, out = run(action, flag, "--as", "gita", "--db", db, env={"COLUMNS": "40"})
    assert code == 1
    assert f"kesalahan: {action} {flag}: [ROLE]: pengguna 'gita' (auditor, KP) tidak boleh" in out
    assert "…" not in out and "\n" not in out.strip()


def test_office_without_all_names_the_option_to_add(db):
    code, out = run("pay", "KC-PLG-2025-000201/klaim-1", "--office", "KC-PLG", "--as", "budi", "--db", db)
    assert code == 2 and "--office hanya bersama --all-approved" in out and "…" not in out


# ------------------------------------------------------------------------------------------- intake of a missing file

@pytest.mark.parametrize("name", ["nosuch.csv", "nosuch.xlsx", "nosuch.json"])
def test_intake_of_a_missing_file_is_one_error_in_one_wording_and_no_summary(db, tmp_path, name):
    code, out = run("intake", str(tmp_path / name), "--as", "ani", "--db", db)
    assert code == 2
    assert out == f"kesalahan: {tmp_path / name}: berkas tidak ditemukan\n"


def test_intake_with_one_missing_file_takes_in_none_of_the_others(db, tmp_path):
    code, out = run("intake", str(SHEET), str(tmp_path / "nosuch.csv"), "--as", "ani", "--db", db)
    assert code == 2 and "berkas tidak ditemukan" in out
    assert run("queue", "--db", db) == (0, "Antrean klaim: terbuka: tidak ada klaim.\n")


def test_a_file_that_cannot_be_read_is_its_reason_alone_without_a_table_of_blanks(db, tmp_path):
    bad = tmp_path / "rusak.json"
    bad.write_text("x", encoding="utf-8")
    code, out = run("intake", str(bad), "--as", "ani", "--db", db)
    assert code == 2
    assert out.startswith(f"✗ {bad}: ") and "Ringkasan" not in out and "berkas\n" not in out
