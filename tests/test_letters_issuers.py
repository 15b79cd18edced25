"""Who issues letters (issue 10, item 2), on SQLite and PostgreSQL, through the command line: `letters render`
runs as a named user who signed in (`--as`, or BEASISWA_USER), an officer or supervisor who issues their own office's letters;
an auditor, an unknown or deactivated user is refused and nothing is numbered; each number issued is an audit
row naming who issued it, and the chained register names the same user."""

from beasiswa.db import make_engine
from beasiswa.workflow.service import Workflow
from ledger_support import LAW, beasiswa, database, sql  # noqa: F401 - fixture
from letters_support import AUDITOR, DAY, OFFICER, register_claims
from workflow_support import signed_in


def render(url, out, *args, env=None):
    return beasiswa("letters", "render", "--out", str(out), "--db", url, "--date", DAY.isoformat(), *args, env=env)


def numbered(url):
    return sql(url, "SELECT COUNT(*) FROM letters")[0][0]


def test_letters_are_not_numbered_without_a_named_user(database, tmp_path):
    register_claims(database, 1, 1)
    result = render(database, tmp_path, env={"BEASISWA_USER": ""})  # and several users signed in
    assert result.returncode == 2 and "sebutkan siapa yang bertindak: --as NAMA" in result.stderr
    assert numbered(database) == 0


def test_an_auditor_an_unknown_user_and_a_deactivated_one_are_refused_and_nothing_is_numbered(database, tmp_path):
    register_claims(database, 1, 1)
    workflow = Workflow(make_engine(database), LAW)
    workflow.add_user("admin", "lama.petugas", "officer", "KC-PLG")
    signed_in(database, ["lama.petugas"])
    workflow.deactivate_user("admin", "lama.petugas")  # her token ends with her account
    workflow.engine.dispose()
    for name, refused in ((AUDITOR, "letters render: [ROLE]:"), ("siapa", "--as siapa: NOT_SIGNED_IN:"),
                          ("lama.petugas", "SESSION_ENDED: token sudah diakhiri (pengguna dinonaktifkan)"),
                          ("admin", "letters render: [ROLE]:")):
        result = render(database, tmp_path, "--as", name)
        assert result.returncode == 1, result.stdout + result.stderr
        assert refused in result.stderr, (name, result.stderr)
    assert numbered(database) == 0 and sql(database, "SELECT COUNT(*) FROM letter_chain")[0][0] == 0


def test_an_officer_issues_their_offices_letters_and_each_number_is_audited_with_who_issued_it(database, tmp_path):
    register_claims(database, 1, 2, office="KC-PLG")
    register_claims(database, 1, 1, office="KC-SBY")
    plg = render(database, tmp_path, "--as", OFFICER)
    assert plg.returncode == 0, plg.stdout + plg.stderr
    assert "2 surat ditulis" in plg.stdout and "1 surat kantor lain ditinggalkan untuk penggunanya" in plg.stdout
    sby = render(database, tmp_path, env={"BEASISWA_USER": "sby.pengawas"})
    assert sby.returncode == 0 and "1 surat ditulis" in sby.stdout, sby.stdout + sby.stderr
    trail = sql(database, "SELECT actor, action, subject, case_id, claim_id, note FROM audit_trail "
                          "WHERE action = 'letter.issue' ORDER BY seq")
    assert [tuple(r) for r in trail] == [
        (OFFICER, "letter.issue", "letter B/0001/KC-PLG/BSW/08/2025", "KC-PLG-2025-000001", "klaim-1",
         "nomor surat B/0001/KC-PLG/BSW/08/2025 diterbitkan untuk klaim KC-PLG-2025-000001/klaim-1"),
        (OFFICER, "letter.issue", "letter B/0002/KC-PLG/BSW/08/2025", "KC-PLG-2025-000001", "klaim-2",
         "nomor surat B/0002/KC-PLG/BSW/08/2025 diterbitkan untuk klaim KC-PLG-2025-000001/klaim-2"),
        ("sby.pengawas", "letter.issue", "letter B/0001/KC-SBY/BSW/08/2025", "KC-SBY-2025-000001", "klaim-1",
         "nomor surat B/0001/KC-SBY/BSW/08/2025 diterbitkan untuk klaim KC-SBY-2025-000001/klaim-1")]
    chained = sql(database, "SELECT number, event, actor FROM letter_chain ORDER BY seq")
    assert {(r.number[2:13], r.actor) for r in chained} == {("0001/KC-PLG", OFFICER), ("0002/KC-PLG", OFFICER),
                                                           ("0001/KC-SBY", "sby.pengawas")}


def test_a_claim_of_an_office_whose_user_is_not_named_is_refused(database, tmp_path):
    register_claims(database, 1, 1, office="KC-SBY")
    result = render(database, tmp_path, "--as", OFFICER, "--claim", "KC-SBY-2025-000001/klaim-1")
    assert result.returncode == 1 and "NO_USER" in result.stderr, result.stderr
    both = render(database, tmp_path, "--as", OFFICER, "--as", "sby.pengawas", "--claim", "KC-SBY-2025-000001/klaim-1")
    assert both.returncode == 0, both.stdout + both.stderr
    assert both.stdout.startswith("B/0001/KC-SBY/BSW/08/2025: surat penetapan untuk")
