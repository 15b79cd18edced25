"""The claim's life through the service, on SQLite and PostgreSQL: each allowed step done by whom it may be,
and every forbidden one refused with the rule named (the state, the role, the office, four eyes) and nothing
changed."""

import datetime as dt

import pytest

from beasiswa.model import AcademicYear, ClaimRef, Code, Document, Level, Outcome, State
from workflow_support import (
    FIRST_CLAIM_DOCUMENTS,
    audit_rows,
    case,
    child,
    claim,
    count,
    date,
    one,
    participant,
    payout,
    ref,
    sby,
    sql,
    state_of,
    taken,
    wf,  # noqa: F401 - fixture
    database,  # noqa: F401 - fixture
)

APPROVED = case()
R = ref(APPROVED)
WITHOUT_BANK_BOOK = FIRST_CLAIM_DOCUMENTS - {Document.BANK_ACCOUNT}


def journal(w):
    return sql(str(w.engine.url.render_as_string(hide_password=False)),
               "SELECT seq, claim_id, amount, maker, approver FROM journal ORDER BY seq")


def paid_through(w, a_case=APPROVED, officer="ani", supervisor="budi"):
    taken(w, a_case)
    r = ref(a_case)
    assert one(w.verify(officer, [r])).ok
    assert one(w.approve(supervisor, [r])).ok
    return one(w.pay(supervisor, [r]))


def test_an_approved_claim_is_decided_verified_approved_and_paid_with_the_verifier_as_maker(wf):
    result = taken(wf, APPROVED)
    assert [(t.claim_id, t.outcome, t.state) for t in result.taken] == [("klaim-1", "approved", State.DECIDED)]
    verified = one(wf.verify("ani", [R]))
    assert (verified.before, verified.after) == (State.DECIDED, State.VERIFIED)
    approved = one(wf.approve("budi", [R]))
    assert (approved.before, approved.after) == (State.VERIFIED, State.APPROVED)
    paid = one(wf.pay("citra", [R]))
    assert (paid.before, paid.after, paid.amount) == (State.APPROVED, State.PAID, 3_000_000)
    row = state_of(wf, R)
    assert (row["state"], row["verified_by"], row["approved_by"], row["paid_seq"]) == ("paid", "ani", "budi", paid.seq)
    [entry] = journal(wf)
    assert (entry.seq, entry.claim_id, entry.amount, entry.maker, entry.approver) == (paid.seq, "klaim-1", 3_000_000,
                                                                                       "ani", "budi")


def test_a_supervisor_may_verify_but_then_may_not_approve_the_same_claim(wf):
    taken(wf, APPROVED)
    assert one(wf.verify("budi", [R])).ok
    refused = one(wf.approve("budi", [R]))
    assert refused.refusal.code == "FOUR_EYES"
    assert "empat mata" in refused.refusal.message
    assert state_of(wf, R)["state"] == "verified"
    assert one(wf.approve("citra", [R])).ok


def test_an_officer_may_not_approve_at_all(wf):
    taken(wf, APPROVED)
    one(wf.verify("ani", [R]))
    assert one(wf.approve("dedi", [R])).refusal.code == "ROLE"
    assert state_of(wf, R)["approved_by"] is None


def test_another_offices_people_are_refused_on_every_step(wf):
    assert wf.take_in("eko", APPROVED).refusal.code == "OFFICE"
    assert count(wf, "cases") == 0
    taken(wf, APPROVED)
    assert one(wf.verify("eko", [R])).refusal.code == "OFFICE"
    one(wf.verify("ani", [R]))
    assert one(wf.approve("fajar", [R])).refusal.code == "OFFICE"
    one(wf.approve("budi", [R]))
    assert one(wf.pay("fajar", [R])).refusal.code == "OFFICE"
    assert state_of(wf, R)["state"] == "approved"


def test_an_auditor_is_refused_on_every_write_and_nothing_changes(wf):
    rejected = case(case_id="KC-PLG-2025-000900", claims=[claim(level=Level.S2)])
    returned = case(case_id="KC-PLG-2025-000901", claims=[claim(documents=WITHOUT_BANK_BOOK)])
    pending = case(case_id="KC-PLG-2025-000902",
                   participant=participant(arrears_months=6))
    for a_case in (APPROVED, rejected, returned, pending):
        taken(wf, a_case)
    before = (count(wf, "audit_trail"), count(wf, "journal"), [state_of(wf, ref(c)) for c in (APPROVED, rejected)])
    refusals = [
        wf.take_in("gita", sby(APPROVED)).refusal,
        one(wf.verify("gita", [R])).refusal,
        one(wf.approve("gita", [R])).refusal,
        one(wf.pay("gita", [R])).refusal,
        wf.return_claim("gita", R, [Document.REPORT_CARD]).refusal,
        wf.resubmit("gita", ref(returned), [Document.BANK_ACCOUNT], date(2025, 8, 1)).refusal,
        wf.override("gita", ref(rejected), Outcome.APPROVED, "alasan").refusal,
        wf.appeal("gita", ref(rejected), "keberatan").refusal,
        wf.reconsider("gita", ref(rejected)).refusal,
        wf.settle_arrears("gita", pending.case_id)[0],
    ]
    assert [r.code for r in refusals] == ["ROLE"] * len(refusals)
    with pytest.raises(Exception, match="ROLE"):
        wf.add_user("gita", "hadi", "officer", "KC-PLG")
    after = (count(wf, "audit_trail"), count(wf, "journal"), [state_of(wf, ref(c)) for c in (APPROVED, rejected)])
    assert after[1:] == before[1:]
    # The trail holds the refusals, one row each, and nothing done.
    assert [(r["asked_as"], r["result"], r["refusal_code"]) for r in audit_rows(wf)[before[0]:]] == [
        ("gita", "refused", "ROLE")] * (len(refusals) + 1)


def test_a_deactivated_user_can_do_nothing_more(wf):
    taken(wf, APPROVED)
    wf.deactivate_user("admin", "ani")
    assert one(wf.verify("ani", [R])).refusal.code == "INACTIVE"
    assert one(wf.verify("dedi", [R])).ok


def test_a_user_who_is_not_registered_is_refused_by_name(wf):
    result = wf.take_in("siapa", APPROVED)
    assert result.refusal.code == "UNKNOWN_USER"
    assert "'siapa'" in result.refusal.message
    assert one(wf.verify(None, [R])).refusal.code == "NO_USER"


@pytest.mark.parametrize("act, state", [("approve", "diputuskan"), ("pay", "diputuskan")])
def test_a_step_out_of_turn_is_refused_naming_the_claims_state(wf, act, state):
    taken(wf, APPROVED)
    refused = one(getattr(wf, act)("budi", [R]))
    assert refused.refusal.code == "STATE"
    assert f"berstatus '{state}'" in refused.refusal.message
    assert state_of(wf, R)["state"] == "decided"


def test_a_paid_claim_takes_no_further_step(wf):
    paid_through(wf)
    for step in (wf.verify("ani", [R]), wf.approve("citra", [R]), wf.pay("budi", [R])):
        assert one(step).refusal.code == "STATE"
    assert wf.override("ani", R, Outcome.REJECTED, "salah", Code.EMPLOYED).refusal.code == "STATE"
    assert len(journal(wf)) == 1


def test_a_rejected_decision_is_not_verified(wf):
    rejected = case(claims=[claim(level=Level.S2)])
    [t] = taken(wf, rejected).taken
    assert t.state is State.REJECTED
    assert one(wf.verify("ani", [R])).refusal.code == "STATE"


def test_documents_missing_return_the_claim_and_resubmitting_them_decides_it_again(wf):
    a_case = case(claims=[claim(documents=WITHOUT_BANK_BOOK)])
    [t] = taken(wf, a_case).taken
    assert (t.outcome, t.state) == ("returned", State.RETURNED)
    step = wf.resubmit("ani", R, [Document.BANK_ACCOUNT], date(2025, 8, 5))
    assert (step.before, step.after, step.outcome, step.revision) == (State.RETURNED, State.DECIDED, "approved", 2)
    row = state_of(wf, R)
    assert (row["decision_revision"], row["submitted_on"], row["outcome"]) == (2, date(2025, 8, 5), "approved")
    assert "bank_account" in row["documents"]
    [_, resubmitted] = audit_rows(wf, R)
    assert resubmitted["after"]["path"] == ["returned", "submitted", "decided"]


def test_resubmitting_without_new_documents_is_refused(wf):
    taken(wf, case(claims=[claim(documents=WITHOUT_BANK_BOOK)]))
    refused = wf.resubmit("ani", R, [Document.CLAIM_FORM], date(2025, 7, 21))
    assert refused.refusal.code == "DOCUMENTS"
    assert state_of(wf, R)["decision_revision"] == 1


def test_an_officer_returns_a_decided_claim_whose_documents_are_missing(wf):
    taken(wf, APPROVED)
    step = wf.return_claim("ani", R, [Document.REPORT_CARD])
    assert (step.before, step.after, step.outcome, step.revision) == (State.DECIDED, State.RETURNED, "returned", 2)
    assert "report_card" not in state_of(wf, R)["documents"]


def test_returning_a_claim_for_a_document_it_does_not_need_is_refused(wf):
    later_year = case(history=[payout("anak-1", "2024/2025", "SMA")],
                      claims=[claim(documents=FIRST_CLAIM_DOCUMENTS)])
    taken(wf, later_year)
    refused = wf.return_claim("ani", R, [Document.FAMILY_CARD])
    assert refused.refusal.code == "DOCUMENTS"
    assert "tidak disyaratkan" in refused.refusal.message
    assert state_of(wf, R)["state"] == "decided"


def test_a_claim_withheld_for_arrears_is_decided_again_once_they_are_settled(wf):
    arrears = case(participant=participant(arrears_months=5))
    [t] = taken(wf, arrears).taken
    assert t.state is State.PENDING
    refusal, steps = wf.settle_arrears("ani", arrears.case_id)
    assert refusal is None
    [step] = steps
    assert (step.before, step.after, step.outcome, step.revision) == (State.PENDING, State.DECIDED, "approved", 2)
    assert one(wf.verify("ani", [R])).ok


def test_arrears_still_above_the_limit_leave_the_claim_pending(wf):
    arrears = case(participant=participant(arrears_months=5))
    taken(wf, arrears)
    _, [step] = wf.settle_arrears("ani", arrears.case_id, months=4)
    assert (step.after, step.outcome, step.revision) == (State.PENDING, "pending", 2)


def test_a_rejected_claim_is_appealed_once_and_decided_again(wf):
    taken(wf, case(claims=[claim(level=Level.S2)]))
    appealed = wf.appeal("ani", R, "anak kuliah S1, bukan S2")
    assert (appealed.before, appealed.after) == (State.REJECTED, State.APPEALED)
    again = wf.reconsider("ani", R)
    assert (again.before, again.after, again.revision) == (State.APPEALED, State.REJECTED, 2)
    second = wf.appeal("ani", R, "sekali lagi")
    assert second.refusal.code == "APPEAL_ONCE"
    assert state_of(wf, R)["appealed_revision"] == 1


def test_an_override_needs_a_written_reason(wf):
    taken(wf, case(claims=[claim(level=Level.S2)]))
    refused = wf.override("ani", R, Outcome.APPROVED, "   ")
    assert refused.refusal.code == "OVERRIDE_REASON"
    assert state_of(wf, R)["state"] == "rejected"


def test_an_officers_approval_instead_of_a_rejection_takes_effect_once_a_supervisor_approves_it(wf):
    too_old = case(children=[child(born=date(2002, 6, 30))], claims=[claim(level=Level.S1)])
    [t] = taken(wf, too_old).taken
    assert t.outcome == "rejected"
    step = wf.override("ani", R, Outcome.APPROVED, "akta kelahiran yang benar: lahir 2003")
    assert (step.after, step.outcome, step.amount, step.revision) == (State.VERIFIED, "approved", 12_000_000, 2)
    assert one(wf.approve("ani", [R])).refusal.code == "ROLE"
    assert one(wf.approve("budi", [R])).after is State.APPROVED
    assert one(wf.pay("budi", [R])).amount == 12_000_000
    row = state_of(wf, R)
    assert (row["automatic_outcome"], row["override_outcome"], row["overridden_by"]) == ("rejected", "approved", "ani")
    assert row["trace"][-1]["rule"] == "officer_override"


def test_an_officers_rejection_names_the_rule_and_becomes_the_rejection_once_a_supervisor_approves(wf):
    taken(wf, APPROVED)
    refused = wf.override("ani", R, Outcome.REJECTED, "anak bekerja sejak Juni 2025")
    assert refused.refusal.code == "OVERRIDE_CODE"
    step = wf.override("ani", R, Outcome.REJECTED, "anak bekerja sejak Juni 2025", Code.EMPLOYED)
    assert (step.after, step.outcome, step.amount) == (State.VERIFIED, "rejected", 0)
    confirmed = one(wf.approve("budi", [R]))
    assert (confirmed.after, confirmed.action.value) == (State.REJECTED, "confirm_rejection")
    [reason] = state_of(wf, R)["reasons"]
    assert reason["code"] == "EMPLOYED" and reason["message"] == "anak bekerja sejak Juni 2025"
    assert reason["citation"]


def test_an_override_to_the_outcome_the_claim_has_changes_nothing(wf):
    taken(wf, APPROVED)
    assert wf.override("ani", R, Outcome.APPROVED, "sudah benar").refusal.code == "OVERRIDE_SAME"


def test_every_re_decision_takes_the_next_revision_and_an_override_one_more(wf):
    taken(wf, case(claims=[claim(documents=WITHOUT_BANK_BOOK)]))
    assert state_of(wf, R)["decision_revision"] == 1
    wf.resubmit("ani", R, [Document.BANK_ACCOUNT], date(2025, 8, 5))
    assert state_of(wf, R)["decision_revision"] == 2
    wf.override("ani", R, Outcome.REJECTED, "rekening bukan atas nama anak atau wali", Code.EMPLOYED)
    assert state_of(wf, R)["decision_revision"] == 3


def test_in_a_bulk_action_one_refusal_never_stops_or_undoes_the_others(wf):
    cases = [case(case_id=f"KC-PLG-2025-00010{i}") for i in range(4)]
    for a_case in cases:
        taken(wf, a_case)
    one(wf.verify("ani", [ref(cases[2])]))  # verified already: the bulk verify refuses it
    refs = [ref(c) for c in cases] + [ClaimRef("KC-PLG-2025-999999", "klaim-1")]
    steps = wf.verify("dedi", refs)
    assert [s.ref for s in steps] == refs
    assert [s.ok for s in steps] == [True, True, False, True, False]
    assert [s.refusal.code for s in steps if not s.ok] == ["STATE", "CLAIM_NOT_FOUND"]
    assert [state_of(wf, ref(c))["verified_by"] for c in cases] == ["dedi", "dedi", "ani", "dedi"]


def test_a_payment_the_ledger_refuses_leaves_the_claim_approved_and_the_others_paid(wf):
    twice = case(claims=[claim(), claim("klaim-2", submitted_on=date(2025, 8, 1))])
    other = case(case_id="KC-PLG-2025-000202")
    taken(wf, twice)
    taken(wf, other)
    second = ref(twice, "klaim-2")
    assert state_of(wf, second)["reasons"][0]["code"] == "ALREADY_CLAIMED"
    wf.verify("ani", [R, ref(other)])
    assert wf.override("dedi", second, Outcome.APPROVED, "dianggap klaim tahun berikutnya").ok
    refs = [R, second, ref(other)]
    assert all(s.ok for s in wf.approve("budi", refs))
    steps = wf.pay("budi", refs)
    assert [s.ok for s in steps] == [True, False, True]
    assert steps[1].refusal.code == "ALREADY_CLAIMED"
    assert [state_of(wf, r)["state"] for r in refs] == ["paid", "approved", "paid"]
    assert [e.claim_id for e in journal(wf)] == ["klaim-1", "klaim-1"]


def test_new_claims_of_a_registered_case_count_what_is_approved_but_not_yet_paid(wf):
    taken(wf, APPROVED)
    again = case(claims=[claim(), claim("klaim-2", submitted_on=date(2025, 8, 1))])
    result = taken(wf, again)
    assert result.status == "added"
    [t] = result.taken
    assert (t.claim_id, t.outcome) == ("klaim-2", "rejected")
    assert state_of(wf, ref(APPROVED, "klaim-2"))["reasons"][0]["code"] == "ALREADY_CLAIMED"


def test_new_claims_of_a_registered_case_count_its_payouts(wf):
    paid_through(wf, case(children=[child(), child("anak-2", born=date(2012, 3, 2), female=False)]))
    sma_years = case(children=[child(), child("anak-2", born=date(2012, 3, 2), female=False)],
                     claims=[claim(), claim("klaim-2", year="2025/2026", level=Level.SMA, submitted_on=date(2025, 8, 2)),
                             claim("klaim-3", child="anak-2", level=Level.SMP, submitted_on=date(2025, 8, 2))])
    result = taken(wf, sma_years)
    assert [(t.claim_id, t.outcome) for t in result.taken] == [("klaim-2", "rejected"), ("klaim-3", "approved")]


def test_users_are_managed_by_admins_and_the_first_admin_only_on_an_empty_database(wf):
    with pytest.raises(Exception, match="USERS_EXIST"):
        wf.bootstrap("kedua", "KP")
    with pytest.raises(Exception, match="ROLE"):
        wf.add_user("budi", "hadi", "officer", "KC-PLG")
    with pytest.raises(Exception, match="USER_EXISTS"):
        wf.add_user("admin", "ani", "officer", "KC-PLG")
    with pytest.raises(Exception, match="LAST_ADMIN"):
        wf.deactivate_user("admin", "admin")
    assert {u.name for u in wf.list_users()} == {"admin", "ani", "dedi", "budi", "citra", "eko", "fajar", "gita"}
