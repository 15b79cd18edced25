"""End to end on the sample cases and the sample intake sheet, through `beasiswa process`: every claim
decided, the approved ones verified, approved by another person and paid; the ledger's total is the sum of
the approved amounts, every decided claim has exactly one letter (pending ones none yet), `ledger verify`
passes; and running the same batch again changes nothing."""

import pytest
from sqlalchemy import text

from beasiswa.db import make_engine, upgrade
from beasiswa.workflow.service import Workflow
from ledger_support import ROOT, beasiswa
from workflow_support import tokens_of

OFFICES = ("plg", "sby", "mdn", "bdg", "mks")
FILES = sorted(str(p) for p in (ROOT / "fixtures" / "cases").glob("*.json")) + \
    [str(ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("process")
    db = f"sqlite:///{tmp / 'beasiswa.db'}"
    engine = make_engine(db)
    upgrade(engine)
    staff = Workflow(engine)
    staff.bootstrap("admin", "KP")
    people = []
    for office in OFFICES:
        for role, who in (("officer", "petugas"), ("supervisor", "pengawas")):
            staff.add_user("admin", f"{office}.{who}", role, f"KC-{office.upper()}")
        people += ["--verify-as", f"{office}.petugas", "--approve-as", f"{office}.pengawas"]
    args = ("process", *FILES, "--out", str(tmp / "letters"), *people, "--date", "2025-08-27", "--db", db)
    job = {"BEASISWA_TOKEN": ",".join(tokens_of(db, [name for name in people if not name.startswith("--")]).values())}
    first = beasiswa(*args, env=job)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("claims", "journal", "letters", "audit_trail")}
    second = beasiswa(*args, env=job)
    yield dict(engine=engine, db=db, letters=tmp / "letters", first=first, second=second, counts=counts)
    engine.dispose()


def test_the_batch_runs_through_and_says_what_it_did(batch):
    first = batch["first"]
    assert first.returncode == 0, first.stderr + first.stdout
    for heading in ("Penerimaan dan putusan otomatis", "Memverifikasi: 20 klaim", "Menyetujui: 20 klaim",
                    "Membayarkan: 20 klaim", "40 surat ditulis", "verifikasi OK"):
        assert heading in first.stdout


def test_every_approved_claim_is_paid_and_the_ledger_total_is_the_sum_of_the_approved_amounts(batch):
    with batch["engine"].connect() as conn:
        approved = conn.execute(text("SELECT SUM(amount), COUNT(*) FROM claims WHERE outcome = 'approved'")).one()
        paid = conn.execute(text("SELECT SUM(amount), COUNT(*) FROM journal WHERE source = 'ledger'")).one()
        states = conn.execute(text("SELECT DISTINCT state FROM claims WHERE outcome = 'approved'")).scalars().all()
        makers = conn.execute(text("SELECT COUNT(*) FROM journal j JOIN claims c ON c.case_id = j.case_id AND "
                                   "c.claim_id = j.claim_id WHERE j.maker = c.verified_by AND "
                                   "j.approver = c.approved_by AND j.maker <> j.approver")).scalar_one()
    assert tuple(paid) == tuple(approved) == (111_000_000, 20)
    assert states == ["paid"]
    assert makers == 20


def test_every_decided_claim_has_exactly_one_letter_and_a_pending_one_none(batch):
    with batch["engine"].connect() as conn:
        per_claim = conn.execute(text(
            "SELECT c.outcome, COUNT(l.number) AS letters, MIN(l.file_name) AS file FROM claims c "
            "LEFT JOIN letters l ON l.case_id = c.case_id AND l.claim_id = c.claim_id "
            "AND l.decision_revision = c.decision_revision GROUP BY c.case_id, c.claim_id, c.outcome")).all()
    decided = [r for r in per_claim if r.outcome != "pending"]
    assert len(decided) == 40 and all(r.letters == 1 for r in decided)
    assert all((batch["letters"] / r.file).is_file() for r in decided)
    assert [r.letters for r in per_claim if r.outcome == "pending"] == [0, 0]
    assert len(list(batch["letters"].glob("*.pdf"))) == 40


def test_the_ledger_verifies(batch):
    result = beasiswa("ledger", "verify", "--db", batch["db"])
    assert result.returncode == 0 and result.stdout.startswith("OK: 38 entri")


def test_running_the_same_batch_again_changes_nothing(batch):
    second = batch["second"]
    assert second.returncode == 0, second.stderr + second.stdout
    assert "Tidak ada surat baru" in second.stdout
    with batch["engine"].connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("claims", "journal", "letters", "audit_trail")}
    assert counts == batch["counts"]


def test_each_offices_letters_are_issued_by_its_approving_supervisor_and_audited_one_row_per_number(batch):
    with batch["engine"].connect() as conn:
        issued = conn.execute(text(
            "SELECT l.number, l.office, a.actor, a.subject FROM letters l LEFT JOIN audit_trail a "
            "ON a.action = 'letter.issue' AND a.subject = 'letter ' || l.number")).all()
        chained = dict(conn.execute(text("SELECT number, actor FROM letter_chain WHERE event = 'numbered'")).all())
    assert len(issued) == 40 == len({r.number for r in issued})
    assert all(r.actor == f"{r.office[3:].lower()}.pengawas" for r in issued), issued
    assert all(chained[r.number] == r.actor for r in issued)
