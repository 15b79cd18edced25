"""A refused attempt is audited too: who asked (the name as given), what, and why it was refused, in the same
append-only, chained trail; exactly one row per refused attempt, and never lost with the attempt's own
transaction when that is rolled back."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from beasiswa.access.chain import chained_rows, head
from beasiswa.db.user_tables import audit_trail
from beasiswa.model import Refusal
from audit_support import run
from workflow_support import (
    audit_rows,
    case,
    count,
    one,
    ref,
    signed_in,
    state_of,
    taken,
    wf,  # noqa: F401 - fixture
    database,  # noqa: F401 - fixture
)

APPROVED = case()
R = ref(APPROVED)


def refused_rows(w, before: int) -> list[tuple]:
    return [(r["actor"], r["asked_as"], r["action"], r["subject"], r["refusal_code"])
            for r in audit_rows(w)[before:] if r["result"] == "refused"]


def new_rows(w, before: int) -> list[dict]:
    return audit_rows(w)[before:]


def test_a_refusal_by_role_leaves_exactly_one_refused_row_naming_who_what_and_why(wf):
    taken(wf, APPROVED)
    before = count(wf, "audit_trail")
    assert one(wf.verify("gita", [R])).refusal.code == "ROLE"
    [row] = new_rows(wf, before)
    assert (row["actor"], row["asked_as"], row["action"], row["subject"], row["result"], row["refusal_code"]) == (
        "gita", "gita", "verify", f"claim {R}", "refused", "ROLE")
    assert (row["case_id"], row["claim_id"]) == (R.case_id, R.claim_id)
    assert "gita" in row["refusal_message"] and row["before"] is None and row["after"] is None
    assert state_of(wf, R)["state"] == "decided"


def test_a_refusal_by_office_leaves_exactly_one_refused_row(wf):
    taken(wf, APPROVED)
    before = count(wf, "audit_trail")
    assert one(wf.verify("eko", [R])).refusal.code == "OFFICE"
    assert refused_rows(wf, before) == [("eko", "eko", "verify", f"claim {R}", "OFFICE")]
    assert len(new_rows(wf, before)) == 1


def test_a_refusal_by_four_eyes_leaves_exactly_one_refused_row(wf):
    taken(wf, APPROVED)
    one(wf.verify("budi", [R]))
    before = count(wf, "audit_trail")
    assert one(wf.approve("budi", [R])).refusal.code == "FOUR_EYES"
    assert refused_rows(wf, before) == [("budi", "budi", "approve", f"claim {R}", "FOUR_EYES")]
    assert len(new_rows(wf, before)) == 1


def test_an_unknown_user_is_recorded_as_the_name_given_without_an_actor(wf):
    taken(wf, APPROVED)
    before = count(wf, "audit_trail")
    assert one(wf.verify("mallory", [R])).refusal.code == "UNKNOWN_USER"
    assert refused_rows(wf, before) == [(None, "mallory", "verify", f"claim {R}", "UNKNOWN_USER")]
    assert len(new_rows(wf, before)) == 1


def test_an_attempt_without_any_name_is_recorded_with_an_empty_name(wf):
    taken(wf, APPROVED)
    before = count(wf, "audit_trail")
    assert one(wf.verify(None, [R])).refusal.code == "NO_USER"
    assert refused_rows(wf, before) == [(None, "", "verify", f"claim {R}", "NO_USER")]


def test_a_deactivated_user_is_refused_and_recorded_under_their_name(wf):
    taken(wf, APPROVED)
    wf.deactivate_user("admin", "dedi")
    before = count(wf, "audit_trail")
    assert one(wf.verify("dedi", [R])).refusal.code == "INACTIVE"
    assert refused_rows(wf, before) == [("dedi", "dedi", "verify", f"claim {R}", "INACTIVE")]


def test_a_refusal_that_rolls_back_its_transaction_is_recorded_in_one_of_its_own(wf):
    before = count(wf, "audit_trail")
    with pytest.raises(Refusal) as caught:
        wf.add_user("ani", "rina", "officer", "KC-PLG")
    assert caught.value.code == "ROLE"
    with pytest.raises(Refusal):
        wf.deactivate_user("admin", "admin")  # the only active admin
    with pytest.raises(Refusal):
        wf.add_user("nobody", "rina", "officer", "KC-PLG")
    assert refused_rows(wf, before) == [("ani", "ani", "user.add", "user rina", "ROLE"),
                                        ("admin", "admin", "user.deactivate", "user admin", "LAST_ADMIN"),
                                        (None, "nobody", "user.add", "user rina", "UNKNOWN_USER")]
    assert count(wf, "users") == 8


def test_in_a_bulk_action_each_refused_claim_has_its_row_and_the_others_their_change(wf):
    other = case(case_id="KC-PLG-2025-000777")
    taken(wf, APPROVED)
    taken(wf, other)
    before = count(wf, "audit_trail")
    steps = wf.verify("ani", [R, ref(APPROVED, "klaim-9"), ref(other)])
    assert [s.ok for s in steps] == [True, False, True]
    rows = new_rows(wf, before)
    assert [(r["case_id"], r["claim_id"], r["result"], r["refusal_code"]) for r in rows] == [
        (R.case_id, "klaim-1", "done", None), (R.case_id, "klaim-9", "refused", "CLAIM_NOT_FOUND"),
        (other.case_id, "klaim-1", "done", None)]


def test_a_refused_intake_and_a_refused_settling_of_arrears_are_recorded(wf):
    before = count(wf, "audit_trail")
    assert wf.take_in("gita", case(case_id="KC-PLG-2025-000999")).refusal.code == "ROLE"
    refusal, steps = wf.settle_arrears("ani", "KC-PLG-2025-000404", 0)
    assert refusal.code == "CASE_NOT_FOUND" and steps == []
    assert refused_rows(wf, before) == [("gita", "gita", "intake", "case KC-PLG-2025-000999", "ROLE"),
                                        ("ani", "ani", "settle_arrears", "case KC-PLG-2025-000404", "CASE_NOT_FOUND")]


def test_an_all_of_the_office_action_refused_before_listing_is_recorded(wf):
    url = wf.engine.url.render_as_string(hide_password=False)
    signed_in(url, ["gita"])
    before = count(wf, "audit_trail")
    result = run("verify", "--all-decided", "--as", "gita", "--db", url)
    assert result.exit_code == 1, result.output
    assert refused_rows(wf, before) == [("gita", "gita", "verify", "office KP", "ROLE")]


def test_the_database_refuses_a_done_row_without_a_registered_actor(wf):
    with wf.engine.begin() as conn:
        row = chained_rows([dict(at="2025-08-01T09:00:00.000000Z", actor=None, asked_as="mallory", action="verify",
                                 subject="claim X/klaim-1")], *head(conn))
    with pytest.raises(IntegrityError) as caught:
        with wf.engine.begin() as conn:
            conn.execute(insert(audit_trail), row)
    assert "audit_done_by_user" in str(caught.value.orig)


def test_writers_at_the_same_time_chain_their_rows_gap_free_under_the_trails_lock(wf):
    from concurrent.futures import ThreadPoolExecutor

    from beasiswa.audit.trail import verify_trail

    def add(n: int) -> None:
        for i in range(5):
            wf.add_user("admin", f"petugas-{n}-{i}", "officer", "KC-PLG")
            wf.verify("mallory", [R])  # a refused attempt, its own transaction

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(add, range(4)))
    report = verify_trail(wf.engine)
    assert report.ok, report.problems
    assert report.rows == report.head_seq == count(wf, "audit_trail")
    assert sum(r["result"] == "refused" for r in audit_rows(wf)) == 20
