"""Correcting a claim's account (issue 16): the bank returned the transfer, the reversal of its payout took the
claim back to `decided`, and an officer of the claim's office corrects the account with a written reason. Held
to the bank table as at intake, allowed only before a payment is authorised (refused naming the state),
audited before and after, and kept in the registered case file so a later re-decision reads it; a holder not
the payee's name is a warning, never a refusal. Through the service on SQLite and PostgreSQL, the command line,
the web page, and on PostgreSQL as the application role."""

import attrs
import psycopg
import pytest

from beasiswa.access.actions import Action
from beasiswa.access.roles import Role, User
from beasiswa.casefile import loads
from beasiswa.db import make_engine
from beasiswa.model import BankAccount, Document, Payee
from beasiswa.workflow.available import available_actions
from beasiswa.workflow.service import Workflow
from beasiswa.workflow.states import ACCOUNT_STATES, State
from audit_support import run
from builders import FIRST_CLAIM_DOCUMENTS, LAW
from test_db_roles import as_app, db_upgrade, deployment
from web_support import page_token, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import (
    audit_rows,
    case,
    claim,
    count,
    database,  # noqa: F401 - fixture
    one,
    ref,
    sql,
    staffed_and_signed_in,
    state_of,
    taken,
    url_of,
    wf,  # noqa: F401 - fixture
    workflow,
)

CLOSED = BankAccount("BRI", "014201012345501", "Siti Aminah")
NEW = BankAccount("Bank Mandiri", "1420012345678", "SITI AMINAH")
MOTHERS = BankAccount("BCA", "0251234567", "Rahmawati")
A_CASE = case(claims=[claim(account=CLOSED, payee=Payee.CHILD)])
R = ref(A_CASE)


def paid_and_returned(w: Workflow) -> None:
    """The claim paid, then its transfer returned by the bank: the payout reversed by two people."""
    taken(w, A_CASE)
    assert one(w.verify("ani", [R])).ok and one(w.approve("budi", [R])).ok
    paid = one(w.pay("budi", [R]))
    w.reverse("ani", paid.seq, "citra", "transfer dikembalikan bank: rekening ditutup")
    assert state_of(w, R)["state"] == "decided"


def registered_account(w: Workflow) -> dict:
    [(case_file,)] = sql(url_of(w), "SELECT case_file FROM cases WHERE case_id = :c", c=R.case_id)
    return loads(case_file)["claims"][0]


# ------------------------------------------------------------------------------------------- the service
def test_an_officer_corrects_the_account_of_a_claim_whose_transfer_came_back_and_it_is_paid_again(wf):
    paid_and_returned(wf)
    step = wf.correct_account("dedi", R, NEW, None, "rekening BRI ditutup; buku tabungan Mandiri dibawa ibu")
    assert (step.ok, step.before, step.after, step.warnings) == (True, State.DECIDED, State.DECIDED, ())
    row = state_of(wf, R)
    assert (row["state"], row["payee"], row["account_bank"], row["account_number"], row["account_holder"]) == (
        "decided", "child", "Bank Mandiri", "1420012345678", "SITI AMINAH")
    assert registered_account(wf)["account"] == {"bank": "Bank Mandiri", "number": "1420012345678",
                                                  "holder": "SITI AMINAH"}
    last = audit_rows(wf, R)[-1]
    assert (last["actor"], last["action"], last["result"], last["note"]) == (
        "dedi", "correct_account", "done", "rekening BRI ditutup; buku tabungan Mandiri dibawa ibu")
    assert last["before"] == {"payee": "child", "account_bank": "BRI", "account_number": "014201012345501",
                              "account_holder": "Siti Aminah"}
    assert last["after"] == {"payee": "child", "account_bank": "Bank Mandiri", "account_number": "1420012345678",
                             "account_holder": "SITI AMINAH", "warnings": []}
    assert one(wf.verify("ani", [R])).ok and one(wf.approve("budi", [R])).ok
    assert one(wf.pay("budi", [R])).ok and state_of(wf, R)["state"] == "paid"


def test_a_supervisor_corrects_the_account_in_an_officers_stead(wf):
    paid_and_returned(wf)
    assert wf.correct_account("citra", R, NEW, None, "rekening ditutup").ok


def test_an_account_not_in_the_childs_name_is_corrected_and_the_officer_is_warned(wf):
    paid_and_returned(wf)
    step = wf.correct_account("ani", R, MOTHERS, None, "rekening anak ditutup")
    assert step.ok and step.warnings == (
        "[ACCOUNT_HOLDER_DIFFERS] Rekening BCA atas nama Rahmawati, bukan atas nama anak (Siti Aminah); petugas "
        "perlu memeriksa buku tabungan sebelum pembayaran.",)
    assert audit_rows(wf, R)[-1]["after"]["warnings"] == ["ACCOUNT_HOLDER_DIFFERS"]


def test_a_later_re_decision_reads_the_corrected_account(wf):
    taken(wf, A_CASE)
    assert wf.correct_account("ani", R, MOTHERS, None, "buku tabungan anak hilang").ok
    returned = wf.return_claim("ani", R, [Document.REPORT_CARD])
    assert returned.after is State.RETURNED
    warnings = state_of(wf, R)["warnings"]
    assert [(w["code"], "Rahmawati" in w["message"]) for w in warnings] == [("ACCOUNT_HOLDER_DIFFERS", True)]


def test_the_guardian_as_payee_needs_the_guardians_id_card_on_the_claim(wf):
    taken(wf, A_CASE)
    refused = wf.correct_account("ani", R, MOTHERS, Payee.GUARDIAN, "dibayarkan kepada ibu sebagai wali")
    assert refused.refusal.code == "DOCUMENTS" and "KTP wali (guardian_id)" in refused.refusal.message
    with_id = attrs.evolve(A_CASE, case_id="KC-PLG-2025-000124", guardian="Rahmawati",
                           claims=[claim(account=CLOSED, documents=FIRST_CLAIM_DOCUMENTS | {Document.GUARDIAN_ID})])
    taken(wf, with_id)
    step = wf.correct_account("ani", ref(with_id), MOTHERS, Payee.GUARDIAN, "dibayarkan kepada ibu sebagai wali")
    assert step.ok and step.warnings == ()  # the guardian's own account
    assert state_of(wf, ref(with_id))["payee"] == "guardian"


@pytest.mark.parametrize("state", ["verified", "approved", "paid"])
def test_a_claim_whose_payment_is_authorised_or_made_is_refused_naming_its_state(wf, state):
    taken(wf, A_CASE)
    one(wf.verify("ani", [R]))
    if state in ("approved", "paid"):
        one(wf.approve("budi", [R]))
    if state == "paid":
        one(wf.pay("budi", [R]))
    refused = wf.correct_account("ani", R, NEW, None, "rekening ditutup")
    assert refused.refusal.code == "STATE"
    assert refused.refusal.message.startswith(f"klaim {R} berstatus ")
    assert f"({state}); rekening hanya diperbaiki sebelum pembayaran disetujui: diajukan, diputuskan" in \
        refused.refusal.message
    row = state_of(wf, R)
    assert (row["state"], row["account_bank"]) == (state, "BRI")
    last = audit_rows(wf, R)[-1]
    assert (last["action"], last["result"], last["refusal_code"]) == ("correct_account", "refused", "STATE")


def test_the_states_where_an_account_may_be_corrected_are_those_before_a_payment_is_authorised():
    assert ACCOUNT_STATES == {State.SUBMITTED, State.DECIDED, State.RETURNED, State.PENDING, State.REJECTED,
                              State.APPEALED}


@pytest.mark.parametrize(("account", "field"), [
    (BankAccount("Bank Antah Berantah", "0123456789", "Siti Aminah"), "account.bank: 'Bank Antah Berantah'"),
    (BankAccount("BRI", "01420101234550", "Siti Aminah"), "account.number: nomor rekening BRI harus 15 digit, "
                                                          "bukan 14 digit"),
])
def test_an_account_the_bank_table_refuses_is_refused_as_at_intake_and_audited(wf, account, field):
    taken(wf, A_CASE)
    refused = wf.correct_account("ani", R, account, None, "rekening ditutup")
    assert refused.refusal.code == "ACCOUNT" and refused.refusal.message.startswith(field)
    assert state_of(wf, R)["account_number"] == "014201012345501"
    assert registered_account(wf)["account"]["number"] == "014201012345501"
    assert audit_rows(wf, R)[-1]["refusal_code"] == "ACCOUNT"


def test_a_correction_needs_a_written_reason_and_a_change(wf):
    taken(wf, A_CASE)
    assert wf.correct_account("ani", R, NEW, None, "   ").refusal.code == "ACCOUNT_REASON"
    assert wf.correct_account("ani", R, CLOSED, Payee.CHILD, "sama").refusal.code == "ACCOUNT_SAME"


@pytest.mark.parametrize(("who", "code"), [("eko", "OFFICE"), ("gita", "ROLE"), ("admin", "ROLE")])
def test_only_an_officer_or_supervisor_of_the_claims_office_corrects_it(wf, who, code):
    taken(wf, A_CASE)
    assert wf.correct_account(who, R, NEW, None, "rekening ditutup").refusal.code == code
    assert state_of(wf, R)["account_bank"] == "BRI"


def test_the_correction_is_offered_in_the_states_that_allow_it_to_the_claims_officers():
    ani, budi = User("ani", Role.OFFICER, "KC-PLG"), User("budi", Role.SUPERVISOR, "KC-PLG")
    eko, gita = User("eko", Role.OFFICER, "KC-SBY"), User("gita", Role.AUDITOR, "KP")

    def row(state):
        return attrs.make_class("Row", ["state", "outcome", "office", "verified_by", "overridden_by",
                                        "appealed_revision"])(state, "approved", "KC-PLG", None, None, None)
    for state in State:
        offered = Action.CORRECT_ACCOUNT in available_actions(ani, row(state.value))
        assert offered == (state in ACCOUNT_STATES), state
    assert Action.CORRECT_ACCOUNT in available_actions(budi, row("decided"))
    assert Action.CORRECT_ACCOUNT not in available_actions(eko, row("decided"))
    assert Action.CORRECT_ACCOUNT not in available_actions(gita, row("decided"))


# ------------------------------------------------------------------------------------------- the command line
def test_the_command_corrects_the_account_and_says_so(database):
    staffed_and_signed_in(database)
    w = workflow(database)
    taken(w, A_CASE)
    result = run("claims", "account", R.case_id, R.claim_id, "--bank", "mandiri", "--number", "1420012345678",
                 "--holder", "Rahmawati", "--reason", "rekening BRI ditutup", "--as", "ani", "--db", database)
    assert result.exit_code == 0, result.output
    assert f"✓ {R}  diputuskan → diputuskan" in result.stdout
    assert "Peringatan [ACCOUNT_HOLDER_DIFFERS] Rekening mandiri atas nama Rahmawati" in result.stdout
    assert state_of(w, R)["account_number"] == "1420012345678"
    w.engine.dispose()


@pytest.mark.parametrize(("options", "message"), [
    (["--bank", "Bank Antah", "--number", "1420012345678"], "--bank: 'Bank Antah' bukan bank yang dikenal"),
    (["--bank", "BCA", "--number", "01234567890"], "--number: nomor rekening BCA harus 10 digit, bukan 11 digit"),
    (["--bank", "BCA", "--number", "0123456789", "--payee", "ibu"], "--payee: 'ibu' bukan pemilik rekening"),
])
def test_the_command_refuses_bad_input_with_exit_2_writing_nothing(database, options, message):
    staffed_and_signed_in(database)
    w = workflow(database)
    taken(w, A_CASE)
    before = count(w, "audit_trail")
    result = run("claims", "account", R.case_id, R.claim_id, *options, "--holder", "Siti Aminah",
                 "--reason", "x", "--as", "ani", "--db", database)
    assert result.exit_code == 2 and message in result.stderr
    assert count(w, "audit_trail") == before and state_of(w, R)["account_bank"] == "BRI"
    w.engine.dispose()


def test_the_command_refused_by_the_claims_state_exits_1_naming_it(database):
    staffed_and_signed_in(database)
    w = workflow(database)
    taken(w, A_CASE)
    one(w.verify("ani", [R]))
    result = run("claims", "account", R.case_id, R.claim_id, "--bank", "BCA", "--number", "0123456789",
                 "--holder", "Siti Aminah", "--reason", "x", "--as", "ani", "--db", database)
    assert result.exit_code == 1 and "[STATE]" in result.stdout and "(verified)" in result.stdout
    w.engine.dispose()


# ------------------------------------------------------------------------------------------- the web page
def test_the_claim_page_offers_the_correction_and_the_form_corrects_the_account(web):
    taken(web.workflow, A_CASE)
    client = signed_in(web, "ani")
    path = f"/klaim/{R.case_id}/{R.claim_id}"
    page = client.get(path).text
    assert "<summary>Perbaiki rekening</summary>" in page and f'action="{path}/rekening"' in page
    done = client.post(f"{path}/rekening", data={"bank": "BCA", "nomor": "0251234567", "pemilik": "Rahmawati",
                                                 "penerima": "", "alasan": "rekening BRI ditutup",
                                                 "csrf_token": page_token(client)})
    assert done.status_code == 303 and done.headers["location"] == f"{path}?pesan=rekening"
    after = client.get(done.headers["location"]).text
    assert "Rekening klaim diperbaiki" in after and "BCA 0251234567 a.n. Rahmawati (anak)" in after
    assert "Peringatan [ACCOUNT_HOLDER_DIFFERS] Rekening BCA atas nama Rahmawati, bukan atas nama anak" in after


def test_the_form_refuses_an_account_the_bank_table_refuses_naming_the_field(web):
    taken(web.workflow, A_CASE)
    client = signed_in(web, "ani")
    path = f"/klaim/{R.case_id}/{R.claim_id}"
    refused = client.post(f"{path}/rekening", data={"bank": "BCA", "nomor": "025123456", "pemilik": "Siti Aminah",
                                                    "alasan": "x", "csrf_token": page_token(client)})
    assert refused.status_code == 400 and "nomor: nomor rekening BCA harus 10 digit, bukan 9 digit" in refused.text
    assert state_of(web.workflow, R)["account_bank"] == "BRI"


def test_the_form_without_a_csrf_token_is_refused(web):
    taken(web.workflow, A_CASE)
    client = signed_in(web, "ani")
    client.get(f"/klaim/{R.case_id}/{R.claim_id}")
    refused = client.post(f"/klaim/{R.case_id}/{R.claim_id}/rekening",
                          data={"bank": "BCA", "nomor": "0251234567", "pemilik": "Siti Aminah", "alasan": "x"})
    assert refused.status_code == 403 and state_of(web.workflow, R)["account_bank"] == "BRI"


def test_the_page_of_a_verified_claim_offers_no_correction(web):
    taken(web.workflow, A_CASE)
    one(web.workflow.verify("ani", [R]))
    assert "Perbaiki rekening" not in signed_in(web, "ani").get(f"/klaim/{R.case_id}/{R.claim_id}").text


# ------------------------------------------------------------------------------------------- the database's role
@pytest.mark.postgres
def test_the_application_role_may_correct_the_account_and_still_not_the_claims_child_or_level():
    with deployment() as d:
        upgraded = db_upgrade(d)
        assert upgraded.exit_code == 0, upgraded.output
        engine = make_engine(d.app_url)
        try:
            w = Workflow(engine, LAW)
            w.bootstrap("admin", "KP")
            w.add_user("admin", "ani", "officer", "KC-PLG")
            taken(w, A_CASE)
            assert w.correct_account("ani", R, NEW, None, "rekening ditutup").ok
        finally:
            engine.dispose()
        for statement in ("UPDATE claims SET child_id = 'anak-2'", "UPDATE claims SET level = 'PT'",
                          "UPDATE claims SET academic_year = '2030/2031'"):
            with pytest.raises(Exception) as refused:
                as_app(d, statement)
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), statement
        as_app(d, "UPDATE claims SET account_holder = account_holder")  # the policy's own columns

