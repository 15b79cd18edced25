"""`beasiswa db upgrade` and `beasiswa ledger record | reverse | verify` as an officer, a supervisor or an auditor
runs them: the writes as registered users of the case's office (workflow_support's staff: the officer `ani`
makes, the supervisor `budi` approves), refused with exit 1 otherwise, bad input with exit 2."""

import datetime as dt
import re

import attrs
import pytest
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db import head_revision
from beasiswa.model import Level
from ledger_support import (
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    school_path,
    sql,
    write_case,
)
from workflow_support import staffed_and_signed_in

runner = CliRunner()
WITH_HISTORY = case(history=school_path("anak-1", smp=2, last="2024/2025"),
                    claims=[claim("klaim-1"), claim("klaim-2", level=Level.S2, year="2026/2027")])


def run(*args):
    return runner.invoke(app, list(args))


MAKER, APPROVER = "ani", "budi"


def record(url, *files, maker=MAKER, approver=APPROVER):
    return run("ledger", "record", *map(str, files), "--as", maker, "--approver", approver, "--db", url)


def reverse(url, seq="3", *, maker=MAKER, approver=APPROVER, reason="rekening salah", key=()):
    return run("ledger", "reverse", seq, "--reason", reason, "--as", maker, "--approver", approver, *key,
               "--db", url)


@pytest.fixture
def staff(database):
    """The database with its users (workflow_support.PEOPLE)."""
    staffed_and_signed_in(database)
    return database


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


def test_record_registers_the_case_imports_its_history_and_pays_the_approved_claims(staff, case_file):
    database = staff
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


def test_recording_the_same_file_again_posts_nothing_twice(staff, case_file):
    database = staff
    record(database, case_file)
    again = record(database, case_file)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "KC-PLG-2025-000123: PP-82-2019, sudah terdaftar"
    assert "seq 3 (dibukukan sebelumnya)" in again.output
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 3


def test_a_case_the_rules_cannot_decide_among_good_ones_is_bad_input_and_writes_nothing(staff, case_file, tmp_path):
    too_early = write_case(tmp_path / "early.json", case(case_id="KC-PLG-2010-000001", event=attrs.evolve(
        WITH_HISTORY.event, date=dt.date(2010, 1, 4)), history=[], claims=[claim("klaim-1")]))
    result = record(staff, case_file, too_early)
    assert result.exit_code == 2, result.output
    assert "event.date: " in result.output
    assert sql(staff, "SELECT COUNT(*) AS n FROM cases")[0].n == 0


def test_a_bad_file_among_good_ones_writes_nothing(staff, case_file, tmp_path):
    database = staff
    bad = tmp_path / "bad.json"
    bad.write_text(case_file.read_text().replace('"SMA"', '"SMU"', 1))
    result = record(database, case_file, bad)
    assert result.exit_code == 2
    assert "'SMU' bukan jenjang sekolah" in result.output
    assert sql(database, "SELECT COUNT(*) AS n FROM cases")[0].n == 0


@pytest.mark.parametrize("maker, approver, rule", [
    (MAKER, "dedi", "ROLE"), ("gita", APPROVER, "ROLE"), ("eko", "fajar", "OFFICE"), (APPROVER, APPROVER, "FOUR_EYES")],
    ids=["officer approving", "auditor making", "other office", "maker is approver"])
def test_a_record_not_made_by_two_registered_people_of_the_office_with_their_roles_is_refused_with_status_1(
        staff, case_file, maker, approver, rule):
    result = record(staff, case_file, maker=maker, approver=approver)
    assert result.exit_code == 1, result.output
    assert f"KC-PLG-2025-000123: ditolak, tidak ada yang dicatat: {rule}: " in result.output
    assert sql(staff, "SELECT COUNT(*) AS n FROM cases")[0].n == 0


@pytest.mark.parametrize("maker, approver, option", [("nobody", APPROVER, "--as"), (MAKER, "nobody", "--approver")],
                         ids=["unregistered maker", "unregistered approver"])
def test_a_record_or_reversal_by_someone_not_signed_in_is_refused_with_status_1_and_nothing_written(
        staff, case_file, maker, approver, option):
    result = record(staff, case_file, maker=maker, approver=approver)
    assert result.exit_code == 1, result.output
    assert f"ledger record: {option} nobody: NOT_SIGNED_IN: pengguna 'nobody' belum masuk" in result.output
    assert sql(staff, "SELECT COUNT(*) AS n FROM cases")[0].n == 0
    record(staff, case_file)
    result = reverse(staff, maker=maker, approver=approver)
    assert result.exit_code == 1, result.output
    assert f"ledger reverse: {option} nobody: NOT_SIGNED_IN" in result.output
    assert sql(staff, "SELECT COUNT(*) AS n FROM journal")[0].n == 3


def test_a_record_without_a_user_is_bad_input(staff, case_file):
    result = run("ledger", "record", str(case_file), "--approver", APPROVER, "--db", staff)
    assert result.exit_code == 2
    assert "--as NAMA atau BEASISWA_USER" in result.output


def test_the_maker_may_come_from_the_environment_or_the_old_option_name(staff, case_file, monkeypatch):
    monkeypatch.setenv("BEASISWA_USER", MAKER)
    result = run("ledger", "record", str(case_file), "--approver", APPROVER, "--db", staff)
    assert result.exit_code == 0, result.output
    again = run("ledger", "record", str(case_file), "--maker", MAKER, "--approver", APPROVER, "--db", staff)
    assert "seq 3 (dibukukan sebelumnya)" in again.output


def test_a_successful_record_is_in_the_audit_trail_under_both_names(staff, case_file):
    record(staff, case_file)
    rows = sql(staff, "SELECT actor, action FROM audit_trail WHERE claim_id = 'klaim-1' ORDER BY seq")
    assert [tuple(r) for r in rows] == [(MAKER, "decide"), (MAKER, "verify"), (APPROVER, "approve"),
                                        (APPROVER, "pay")]


def test_a_case_whose_history_breaks_a_rule_is_refused_by_name_and_the_status_is_1(staff, tmp_path):
    database = staff
    broken = write_case(tmp_path / "broken.json",
                        case(history=school_path("anak-1", smp=4, last="2024/2025"), claims=[]))
    result = record(database, broken)
    assert result.exit_code == 1
    assert "KC-PLG-2025-000123: ditolak, tidak ada yang dicatat: LEVEL_YEARS_EXHAUSTED" in result.output


def test_reverse_posts_the_negated_amount_once_and_puts_the_claim_back_to_decided(staff, case_file):
    record(staff, case_file)
    first = reverse(staff)
    assert first.exit_code == 0, first.output
    assert first.output == ("seq 4: pembatalan seq 3, -Rp3.000.000,00, kasus KC-PLG-2025-000123 anak anak-1 "
                            "2025/2026\n"
                            "klaim KC-PLG-2025-000123/klaim-1: dibayar → diputuskan (decided); diverifikasi dan "
                            "disetujui kembali sebelum dibayar lagi\n")
    assert sql(staff, "SELECT state FROM claims WHERE claim_id = 'klaim-1'")[0].state == "decided"
    [row] = sql(staff, "SELECT actor, action, note FROM audit_trail WHERE action = 'reverse'")
    assert tuple(row) == (MAKER, "reverse", "rekening salah")
    assert reverse(staff).output.endswith("(dibukukan sebelumnya)\n")
    again = reverse(staff, key=("--key", "another"))
    assert again.exit_code == 1
    assert "ALREADY_REVERSED: payout seq 3 sudah dibalik oleh seq 4" in again.output


@pytest.mark.parametrize("maker, approver, rule", [
    (MAKER, "dedi", "ROLE"), ("gita", APPROVER, "ROLE"), ("eko", "fajar", "OFFICE"), (APPROVER, APPROVER, "FOUR_EYES")],
    ids=["officer approving", "auditor making", "other office", "maker is approver"])
def test_a_reversal_not_made_by_two_registered_people_of_the_office_is_refused_with_status_1(
        staff, case_file, maker, approver, rule):
    record(staff, case_file)
    result = reverse(staff, maker=maker, approver=approver)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"kesalahan: {rule}: ")
    assert sql(staff, "SELECT COUNT(*) AS n FROM journal")[0].n == 3


def test_a_reversal_by_a_deactivated_supervisor_is_refused(staff, case_file):
    record(staff, case_file)
    assert run("users", "deactivate", APPROVER, "--as", "admin", "--db", staff).exit_code == 0
    result = reverse(staff, approver=APPROVER)
    assert result.exit_code == 1
    assert result.output.startswith("kesalahan: ledger reverse: --approver budi (token dari ")
    assert "SESSION_ENDED: token sudah diakhiri (pengguna dinonaktifkan)" in result.output  # ended with the account


def test_a_reversal_without_a_user_is_bad_input(staff, case_file):
    record(staff, case_file)
    result = run("ledger", "reverse", "3", "--reason", "x", "--approver", APPROVER, "--db", staff)
    assert result.exit_code == 2


def test_verify_says_ok_with_the_entry_count_and_head_hash(staff, case_file):
    database = staff
    record(database, case_file)
    result = run("ledger", "verify", "--db", database)
    assert result.exit_code == 0
    head = sql(database, "SELECT hash FROM journal WHERE seq = 3")[0].hash
    assert result.output == f"OK: 3 entri, hash ujung {head}\n"


def test_verify_exits_1_naming_the_broken_seq(tmp_path, case_file):
    import sqlite3
    url = f"sqlite:///{tmp_path / 'l.db'}"
    run("db", "upgrade", "--db", url)
    staffed_and_signed_in(url)
    record(url, case_file)
    conn = sqlite3.connect(tmp_path / "l.db")
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET office = 'KC-JKT' WHERE seq = 2")
    conn.commit()
    result = run("ledger", "verify", "--db", url)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == ("RUSAK pada seq 2: office 'KC-JKT' di baris, 'KC-PLG' "
                                            "di bytes yang di-hash")
