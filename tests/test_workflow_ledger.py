"""The ledger's own writes (`ledger record`, `ledger reverse`) through the workflow's service, on SQLite and
PostgreSQL: only registered, active users of the case's office with the right role, always two different
people, every write audited with it; and a reversed payout takes its claim from `paid` back to `decided`, where
it is reviewed again and may be paid again, never leaving the claim and the journal telling different stories."""

import pytest

from beasiswa.ledger import Ledger, verify
from beasiswa.model import Code, Level, Outcome, Refusal
from beasiswa.workflow.states import State
from builders import school_path
from workflow_support import (
    url_of,
    refused_by_database,
    audit_rows,
    case,
    claim,
    count,
    one,
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
WITH_HISTORY = case(history=school_path("anak-1", smp=2, last="2024/2025"),
                    claims=[claim("klaim-1"), claim("klaim-2", level=Level.S2, year="2026/2027")])


def journal(w):
    return sql(url_of(w), "SELECT seq, kind, claim_id, amount, maker, approver, reverses_seq, idempotency_key "
                          "FROM journal ORDER BY seq")


def paid_through(w, a_case=APPROVED):
    taken(w, a_case)
    r = ref(a_case)
    assert one(w.verify("ani", [r])).ok
    assert one(w.approve("budi", [r])).ok
    return one(w.pay("budi", [r]))


# ------------------------------------------------------------------------------------------------ record

def test_recording_a_case_takes_it_in_and_pays_its_approved_claims_verified_by_the_maker_approved_by_the_supervisor(wf):
    recorded = wf.record_case("ani", "budi", WITH_HISTORY, "ledger record case.json")
    assert (recorded.status, recorded.scheme, recorded.history, recorded.refusal) == ("new", "PP-82-2019", 2, None)
    paid, rejected = recorded.claims
    assert (paid.state, paid.seq, paid.amount, paid.replayed) == (State.PAID, 3, 3_000_000, False)
    assert (rejected.state, rejected.outcome, rejected.reasons) == (State.REJECTED, "rejected", ("LEVEL_NOT_COVERED",))
    row = state_of(wf, R)
    assert (row["state"], row["verified_by"], row["approved_by"], row["paid_seq"]) == ("paid", "ani", "budi", 3)
    assert [(e.seq, e.kind, e.claim_id, e.maker, e.approver) for e in journal(wf)] == [
        (1, "payout", None, "ani", "case-file"), (2, "payout", None, "ani", "case-file"),
        (3, "payout", "klaim-1", "ani", "budi")]


def test_a_successful_record_writes_an_audit_row_for_each_of_its_writes_naming_who_did_it(wf):
    wf.record_case("ani", "budi", APPROVED, "ledger record case.json")
    rows = [(r["actor"], r["action"], r["subject"]) for r in audit_rows(wf) if r["actor"] in ("ani", "budi")]
    assert rows == [("ani", "intake", f"case {R.case_id}"), ("ani", "decide", f"claim {R}"),
                    ("ani", "verify", f"claim {R}"), ("budi", "approve", f"claim {R}"), ("budi", "pay", f"claim {R}")]
    assert audit_rows(wf, R)[-1]["after"]["seq"] == 1


def test_recording_the_same_case_again_posts_nothing_twice_and_shows_what_was_paid_before(wf):
    wf.record_case("ani", "budi", APPROVED)
    audited = count(wf, "audit_trail")
    again = wf.record_case("ani", "budi", APPROVED)
    assert again.status == "unchanged"
    assert [(c.seq, c.replayed) for c in again.claims] == [(1, True)]
    assert (count(wf, "journal"), count(wf, "audit_trail")) == (1, audited)


@pytest.mark.parametrize("maker, approver, code", [
    ("nobody", "budi", "UNKNOWN_USER"),          # an unregistered maker
    ("ani", "nobody", "UNKNOWN_USER"),           # an unregistered approver
    ("ani", "dedi", "ROLE"),                     # an officer does not approve
    ("gita", "budi", "ROLE"),                    # an auditor changes nothing
    ("eko", "budi", "OFFICE"),                   # a maker of another office
    ("ani", "fajar", "OFFICE"),                  # an approver of another office
    ("budi", "budi", "FOUR_EYES"),               # one person twice
], ids=["unregistered maker", "unregistered approver", "officer approving", "auditor making", "maker elsewhere",
        "approver elsewhere", "maker is approver"])
def test_a_record_by_anyone_but_two_registered_people_of_the_office_with_their_roles_is_refused_whole(
        wf, maker, approver, code):
    recorded = wf.record_case(maker, approver, APPROVED)
    assert recorded.status == "refused" and recorded.refusal.code == code
    assert (count(wf, "cases"), count(wf, "journal")) == (0, 0)
    rows = audit_rows(wf)
    assert [r["action"] for r in rows] == ["user.add"] * 8 + ["ledger.record"]
    assert (rows[-1]["result"], rows[-1]["refusal_code"], rows[-1]["asked_as"]) == ("refused", code, maker or "")


def test_a_record_by_a_deactivated_user_is_refused(wf):
    wf.deactivate_user("admin", "budi")
    recorded = wf.record_case("ani", "budi", APPROVED)
    assert recorded.refusal.code == "INACTIVE"
    assert count(wf, "journal") == 0


def test_a_record_that_a_claim_was_verified_by_its_approver_is_refused_for_that_claim_alone(wf):
    taken(wf, APPROVED)
    assert one(wf.verify("budi", [R])).ok
    recorded = wf.record_case("ani", "budi", APPROVED)
    [refused] = recorded.claims
    assert (refused.refusal.code, refused.state) == ("FOUR_EYES", State.VERIFIED)
    assert recorded.refusals == 1 and count(wf, "journal") == 0
    [refused_row] = [r for r in audit_rows(wf, R) if r["result"] == "refused"]
    assert (refused_row["action"], refused_row["refusal_code"]) == ("ledger.record", "FOUR_EYES")


# ------------------------------------------------------------------------------------------------ reverse

def test_reversing_a_workflow_payout_takes_the_claim_back_to_decided_in_the_same_transaction_and_audits_it(wf):
    paid = paid_through(wf)
    done = wf.reverse("ani", paid.seq, "budi", "rekening salah")
    assert (done.entry.seq, done.entry.reverses_seq, done.entry.amount) == (2, 1, -3_000_000)
    assert (done.claim, done.before, done.after, done.replayed) == (R, State.PAID, State.DECIDED, False)
    row = state_of(wf, R)
    assert (row["state"], row["paid_seq"], row["verified_by"], row["approved_by"], row["decision_revision"]) == (
        "decided", None, None, None, 1)
    last = audit_rows(wf, R)[-1]
    assert (last["actor"], last["action"], last["note"]) == ("ani", "reverse", "rekening salah")
    assert (last["before"]["state"], last["before"]["paid_seq"]) == ("paid", 1)
    assert last["after"] == {"state": "decided", "seq": 2, "reverses_seq": 1, "amount": -3_000_000,
                             "hash": done.entry.hash, "maker": "ani", "approver": "budi"}


def test_a_reversed_claim_is_reviewed_again_and_a_supervisor_may_pay_it_again_under_a_new_key(wf):
    paid = paid_through(wf)
    wf.reverse("dedi", paid.seq, "budi", "rekening salah")
    assert one(wf.verify("citra", [R])).ok       # a supervisor in an officer's stead
    assert one(wf.approve("budi", [R])).ok
    again = one(wf.pay("budi", [R]))
    assert (again.after, again.seq) == (State.PAID, 3)
    assert [e.idempotency_key for e in journal(wf)] == [f"{R}:payout".replace("/", ":"), "reversal:1",
                                                        f"{R}:payout:2".replace("/", ":")]
    assert state_of(wf, R)["paid_seq"] == 3
    assert verify(wf.engine).ok


def test_a_reversed_claim_may_instead_be_overridden_to_a_rejection_and_the_supervisor_confirms_it(wf):
    paid = paid_through(wf)
    wf.reverse("ani", paid.seq, "budi", "dibayar keliru: anak sudah bekerja")
    assert wf.override("ani", R, Outcome.REJECTED, "anak sudah bekerja sejak Juni 2025", Code.EMPLOYED).ok
    confirmed = one(wf.approve("budi", [R]))
    assert (confirmed.after, state_of(wf, R)["amount"]) == (State.REJECTED, 0)


def test_reversing_a_history_payout_needs_the_same_two_people_and_audits_it_on_the_case(wf):
    wf.record_case("ani", "budi", WITH_HISTORY)
    done = wf.reverse("ani", 1, "citra", "riwayat tercatat ganda")
    assert (done.claim, done.after, done.entry.amount) == (None, None, -2_000_000)
    last = audit_rows(wf)[-1]
    assert (last["actor"], last["action"], last["subject"], last["claim_id"], last["note"]) == (
        "ani", "reverse", f"case {WITH_HISTORY.case_id}", None, "riwayat tercatat ganda")


def test_reversing_the_same_payout_again_with_the_same_key_replays_it_and_writes_nothing(wf):
    paid = paid_through(wf)
    wf.reverse("ani", paid.seq, "budi", "rekening salah")
    audited = count(wf, "audit_trail")
    again = wf.reverse("ani", paid.seq, "budi", "rekening salah")
    assert again.replayed and (count(wf, "journal"), count(wf, "audit_trail")) == (2, audited)
    with pytest.raises(Refusal, match="ALREADY_REVERSED"):
        wf.reverse("ani", paid.seq, "budi", "rekening salah", key="another")


@pytest.mark.parametrize("maker, approver, code", [
    ("nobody", "budi", "UNKNOWN_USER"),
    ("ani", "nobody", "UNKNOWN_USER"),
    ("ani", "dedi", "ROLE"),                     # the approver of a reversal is a supervisor
    ("gita", "budi", "ROLE"),
    ("admin", "budi", "ROLE"),                   # admins manage users, nothing else
    ("eko", "budi", "OFFICE"),
    ("ani", "fajar", "OFFICE"),
    ("budi", "budi", "FOUR_EYES"),
], ids=["unregistered maker", "unregistered approver", "officer approving", "auditor making", "admin making",
        "maker elsewhere", "approver elsewhere", "maker is approver"])
def test_a_reversal_by_anyone_but_two_registered_people_of_the_office_with_their_roles_is_refused(
        wf, maker, approver, code):
    paid = paid_through(wf)
    audited = count(wf, "audit_trail")
    with pytest.raises(Refusal) as refused:
        wf.reverse(maker, paid.seq, approver, "rekening salah")
    assert refused.value.code == code
    assert (count(wf, "journal"), count(wf, "audit_trail"), state_of(wf, R)["state"]) == (1, audited + 1, "paid")
    last = audit_rows(wf)[-1]
    assert (last["action"], last["result"], last["refusal_code"]) == ("reverse", "refused", code)


def test_a_reversal_by_a_deactivated_user_or_without_a_reason_is_refused(wf):
    paid = paid_through(wf)
    wf.deactivate_user("admin", "ani")
    with pytest.raises(Refusal) as refused:
        wf.reverse("ani", paid.seq, "budi", "rekening salah")
    assert refused.value.code == "INACTIVE"
    with pytest.raises(Refusal) as refused:
        wf.reverse("dedi", paid.seq, "budi", "  ")
    assert refused.value.code == "REASON_REQUIRED"
    assert count(wf, "journal") == 1


def test_a_reversal_of_another_offices_payout_is_refused_naming_the_office(wf):
    taken(wf, sby(APPROVED), "eko")
    r = ref(sby(APPROVED))
    one(wf.verify("eko", [r]))
    one(wf.approve("fajar", [r]))
    paid = one(wf.pay("fajar", [r]))
    with pytest.raises(Refusal) as refused:
        wf.reverse("ani", paid.seq, "budi", "rekening salah")
    assert refused.value.code == "OFFICE" and "milik kantor KC-SBY" in refused.value.message


# ------------------------------------------------------------------------------------- the database's rules

def test_the_database_lets_a_paid_claim_leave_paid_only_for_decided_once_its_payout_is_reversed(wf):
    paid = paid_through(wf)
    assert refused_by_database(wf, "UPDATE claims SET state = 'decided', paid_seq = NULL, verified_by = NULL, "
                                   "approved_by = NULL WHERE claim_id = 'klaim-1'") == "PAID"
    wf.reverse("ani", paid.seq, "budi", "rekening salah")
    taken_back = state_of(wf, R)
    assert taken_back["state"] == "decided"
    assert refused_by_database(wf, "UPDATE claims SET state = 'paid', paid_seq = :seq, verified_by = 'ani', "
                                   "approved_by = 'budi' WHERE claim_id = 'klaim-1'", seq=paid.seq) == "PAID"


def test_the_database_refuses_a_reversed_claim_moved_anywhere_but_decided(wf):
    paid = paid_through(wf)
    url = url_of(wf)
    # The reversal's entry alone, as the ledger's own API posts it (no claim moved): then a wrong move.
    Ledger(wf.engine, wf.law).reverse(paid.seq, reason="rekening salah", maker="ani", approver="budi")
    assert refused_by_database(wf, "UPDATE claims SET state = 'approved' WHERE claim_id = 'klaim-1'") == "PAID"
    sql(url, "UPDATE claims SET state = 'decided', paid_seq = NULL, verified_by = NULL, approved_by = NULL "
             "WHERE claim_id = 'klaim-1'")


def test_a_reversed_claim_back_in_decided_still_holds_its_year_against_a_new_claim_for_it(wf):
    paid = paid_through(wf)
    wf.reverse("ani", paid.seq, "budi", "rekening salah")
    second = taken(wf, case(claims=[claim("klaim-1"), claim("klaim-2")]))
    [(claim_id, outcome)] = [(t.claim_id, t.outcome) for t in second.taken]
    assert (claim_id, outcome) == ("klaim-2", "rejected")
    assert [r["code"] for r in state_of(wf, ref(APPROVED, "klaim-2"))["reasons"]] == ["ALREADY_CLAIMED"]
