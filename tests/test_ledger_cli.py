"""`beasiswa db upgrade` and `beasiswa ledger record | reverse | verify` as an officer or auditor runs them."""

import re

import pytest
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db import head_revision
from beasiswa.model import Level
from ledger_support import (
    APPROVER,
    MAKER,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    school_path,
    sql,
    write_case,
)

runner = CliRunner()
WITH_HISTORY = case(history=school_path("anak-1", smp=2, last="2024/2025"),
                    claims=[claim("klaim-1"), claim("klaim-2", level=Level.S2, year="2026/2027")])


def run(*args):
    return runner.invoke(app, list(args))


def record(url, *files, maker=MAKER, approver=APPROVER):
    return run("ledger", "record", *map(str, files), "--maker", maker, "--approver", approver, "--db", url)


@pytest.fixture
def case_file(tmp_path):
    return write_case(tmp_path / "case.json", WITH_HISTORY)


def test_db_upgrade_creates_the_database_and_says_its_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run("db", "upgrade", "--db", url)
    assert result.exit_code == 0, result.output
    assert result.output == f"basis data {url}: pada revisi {head_revision()} (terbaru)\n"
    assert run("db", "upgrade", "--db", url).exit_code == 0


def test_the_database_url_may_come_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("BEASISWA_DATABASE_URL", url)
    assert run("db", "upgrade").output.startswith(f"basis data {url}:")


def test_recording_into_a_database_not_yet_upgraded_is_refused_with_the_command_to_run(tmp_path, case_file):
    result = record(f"sqlite:///{tmp_path / 'empty.db'}", case_file)
    assert result.exit_code == 2
    assert "jalankan `beasiswa db upgrade`" in result.output


def test_record_registers_the_case_imports_its_history_and_pays_the_approved_claims(database, case_file):
    result = record(database, case_file)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "KC-PLG-2025-000123: PP-82-2019, riwayat: 2 pembayaran diimpor"
    assert re.fullmatch(r"  klaim-1 +dibayar +Rp3\.000\.000,00  seq 3", lines[1])
    assert re.fullmatch(r"  klaim-2 +ditolak +tidak dibayar \(LEVEL_NOT_COVERED\)", lines[2])
    assert [tuple(r) for r in sql(database, "SELECT seq, source, claim_id FROM journal ORDER BY seq")] == [
        (1, "history", None), (2, "history", None), (3, "ledger", "klaim-1")]
    decision = sql(database, "SELECT outcome, amount FROM claims WHERE claim_id = 'klaim-2'")[0]
    assert tuple(decision) == ("rejected", 0)


def test_recording_the_same_file_again_posts_nothing_twice(database, case_file):
    record(database, case_file)
    again = record(database, case_file)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "KC-PLG-2025-000123: PP-82-2019, sudah terdaftar"
    assert "seq 3 (dibukukan sebelumnya)" in again.output
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 3


def test_a_bad_file_among_good_ones_writes_nothing(database, case_file, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(case_file.read_text().replace('"SMA"', '"SMU"', 1))
    result = record(database, case_file, bad)
    assert result.exit_code == 2
    assert "'SMU' is not a school level" in result.output
    assert sql(database, "SELECT COUNT(*) AS n FROM cases")[0].n == 0


def test_maker_and_approver_must_differ_on_the_command_line(database, case_file):
    result = record(database, case_file, approver=MAKER)
    assert result.exit_code == 2
    assert "MAKER_IS_APPROVER" in result.output


def test_a_case_whose_history_breaks_a_rule_is_refused_by_name_and_the_status_is_1(database, tmp_path):
    broken = write_case(tmp_path / "broken.json",
                        case(history=school_path("anak-1", smp=4, last="2024/2025"), claims=[]))
    result = record(database, broken)
    assert result.exit_code == 1
    assert "KC-PLG-2025-000123: ditolak, tidak ada yang dicatat: LEVEL_YEARS_EXHAUSTED" in result.output


def test_reverse_posts_the_negated_amount_once(database, case_file):
    record(database, case_file)
    args = ("ledger", "reverse", "3", "--reason", "rekening salah", "--maker", MAKER, "--approver", APPROVER,
            "--db", database)
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert first.output == ("seq 4: pembatalan seq 3, -Rp3.000.000,00, kasus KC-PLG-2025-000123 anak anak-1 "
                            "2025/2026\n")
    assert run(*args).output.endswith("(dibukukan sebelumnya)\n")
    again = run(*args[:-2], "--key", "another", "--db", database)
    assert again.exit_code == 1
    assert "ALREADY_REVERSED: payout seq 3 was reversed by seq 4" in again.output


def test_verify_says_ok_with_the_entry_count_and_head_hash(database, case_file):
    record(database, case_file)
    result = run("ledger", "verify", "--db", database)
    assert result.exit_code == 0
    head = sql(database, "SELECT hash FROM journal WHERE seq = 3")[0].hash
    assert result.output == f"OK: 3 entri, hash ujung {head}\n"


def test_verify_exits_1_naming_the_broken_seq(tmp_path, case_file):
    import sqlite3
    url = f"sqlite:///{tmp_path / 'l.db'}"
    run("db", "upgrade", "--db", url)
    record(url, case_file)
    conn = sqlite3.connect(tmp_path / "l.db")
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET office = 'KC-JKT' WHERE seq = 2")
    conn.commit()
    result = run("ledger", "verify", "--db", url)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == ("RUSAK pada seq 2: office is 'KC-JKT' in the row but 'KC-PLG' "
                                            "in the hashed bytes")
