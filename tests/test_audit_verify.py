"""`beasiswa audit verify` checks the journal, the audit trail's chain and the claims against the journal, and
names each finding with its seq or row; anchors kept outside the database (`ledger head`, `ledger anchor`)
show what no chain can: its last entries deleted. Tampering is done behind the application's back, its
guarding triggers dropped first, on SQLite and PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from beasiswa.access.chain import chained_rows, head
from beasiswa.audit import crosscheck
from beasiswa.audit.trail import verify_trail
from beasiswa.db import make_engine, upgrade
from beasiswa.db.migrate import _config
from beasiswa.db.tables import SQLModel
from beasiswa.db.user_tables import audit_trail
from beasiswa.ledger import Ledger
from beasiswa.ledger.errors import database_rule
from audit_support import behind_the_back, run, three_months
from workflow_support import (
    url_of,
    LAW,
    audit_rows,
    case,
    count,
    one,
    ref,
    staffed,
    taken,
    wf,  # noqa: F401 - fixture
    database,  # noqa: F401 - fixture
)

APPROVED = case()
R = ref(APPROVED)
TRAIL_GUARD = (("audit_trail", "audit_trail_append_only"),)
CLAIMS_GUARD = (("claims", "claims_workflow_check"),)


def paid(w) -> int:
    """The default case taken in, verified, approved and paid; the payout's seq."""
    taken(w, APPROVED)
    one(w.verify("ani", [R]))
    one(w.approve("budi", [R]))
    return one(w.pay("budi", [R])).seq


# ---------------------------------------------------------------------------------------------- fresh
def test_a_fresh_database_verifies_clean_every_check_passing(wf):
    paid(wf)
    wf.verify("mallory", [R])  # a refusal is a row of the chain like any other
    result = run("audit", "verify", "--db", url_of(wf))
    assert result.exit_code == 0, result.output
    for name in ("jurnal", "jejak audit", "klaim dan jurnal"):
        assert f"{name}: OK" in result.output
    report = verify_trail(wf.engine)
    assert report.ok and report.rows == count(wf, "audit_trail") == report.head_seq
    assert f"audit {report.head_seq}:{report.head_hash}" in result.output


def test_an_empty_trail_verifies(database):
    report = verify_trail(make_engine(database))
    assert (report.ok, report.rows, report.head_seq, report.head_hash) == (True, 0, 0, "0" * 64)


def test_every_audit_row_stores_the_exact_bytes_it_was_hashed_from_chained_to_the_row_before(wf):
    paid(wf)
    rows = audit_rows(wf)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(rows, rows[1:]))


def test_the_database_refuses_an_audit_row_out_of_sequence_or_off_the_chain(wf):
    with wf.engine.connect() as conn:
        seq, hash_ = head(conn)
    row = dict(at="2025-08-01T09:00:00.000000Z", actor="ani", action="note", subject="case X")
    for rows, rule in ((chained_rows([row], seq + 1, hash_), "AUDIT_SEQUENCE"),
                       (chained_rows([row], seq, "f" * 64), "AUDIT_CHAIN")):
        with pytest.raises(IntegrityError) as caught:
            with wf.engine.begin() as conn:
                conn.execute(insert(audit_trail), rows)
        assert database_rule(str(caught.value.orig)) == rule


# ------------------------------------------------------------------------------------ the trail tampered
def test_an_audit_rows_actor_changed_in_place_is_found_naming_its_seq(wf):
    taken(wf, APPROVED)
    [decided] = [r for r in audit_rows(wf) if r["action"] == "decide"]
    behind_the_back(url_of(wf), f"UPDATE audit_trail SET actor = 'dedi', asked_as = 'dedi' WHERE seq = {decided['seq']}",
                    drop=TRAIL_GUARD)
    result = run("audit", "verify", "--db", url_of(wf))
    assert result.exit_code == 1, result.output
    assert "jejak audit: 1 temuan" in result.output
    assert f"jejak audit seq {decided['seq']}: actor 'dedi' di baris, 'ani' di bytes yang di-hash" in result.output


def test_an_audit_row_deleted_is_found_naming_the_missing_seq(wf):
    taken(wf, APPROVED)
    last = count(wf, "audit_trail")
    behind_the_back(url_of(wf), f"DELETE FROM audit_trail WHERE seq = {last - 1}", drop=TRAIL_GUARD)
    report = verify_trail(wf.engine)
    assert report.problems == (f"jejak audit: seq {last - 1} tidak ada (setelah seq {last - 2} langsung seq {last}): "
                               f"baris dihapus",)
    assert run("audit", "verify", "--db", url_of(wf)).exit_code == 1


def test_an_audit_row_rewritten_with_its_hash_breaks_the_link_of_the_row_after(wf):
    taken(wf, APPROVED)
    behind_the_back(url_of(wf), "UPDATE audit_trail SET hash = :h WHERE seq = 2", drop=TRAIL_GUARD, h="a" * 64)
    problems = verify_trail(wf.engine).problems
    assert problems[0].startswith("jejak audit seq 2: hash " + "a" * 64)
    assert problems[1].startswith("jejak audit seq 3: prev_hash")


def test_the_last_audit_rows_deleted_are_found_only_against_an_anchor(wf, tmp_path):
    taken(wf, APPROVED)
    anchors = tmp_path / "jangkar.txt"
    assert run("ledger", "anchor", "--to", str(anchors), "--db", url_of(wf)).exit_code == 0
    last = count(wf, "audit_trail")
    behind_the_back(url_of(wf), f"DELETE FROM audit_trail WHERE seq >= {last - 1}", drop=TRAIL_GUARD)
    assert run("audit", "verify", "--db", url_of(wf)).exit_code == 0  # the shorter chain is consistent
    result = run("audit", "verify", "--anchors", str(anchors), "--db", url_of(wf))
    assert result.exit_code == 1, result.output
    assert f"jejak audit: baris seq {last} dari jangkar {anchors}:1" in result.output
    assert f"tidak ada lagi (jejak audit kini berakhir pada seq {last - 2})" in result.output


# ------------------------------------------------------------------------------- the journal and anchors
SBY = "KC-SBY-2025-000001"
DELETE_LAST_WITH_TOTALS = (
    "DELETE FROM paid_years WHERE payout_seq = 5",
    f"UPDATE level_usage SET years_used = years_used - 1 WHERE case_id = '{SBY}' AND level_group = 'SMA'",
    f"UPDATE family_totals SET paid = 0 WHERE case_id = '{SBY}'",
    "DELETE FROM journal WHERE seq = 5",
)
TOTALS_GUARDS = (("journal", "journal_no_delete"), ("family_totals", "family_totals_check"),
                 ("level_usage", "level_usage_check"), ("paid_years", "paid_years_check"))


def test_the_last_journal_entry_deleted_with_its_totals_adjusted_is_found_against_an_anchor(database, tmp_path):
    three_months(database)
    anchors = tmp_path / "jangkar.txt"
    assert run("ledger", "anchor", "--to", str(anchors), "--db", database).exit_code == 0
    head_5 = run("ledger", "head", "--db", database).output.split()[3]
    behind_the_back(database, *DELETE_LAST_WITH_TOTALS, drop=TOTALS_GUARDS)
    plain = run("ledger", "verify", "--db", database)
    assert plain.exit_code == 0 and plain.output.startswith("OK: 4 entri"), plain.output
    anchored = run("ledger", "verify", "--anchors", str(anchors), "--db", database)
    assert anchored.exit_code == 1, anchored.output
    assert (f"jurnal: entri seq 5 dari jangkar {anchors}:1" in anchored.output
            and "tidak ada lagi (jurnal kini berakhir pada seq 4)" in anchored.output)
    expected = run("ledger", "verify", "--expect-head", head_5, "--db", database)
    assert expected.exit_code == 1 and "entri seq 5 dari jangkar --expect-head" in expected.output
    assert run("audit", "verify", "--anchors", str(anchors), "--db", database).exit_code == 1


def test_an_anchor_of_the_current_head_passes_and_one_rehashed_fails_naming_its_seq(database):
    three_months(database)
    seq, hash_ = run("ledger", "head", "--db", database).output.split()[3].split(":")
    assert seq == "5"
    assert run("ledger", "verify", "--expect-head", f"5:{hash_}", "--db", database).exit_code == 0
    result = run("ledger", "verify", "--expect-head", f"5:{'b' * 64}", "--db", database)
    assert result.exit_code == 1
    assert f"jurnal: hash entri seq 5 kini {hash_}, bukan {'b' * 64}" in result.output


def test_an_anchor_file_is_appended_to_never_rewritten(database, tmp_path):
    anchors = tmp_path / "jangkar.txt"
    anchors.write_text("# jangkar kantor pusat\n", encoding="utf-8")
    run("ledger", "anchor", "--to", str(anchors), "--db", database)
    first = anchors.read_text(encoding="utf-8")
    three_months(database)
    run("ledger", "anchor", "--to", str(anchors), "--db", database)
    lines = anchors.read_text(encoding="utf-8").splitlines()
    assert anchors.read_text(encoding="utf-8").startswith(first) and len(lines) == 3
    assert lines[1].split()[2:4] == ["journal", "0:" + "0" * 64] and lines[2].split()[3].startswith("5:")
    assert run("ledger", "verify", "--anchors", str(anchors), "--db", database).exit_code == 0


def test_an_anchor_that_cannot_be_read_is_bad_input_naming_the_line(database, tmp_path):
    anchors = tmp_path / "jangkar.txt"
    anchors.write_text("beasiswa-head/1 2026-12-03T08:00:00Z journal 5:xyz audit 0:" + "0" * 64 + "\n")
    result = run("ledger", "verify", "--anchors", str(anchors), "--db", database)
    assert result.exit_code == 2 and f"{anchors}:1" in result.output
    assert run("audit", "verify", "--expect-head", "5", "--db", database).exit_code == 2


# ------------------------------------------------------------------------------- claims against the journal
def test_a_paid_claim_whose_payout_entry_is_gone_is_found(wf):
    seq = paid(wf)
    behind_the_back(url_of(wf), f"DELETE FROM paid_years WHERE payout_seq = {seq}", f"DELETE FROM journal WHERE seq = {seq}",
                    drop=(("journal", "journal_no_delete"), ("paid_years", "paid_years_check")))
    assert crosscheck.findings(wf.engine) == [
        f"klaim {R} berstatus paid dengan paid_seq {seq}, tetapi jurnal tidak punya entri seq {seq}"]
    result = run("audit", "verify", "--db", url_of(wf))
    assert result.exit_code == 1 and "klaim dan jurnal: 1 temuan" in result.output


def test_a_payout_whose_claim_is_not_paid_is_found(wf):
    seq = paid(wf)
    behind_the_back(url_of(wf), "UPDATE claims SET state = 'approved', paid_seq = NULL", drop=CLAIMS_GUARD)
    assert crosscheck.findings(wf.engine) == [
        f"jurnal seq {seq}: pembayaran klaim {R} (tidak dibatalkan), tetapi klaim berstatus approved, bukan paid"]


def test_a_reversed_payout_is_no_finding_once_its_claim_has_left_paid(wf):
    seq = paid(wf)
    Ledger(wf.engine, LAW).reverse(seq, reason="rekening salah", maker="ani", approver="budi")
    assert crosscheck.findings(wf.engine) == [
        f"klaim {R} berstatus paid, tetapi pembayarannya seq {seq} sudah dibatalkan oleh seq {seq + 1}"]
    behind_the_back(url_of(wf), "UPDATE claims SET state = 'approved', paid_seq = NULL", drop=CLAIMS_GUARD)
    assert crosscheck.findings(wf.engine) == []


# ------------------------------------------------------------------------------------------- the migration
WORKFLOW_TABLES = {"users", "audit_trail"}


def test_the_migrations_create_exactly_the_workflow_tables_of_the_models(database):
    def include(_object, name, type_, _reflected, _compare_to):
        return type_ != "table" or name in WORKFLOW_TABLES

    engine = make_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_the_upgrade_chains_the_audit_rows_already_there_renumbering_any_gap(database):
    w = staffed(database)
    with pytest.raises(Exception):
        w.add_user("nobody", "rina", "officer", "KC-PLG")  # refused: a row 0003's table cannot hold
    done = [r for r in audit_rows(w) if r["result"] == "done"]
    with w.engine.connect() as conn:
        command.downgrade(_config(conn), "0004_journal_totals_by_kind")
        conn.commit()
    with w.engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM audit_trail")).scalar_one() == len(done)
        conn.execute(text("INSERT INTO audit_trail (seq, at, actor, action, subject) "
                          "VALUES (20, '2025-08-01T09:00:00.000000Z', 'ani', 'note', 'case X')"))
    upgrade(w.engine)
    rows = audit_rows(w)
    assert [r["seq"] for r in rows] == list(range(1, len(done) + 2))
    assert [(r["actor"], r["action"], r["subject"], r["after"]) for r in rows[:-1]] == [
        (r["actor"], r["action"], r["subject"], r["after"]) for r in done]
    assert (rows[-1]["actor"], rows[-1]["asked_as"], rows[-1]["result"]) == ("ani", "ani", "done")
    assert verify_trail(w.engine).ok
    w.verify("ani", [R])  # and the trail goes on from the chained head
    assert verify_trail(w.engine).ok
    w.engine.dispose()
