"""The audit trail holds every change (who, when, what, before → after), written with the change or not at
all; the database refuses to update or delete it, and holds the claim's own rules (four eyes, the decision
revision, one appeal, paid stays paid) even against SQL written behind the application's back."""


from beasiswa.model import Document, Level, Outcome
from workflow_support import (
    url_of,
    refused_by_database,
    FIRST_CLAIM_DOCUMENTS,
    audit_rows,
    case,
    child,
    claim,
    count,
    date,
    dialect,
    one,
    ref,
    sql,
    taken,
    wf,  # noqa: F401 - fixture
    database,  # noqa: F401 - fixture
)

APPROVED = case()
R = ref(APPROVED)


def test_every_change_of_a_claims_life_is_in_the_audit_trail_with_who_when_and_before_and_after(wf):
    taken(wf, APPROVED)
    one(wf.verify("ani", [R]))
    one(wf.approve("budi", [R]))
    paid = one(wf.pay("citra", [R]))
    rows = audit_rows(wf, R)
    assert [(r["actor"], r["action"]) for r in rows] == [("ani", "decide"), ("ani", "verify"), ("budi", "approve"),
                                                         ("citra", "pay")]
    assert [(r["before"]["state"], r["after"]["state"]) for r in rows] == [
        ("submitted", "decided"), ("decided", "verified"), ("verified", "approved"), ("approved", "paid")]
    assert rows[-1]["after"]["seq"] == paid.seq and rows[-1]["after"]["maker"] == "ani"
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    assert all(r["at"].endswith("Z") for r in rows)
    [registered] = [r for r in audit_rows(wf) if r["action"] == "intake"]
    assert (registered["actor"], registered["subject"], registered["note"]) == ("ani", f"case {APPROVED.case_id}",
                                                                                "test")


def test_re_decisions_overrides_and_appeals_are_audited_with_the_reason_written(wf):
    a_case = case(children=[child(born=date(2002, 6, 30))], claims=[claim(level=Level.S1)])
    taken(wf, a_case)
    wf.appeal("ani", R, "akta kelahiran dilampirkan")
    wf.reconsider("dedi", R)
    assert wf.override("ani", R, Outcome.APPROVED, "lahir 2003 menurut akta").ok
    rows = audit_rows(wf, R)
    assert [r["action"] for r in rows] == ["decide", "appeal", "reconsider", "override"]
    assert rows[1]["note"] == "akta kelahiran dilampirkan"
    assert rows[2]["after"]["path"] == ["appealed", "decided", "rejected"]
    assert rows[3]["note"] == "lahir 2003 menurut akta"
    assert (rows[3]["before"]["decision_revision"], rows[3]["after"]["decision_revision"]) == (2, 3)


def test_users_added_and_deactivated_are_audited(wf):
    wf.deactivate_user("admin", "dedi")
    rows = [r for r in audit_rows(wf) if r["subject"] == "user dedi"]
    assert [(r["actor"], r["action"], r["after"]) for r in rows] == [
        ("admin", "user.add", {"role": "officer", "office": "KC-PLG", "active": True}),
        ("admin", "user.deactivate", {"active": False})]


def test_a_refused_change_leaves_only_its_refused_row(wf):
    taken(wf, APPROVED)
    before = count(wf, "audit_trail")
    one(wf.approve("budi", [R]))  # not verified yet
    one(wf.verify("eko", [R]))  # another office
    wf.take_in("gita", case(case_id="KC-PLG-2025-000999"))
    rows = audit_rows(wf)[before:]
    assert [(r["asked_as"], r["action"], r["result"], r["refusal_code"]) for r in rows] == [
        ("budi", "approve", "refused", "STATE"), ("eko", "verify", "refused", "OFFICE"),
        ("gita", "intake", "refused", "ROLE")]
    assert count(wf, "claims") == 1


def test_the_database_refuses_to_update_or_delete_the_audit_trail(wf):
    taken(wf, APPROVED)
    rows = count(wf, "audit_trail")
    assert refused_by_database(wf, "UPDATE audit_trail SET actor = 'budi'") == "AUDIT_APPEND_ONLY"
    assert refused_by_database(wf, "DELETE FROM audit_trail") == "AUDIT_APPEND_ONLY"
    if dialect(url_of(wf)) == "postgresql":
        assert refused_by_database(wf, "TRUNCATE audit_trail") == "AUDIT_APPEND_ONLY"
    assert count(wf, "audit_trail") == rows


def test_the_database_keeps_users_a_user_is_deactivated_never_deleted_nor_renamed(wf):
    assert refused_by_database(wf, "DELETE FROM users WHERE name = 'ani'") == "USER_KEPT"
    assert refused_by_database(wf, "UPDATE users SET name = 'anita' WHERE name = 'ani'") == "USER_KEPT"


def test_the_database_refuses_an_approval_by_the_verifier(wf):
    taken(wf, APPROVED)
    one(wf.verify("budi", [R]))
    assert refused_by_database(wf, "UPDATE claims SET state = 'approved', approved_by = verified_by "
                                   "WHERE claim_id = 'klaim-1'") == "FOUR_EYES"
    assert refused_by_database(wf, "UPDATE claims SET state = 'approved' WHERE claim_id = 'klaim-1'") == "FOUR_EYES"


def test_the_database_refuses_a_changed_decision_under_the_same_revision(wf):
    taken(wf, APPROVED)
    assert refused_by_database(wf, "UPDATE claims SET amount = 2000000 WHERE claim_id = 'klaim-1'") == \
        "DECISION_REVISION"
    assert refused_by_database(wf, "UPDATE claims SET decision_revision = 3 WHERE claim_id = 'klaim-1'") == \
        "DECISION_REVISION"
    sql(url_of(wf), "UPDATE claims SET amount = 2000000, decision_revision = 2 WHERE claim_id = 'klaim-1'")


def test_the_database_refuses_a_second_appeal_and_an_unpaid_paid_claim(wf):
    taken(wf, case(claims=[claim(level=Level.S2)]))
    wf.appeal("ani", R, "keberatan")
    assert refused_by_database(wf, "UPDATE claims SET appealed_revision = NULL WHERE claim_id = 'klaim-1'") == \
        "APPEAL_ONCE"
    assert refused_by_database(wf, "UPDATE claims SET state = 'paid', verified_by = 'ani', approved_by = 'budi' "
                                   "WHERE claim_id = 'klaim-1'") == "PAID"


def test_the_database_keeps_a_paid_claim_paid(wf):
    taken(wf, APPROVED)
    one(wf.verify("ani", [R]))
    one(wf.approve("budi", [R]))
    one(wf.pay("budi", [R]))
    assert refused_by_database(wf, "UPDATE claims SET state = 'approved' WHERE claim_id = 'klaim-1'") == "PAID"


def test_the_database_refuses_an_override_without_a_written_reason(wf):
    taken(wf, APPROVED)
    assert refused_by_database(wf, "UPDATE claims SET override_outcome = 'rejected', override_reason = ' ', "
                                   "overridden_by = 'ani' WHERE claim_id = 'klaim-1'") == "OVERRIDE_REASON"


def test_a_resubmission_is_audited_with_the_documents_before_and_after(wf):
    taken(wf, case(claims=[claim(documents=FIRST_CLAIM_DOCUMENTS - {Document.BANK_ACCOUNT})]))
    wf.resubmit("ani", R, [Document.BANK_ACCOUNT], date(2025, 8, 4))
    row = audit_rows(wf, R)[-1]
    assert "bank_account" not in row["before"]["documents"] and "bank_account" in row["after"]["documents"]
    assert (row["before"]["submitted_on"], row["after"]["submitted_on"]) == ("2025-07-21", "2025-08-04")
