"""The workflow's commands as an officer, a supervisor and an auditor use them: every change as a named user
(--as or BEASISWA_USER), a result line per claim and a total, refusals naming who, what and the rule,
Indonesian for what they read, and the exit status telling done (0), refused (1) or bad input (2)."""

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db import make_engine, upgrade
from ledger_support import ROOT, sqlite_database
from workflow_support import staffed_and_signed_in

SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"
CONTRACT = ROOT / "fixtures" / "cases" / "01-contoh-kontrak.json"
runner = CliRunner()


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("BEASISWA_USER", raising=False)
    url = sqlite_database(tmp_path, "cli.db")
    staffed_and_signed_in(url)
    return url


def run(db, *args, env=None):
    result = runner.invoke(app, [*args, "--db", db], env=env or {}, catch_exceptions=False)
    return result.exit_code, result.output


def intake(db):
    code, out = run(db, "intake", str(CONTRACT), str(SHEET), "--as", "ani")
    assert code == 0, out
    return out


def test_the_first_admin_is_made_on_an_empty_database_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(make_engine(url))
    made = runner.invoke(app, ["users", "bootstrap", "kepala", "--password-stdin", "--db", url],
                         input="kata-sandi-kepala\n")
    assert (made.exit_code, made.output) == (0, "admin pertama dibuat: kepala (KP); masuk dengan `beasiswa login "
                                                "kepala`\n")
    again = runner.invoke(app, ["users", "bootstrap", "lain", "--password-stdin", "--db", url],
                          input="kata-sandi-lain-1\n")
    assert again.exit_code == 1 and "USERS_EXIST" in again.output
    signed = runner.invoke(app, ["login", "kepala", "--password-stdin", "--db", url], input="kata-sandi-kepala\n")
    assert signed.exit_code == 0, signed.output
    assert run(url, "users", "add", "ani", "--role", "officer", "--office", "KC-PLG", "--as", "kepala")[0] == 0
    code, out = run(url, "users", "list")
    assert "ani" in out and "petugas" in out and "KC-PLG" in out


def test_a_change_without_a_named_user_is_refused_with_status_2(db):
    code, out = run(db, "intake", str(SHEET))
    assert code == 2 and "--as NAMA atau BEASISWA_USER" in out


def test_the_user_may_be_named_by_beasiswa_user(db):
    code, out = run(db, "intake", str(CONTRACT), env={"BEASISWA_USER": "ani"})
    assert code == 0, out
    assert "Ringkasan penerimaan berkas" in out


def test_intake_prints_a_summary_per_file_and_again_changes_nothing(db):
    out = intake(db)
    assert "01-contoh-kontrak.json" in out and "kc-plg-2025-07.csv" in out and "Jumlah" in out
    code, out = run(db, "intake", str(CONTRACT), str(SHEET), "--as", "ani")
    assert code == 0
    lines = [line.split() for line in out.splitlines() if line.strip().startswith(("01-", "kc-plg"))]
    assert lines == [["01-contoh-kontrak.json", "0", "0", "1", "0", "0", "0", "0", "0", "0", "1", "0"],
                     ["kc-plg-2025-07.csv", "0", "0", "5", "0", "0", "0", "0", "0", "0", "7", "0"]]


def test_an_unreadable_file_exits_2_and_a_refused_case_exits_1_naming_rows_and_reason(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(SHEET.read_bytes().replace(b",SMP,", b",SMU,", 1))
    code, out = run(db, "intake", str(bad), "--as", "ani")
    assert code == 1
    assert "kasus KC-PLG-2025-000123 (baris 2) tidak diterima [INVALID_ROWS]: baris 2, kolom level: 'SMU'" in out
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out = run(db, "intake", str(empty), "--as", "ani")
    assert code == 2 and "berkasnya kosong" in out


def test_another_offices_officer_is_refused_naming_the_office_rule(db):
    code, out = run(db, "intake", str(SHEET), "--as", "eko")
    assert code == 1
    assert "[OFFICE]: pengguna 'eko' (petugas, KC-SBY) tidak boleh menerima berkas klaim kasus KC-PLG-2025-000201 " \
           "milik kantor KC-PLG" in out


def test_an_officer_verifies_the_days_claims_and_a_supervisor_approves_and_pays_them(db):
    intake(db)
    code, out = run(db, "queue", "--mine", "--as", "ani")
    assert code == 0 and "4 klaim" in out
    code, out = run(db, "verify", "--all-decided", "--as", "ani")
    assert code == 0
    assert "✓ KC-PLG-2025-000123/klaim-1  diputuskan → diverifikasi (disetujui)  Rp3.000.000,00" in out
    assert "Jumlah: 4 berhasil, 0 gagal dari 4 klaim; nilai Rp18.500.000,00." in out
    code, out = run(db, "approve", "--all-verified", "--office", "KC-PLG", "--as", "budi")
    assert code == 0 and "Jumlah: 4 berhasil" in out
    code, out = run(db, "pay", "--all-approved", "--as", "budi")
    assert code == 0 and "jurnal #" in out and "Rp18.500.000,00" in out
    code, out = run(db, "queue", "--state", "paid")
    assert "4 klaim; nilai putusan disetujui Rp18.500.000,00." in out


def test_a_supervisor_who_verified_is_refused_the_approval_in_the_result_line_and_exit_1(db):
    intake(db)
    run(db, "verify", "KC-PLG-2025-000201/klaim-1", "--as", "budi")
    code, out = run(db, "approve", "KC-PLG-2025-000201/klaim-1", "KC-PLG-2025-000123/klaim-2", "--as", "budi")
    assert code == 1
    assert "✗ KC-PLG-2025-000201/klaim-1  tidak dapat menyetujui [FOUR_EYES]" in out
    assert "✗ KC-PLG-2025-000123/klaim-2  tidak dapat menyetujui [STATE]" in out
    assert "Jumlah: 0 berhasil, 2 gagal dari 2 klaim." in out


def test_an_auditor_reads_everything_and_changes_nothing(db):
    intake(db)
    code, out = run(db, "verify", "--all-decided", "--office", "KC-PLG", "--as", "gita")
    assert code == 1 and "[ROLE]: pengguna 'gita' (auditor, KP) tidak boleh memverifikasi" in out
    assert run(db, "queue")[0] == 0
    assert run(db, "show", "KC-PLG-2025-000201")[0] == 0


def test_an_auditor_asking_for_all_of_his_own_offices_claims_is_refused_not_told_there_is_nothing_to_do(db):
    intake(db)
    code, out = run(db, "verify", "--all-decided", "--as", "gita")  # gita's office, KP, has no claims
    assert code == 1 and "[ROLE]: pengguna 'gita' (auditor, KP) tidak boleh memverifikasi klaim" in out
    assert "Tidak ada klaim" not in out


def test_a_supervisor_asking_for_all_of_another_offices_claims_is_refused_naming_the_office(db):
    intake(db)
    code, out = run(db, "approve", "--all-verified", "--office", "KC-SBY", "--as", "budi")
    assert code == 1 and "[OFFICE]: pengguna 'budi' (pengawas, KC-PLG) tidak boleh menyetujui klaim milik kantor " \
                         "KC-SBY" in out


def test_a_bulk_action_as_an_unknown_user_is_refused_naming_the_user(db):
    code, out = run(db, "pay", "--all-approved", "--as", "siapa")
    assert code == 1 and "NOT_SIGNED_IN: pengguna 'siapa' belum masuk" in out  # no one of that name signed in


def test_show_tells_the_decision_with_its_trace_documents_payouts_letters_and_audit_trail(db):
    intake(db)
    code, out = run(db, "show", "KC-PLG-2025-000201/klaim-2")
    assert code == 0
    for text in ("Klaim KC-PLG-2025-000201/klaim-2", "dikembalikan", "Dokumen belum lengkap",
                 "documents_are_complete", "Permenaker", "Riwayat pembayaran: belum ada.", "Surat: belum ada.",
                 "Jejak audit", "decide"):
        assert text in out, text
    code, out = run(db, "show", "KC-PLG-2025-000123")
    assert "Riwayat pembayaran (jurnal)" in out and "(riwayat)" in out
    assert run(db, "show", "KC-PLG-2099-000001")[0] == 1


@pytest.mark.parametrize("query, expected", [("1671015505100003", "Siti Aminah"), ("12345678901", "Budi Santoso"),
                                             ("rahayu", "Dimas Prasetyo")])
def test_search_finds_cases_by_nik_kpj_or_name(db, query, expected):
    intake(db)
    code, out = run(db, "search", query)
    assert code == 0 and expected in out


def test_the_queue_shows_claims_waiting_longer_than_so_many_days(db):
    with freeze_time("2025-08-01 09:00:00"):
        intake(db)
    with freeze_time("2025-08-20 09:00:00"):
        assert "4 klaim" in run(db, "queue", "--state", "decided", "--older-than", "10")[1]
        assert "tidak ada klaim" in run(db, "queue", "--state", "decided", "--older-than", "30")[1]


def test_returned_claims_are_resubmitted_and_pending_ones_decided_once_arrears_are_settled(db):
    intake(db)
    code, out = run(db, "resubmit", "KC-PLG-2025-000201/klaim-2", "--documents", "bank_account", "--on",
                    "2025-08-04", "--as", "ani")
    assert code == 0 and "dikembalikan → diputuskan (disetujui)" in out
    code, out = run(db, "arrears", "KC-PLG-2025-000202", "--months", "0", "--as", "budi")
    assert code == 0 and "ditunda → diputuskan (disetujui)" in out


def test_a_rejected_claim_is_overridden_with_a_reason_or_appealed_and_an_empty_reason_or_pending_outcome_is_refused(db):
    intake(db)
    code, out = run(db, "override", "KC-PLG-2025-000204/klaim-1", "--outcome", "approved", "--reason",
                    "masa iur gabungan", "--as", "ani")
    assert code == 0 and "ditolak → diverifikasi (disetujui)" in out
    code, out = run(db, "appeal", "KC-PLG-2025-000203/klaim-2", "--reason", "", "--as", "ani")
    assert code == 1 and "APPEAL_REASON" in out
    code, out = run(db, "appeal", "KC-PLG-2025-000203/klaim-2", "--reason", "S2 dianggap S1", "--as", "ani")
    assert code == 0 and "ditolak → peninjauan kembali" in out
    code, out = run(db, "override", "KC-PLG-2025-000203/klaim-2", "--outcome", "pending", "--reason", "x", "--as", "ani")
    assert code == 1 and "OVERRIDE_OUTCOME" in out


def test_the_audit_command_lists_who_did_what(db):
    intake(db)
    run(db, "verify", "KC-PLG-2025-000201/klaim-1", "--as", "ani")
    code, out = run(db, "audit", "KC-PLG-2025-000201/klaim-1")
    assert code == 0 and "verify" in out and "ani" in out and "state=decided" in out


def test_a_claim_named_badly_is_bad_input(db):
    code, out = run(db, "verify", "KC-PLG-2025-000201", "--as", "ani")
    assert code == 2 and "is not CASE_ID/CLAIM_ID" in out


def test_the_database_must_be_at_the_workflows_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(make_engine(url), "0002_letters")
    code, out = run(url, "queue")
    assert code == 2 and "jalankan `beasiswa db upgrade`" in out

