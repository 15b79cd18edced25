"""Office scoping in one place (`access.roles.office_to_read`, `check_read`), used by the workflow's queries for
both front doors: officers and supervisors read their own office whatever they ask for; auditors and admins
every office, or the one they ask for. And what a user may do to a claim now (`workflow.available`): the
buttons of the claim screen, from the same checks the commands run."""

import datetime as dt
import types

import pytest
from typer.testing import CliRunner

from beasiswa.access.actions import Action
from beasiswa.access.roles import NotAllowed, Role, User, check_read, may_read, office_to_read
from beasiswa.cli import app
from beasiswa.db import make_engine, upgrade
from beasiswa.workflow.available import available_actions, available_for_each
from beasiswa.workflow.queries import overview, queue, queue_size, state_counts
from builders import case
from workflow_support import database, ref, sby, sqlite_database, staffed, wf  # noqa: F401 - fixtures

ANI = User("ani", Role.OFFICER, "KC-PLG")
BUDI = User("budi", Role.SUPERVISOR, "KC-PLG")
GITA = User("gita", Role.AUDITOR, "KP")
ADMIN = User("admin", Role.ADMIN, "KP")


# ------------------------------------------------------------------------------------------- office_to_read
@pytest.mark.parametrize("user", [ANI, BUDI])
@pytest.mark.parametrize("asked", [None, "", "KC-SBY", "KC-PLG", "bukan kantor"])
def test_an_officer_or_a_supervisor_reads_their_own_office_whatever_they_ask_for(user, asked):
    assert office_to_read(user, asked) == "KC-PLG"


@pytest.mark.parametrize("user", [GITA, ADMIN])
def test_an_auditor_or_an_admin_reads_every_office_or_the_one_asked(user):
    assert office_to_read(user) is None and office_to_read(user, "") is None
    assert office_to_read(user, "KC-SBY") == "KC-SBY" and office_to_read(user, " kc-sby ") == "KC-SBY"


def test_an_office_asked_that_is_not_an_office_code_is_refused_naming_it():
    with pytest.raises(ValueError, match="'KC PLG' bukan kode kantor"):
        office_to_read(GITA, "kc plg")


def test_reading_another_offices_claim_is_refused_by_the_office_rule():
    assert may_read(ANI, "KC-PLG") and not may_read(ANI, "KC-SBY") and not may_read(BUDI, "KC-SBY")
    assert may_read(GITA, "KC-SBY") and may_read(ADMIN, "KC-SBY")
    with pytest.raises(NotAllowed) as refused:
        check_read(ANI, "KC-SBY", "klaim X/k-1")
    assert refused.value.code == "OFFICE" and "milik kantor KC-SBY" in refused.value.message


def test_a_deactivated_user_reads_nothing():
    gone = User("ani", Role.OFFICER, "KC-PLG", active=False)
    assert not may_read(gone, "KC-PLG")
    with pytest.raises(NotAllowed, match="dinonaktifkan"):
        check_read(gone, "KC-PLG", "klaim X/k-1")


def test_the_queries_scope_a_reader_to_the_office_they_may_read(wf):
    wf.take_in("ani", case(), "test")
    wf.take_in("eko", sby(case()), "test")
    assert [r.office for r in queue(wf.engine, office="KC-SBY", reader=ANI)] == ["KC-PLG"]
    assert queue_size(wf.engine, office="KC-SBY", reader=BUDI) == 1
    assert {r.office for r in queue(wf.engine, reader=GITA)} == {"KC-PLG", "KC-SBY"}
    assert [r.office for r in queue(wf.engine, office="KC-SBY", reader=GITA)] == ["KC-SBY"]
    assert sum(state_counts(wf.engine, reader=ANI).values()) == 1
    assert sum(state_counts(wf.engine, reader=GITA).values()) == 2



def test_beranda_s_one_pass_counts_what_the_queue_s_counts_count_for_every_reader(wf):
    wf.take_in("ani", case(), "test")
    wf.take_in("eko", sby(case()), "test")
    second = case(case_id="KC-PLG-2025-000124")
    wf.take_in("ani", second, "test")
    wf.verify("ani", [ref(second)])
    state_at = {r.case_id: dt.datetime.fromisoformat(r.state_at.replace("Z", "+00:00"))
                for r in queue(wf.engine, reader=GITA)}
    verified_at = state_at["KC-PLG-2025-000124"]
    for reader in (ANI, BUDI, GITA, User("dedi", Role.OFFICER, "KC-PLG"), User("fajar", Role.SUPERVISOR, "KC-SBY")):
        for since in (verified_at, verified_at + dt.timedelta(microseconds=1)):
            counted = overview(wf.engine, reader, since)
            assert counted.counts == state_counts(wf.engine, reader=reader)
            assert counted.waiting == queue_size(wf.engine, older_than=since, reader=reader)
            mine = queue_size(wf.engine, user=reader, reader=reader) if reader is not GITA else None
            assert counted.mine == mine
    assert overview(wf.engine, ANI, verified_at).waiting == 1  # the verified claim is not before its own moment
    assert overview(wf.engine, ANI, verified_at + dt.timedelta(microseconds=1)).waiting == 2
    assert overview(wf.engine, ANI, verified_at).mine == 1 and overview(wf.engine, BUDI, verified_at).mine == 1


# ------------------------------------------------------------------------------------------- the CLI's queue
@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("BEASISWA_USER", raising=False)
    url = sqlite_database(tmp_path, "cli.db")
    w = staffed(url)
    w.take_in("ani", case(), "test")
    w.take_in("eko", sby(case()), "test")
    w.engine.dispose()
    return url


def queue_output(db, *args) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["queue", *args, "--db", db], env={}, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_cli_queue_scopes_an_officer_to_their_office_whatever_office_is_asked(db):
    code, out = queue_output(db, "--office", "KC-SBY", "--as", "ani")
    assert code == 0 and "KC-PLG-2025-000123" in out and "KC-SBY" not in out.replace("kantor KC-PLG", "")
    assert "kantor KC-PLG" in out
    code, out = queue_output(db, "--as", "fajar")
    assert code == 0 and "KC-SBY-2025-000123" in out and "KC-PLG-2025-000123" not in out


def test_the_cli_queue_lets_an_auditor_read_every_office_or_the_one_asked(db):
    code, out = queue_output(db, "--as", "gita")
    assert code == 0 and "KC-PLG-2025-000123" in out and "KC-SBY-2025-000123" in out
    code, out = queue_output(db, "--office", "KC-SBY", "--as", "gita")
    assert "KC-SBY-2025-000123" in out and "KC-PLG-2025-000123" not in out


def test_the_cli_queue_refuses_an_office_that_is_not_one_with_status_2(db):
    code, out = queue_output(db, "--office", "bukan kantor", "--as", "gita")
    assert code == 2 and "bukan kode kantor" in out


# ------------------------------------------------------------------------------------------- available actions
def a_claim(state: str, outcome: str = "approved", verified_by=None, overridden_by=None, appealed_revision=None,
            office: str = "KC-PLG"):
    return types.SimpleNamespace(state=state, outcome=outcome, verified_by=verified_by, overridden_by=overridden_by,
                                 appealed_revision=appealed_revision, office=office)


A = Action


@pytest.mark.parametrize("user, claim, actions", [
    (ANI, a_claim("decided"), (A.VERIFY, A.RETURN, A.OVERRIDE, A.CORRECT_ACCOUNT)),
    (BUDI, a_claim("decided"), (A.VERIFY, A.CORRECT_ACCOUNT)),
    (GITA, a_claim("decided"), ()),
    (ADMIN, a_claim("decided"), ()),
    (User("eko", Role.OFFICER, "KC-SBY"), a_claim("decided"), ()),
    (BUDI, a_claim("verified", verified_by="ani"), (A.APPROVE,)),
    (BUDI, a_claim("verified", verified_by="budi"), ()),
    (BUDI, a_claim("verified", outcome="rejected", verified_by="ani", overridden_by="ani"), (A.CONFIRM_REJECTION,)),
    (BUDI, a_claim("verified", outcome="rejected", verified_by="budi", overridden_by="budi"), ()),
    (ANI, a_claim("verified", verified_by="ani"), ()),
    (ANI, a_claim("approved"), (A.PAY,)),
    (ANI, a_claim("returned", outcome="returned"), (A.RESUBMIT, A.CORRECT_ACCOUNT)),
    (BUDI, a_claim("pending", outcome="pending"), (A.SETTLE_ARREARS, A.CORRECT_ACCOUNT)),
    (ANI, a_claim("rejected", outcome="rejected"), (A.OVERRIDE, A.APPEAL, A.CORRECT_ACCOUNT)),
    (ANI, a_claim("rejected", outcome="rejected", appealed_revision=1), (A.OVERRIDE, A.CORRECT_ACCOUNT)),
    (ANI, a_claim("appealed", outcome="rejected", appealed_revision=1), (A.OVERRIDE, A.RECONSIDER, A.CORRECT_ACCOUNT)),
    (ANI, a_claim("paid"), ()),
    (User("ani", Role.OFFICER, "KC-PLG", active=False), a_claim("decided"), ()),
])
def test_the_actions_available_are_those_the_role_office_state_and_four_eyes_allow(user, claim, actions):
    assert available_actions(user, claim) == actions


def test_the_actions_of_a_page_of_claims_are_each_claim_s_own_even_where_claims_share_a_state():
    page = [a_claim("decided"), a_claim("verified", verified_by="ani"), a_claim("verified", verified_by="budi"),
            a_claim("decided"), a_claim("rejected", outcome="rejected"),
            a_claim("rejected", outcome="rejected", appealed_revision=1), a_claim("verified", verified_by="ani")]
    for user in (ANI, BUDI, GITA):
        assert available_for_each(user, page) == [available_actions(user, claim) for claim in page]
    assert available_for_each(BUDI, page)[1:3] == [(A.APPROVE,), ()]


# ------------------------------------------------------------------------------------------- the claims' office
def offices_of_claims(engine) -> list[tuple[str, str, str]]:
    """(claim's case, claim's office, the case's office) of every claim."""
    from sqlalchemy import select

    from beasiswa.db.tables import cases, claims

    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(claims.c.case_id, claims.c.office, cases.c.office)
            .join(cases, cases.c.case_id == claims.c.case_id).order_by(claims.c.case_id, claims.c.claim_id))]


def test_each_claim_carries_its_cases_office_from_its_registration(wf):
    wf.take_in("ani", case(), "test")
    wf.take_in("eko", sby(case()), "test")
    found = offices_of_claims(wf.engine)
    assert {office for _, office, _ in found} == {"KC-PLG", "KC-SBY"}
    assert all(claim_office == case_office for _, claim_office, case_office in found)


def test_the_migration_gives_the_claims_registered_before_it_their_cases_office(wf):
    from alembic import command

    from beasiswa.db.migrate import _config, head_revision

    wf.take_in("ani", case(), "test")
    wf.take_in("eko", sby(case()), "test")
    with wf.engine.connect() as conn:
        command.downgrade(_config(conn), "0010_queue_search")
        conn.commit()
    assert upgrade(wf.engine) == head_revision()
    found = offices_of_claims(wf.engine)
    assert {office for _, office, _ in found} == {"KC-PLG", "KC-SBY"}
    assert all(claim_office == case_office for _, claim_office, case_office in found)
