"""An admin changes a user's role and office (`Workflow.set_user`; `beasiswa users set NAMA --role --office`,
the web application's Pengguna page): audited with the role and office before and after; refused, and the
refusal audited, for anyone but an admin, an unknown or deactivated user, a role or office not valid (naming
the field and the value), nothing to change, or the last admin's role taken away. The change holds from the
user's next act on."""

import pytest
from typer.testing import CliRunner

from beasiswa.access.roles import Role, User
from beasiswa.cli import app
from beasiswa.model import ClaimRef, Refusal
from builders import case
from workflow_support import audit_rows, database, staffed, staffed_and_signed_in, wf  # noqa: F401 - fixtures

runner = CliRunner()


def refused(w, name, **change) -> Refusal:
    with pytest.raises(Refusal) as caught:
        w.set_user(change.pop("as_", "admin"), name, **change)
    return caught.value


def last_row(w) -> dict:
    return audit_rows(w)[-1]


def test_an_admin_moves_an_officer_to_another_office_and_the_trail_says_from_where_to_where(wf):
    assert wf.set_user("admin", "ani", office="KC-SBY") == User("ani", Role.OFFICER, "KC-SBY")
    row = last_row(wf)
    assert (row["actor"], row["action"], row["subject"], row["result"]) == ("admin", "user.set", "user ani", "done")
    assert (row["before"], row["after"]) == ({"role": "officer", "office": "KC-PLG"},
                                             {"role": "officer", "office": "KC-SBY"})
    assert User("ani", Role.OFFICER, "KC-SBY") in wf.list_users()


def test_the_new_role_and_office_hold_from_the_users_next_act(wf):
    taken = wf.take_in("ani", case(), "test")
    assert taken.refusal is None
    wf.set_user("admin", "ani", role="supervisor", office="KC-SBY")
    [step] = wf.verify("ani", [ClaimRef("KC-PLG-2025-000123", "klaim-1")])
    assert step.refusal.code == "OFFICE"


def test_role_and_office_change_together(wf):
    assert wf.set_user("admin", "eko", role="supervisor", office="KC-PLG") == User("eko", Role.SUPERVISOR, "KC-PLG")


@pytest.mark.parametrize("change, code, message", [
    ({"role": "kepala"}, "INVALID_USER", "role: 'kepala' bukan peran (officer, supervisor, auditor, admin)"),
    ({"office": "kc plg"}, "INVALID_USER", "office: 'kc plg' bukan kode kantor"),
    ({}, "NO_CHANGE", "tidak ada yang diubah"),
    ({"role": "officer", "office": "KC-PLG"}, "NO_CHANGE", "peran dan kantornya sudah demikian"),
])
def test_a_change_that_is_not_valid_or_changes_nothing_is_refused_naming_it(wf, change, code, message):
    refusal = refused(wf, "ani", **change)
    assert refusal.code == code and message in refusal.message
    row = last_row(wf)
    assert (row["action"], row["result"], row["refusal_code"], row["asked_as"]) == ("user.set", "refused", code,
                                                                                     "admin")


@pytest.mark.parametrize("who, code", [("budi", "ROLE"), ("gita", "ROLE"), ("nobody", "UNKNOWN_USER")])
def test_only_an_admin_changes_a_role_and_the_attempt_is_audited(wf, who, code):
    assert refused(wf, "ani", as_=who, role="supervisor").code == code
    assert (last_row(wf)["asked_as"], last_row(wf)["refusal_code"]) == (who, code)
    assert User("ani", Role.OFFICER, "KC-PLG") in wf.list_users()


def test_an_unknown_or_deactivated_user_is_refused(wf):
    assert refused(wf, "siapa", role="officer").code == "UNKNOWN_USER"
    wf.deactivate_user("admin", "dedi")
    assert refused(wf, "dedi", role="supervisor").code == "USER_INACTIVE"


def test_the_last_admin_keeps_the_admin_role_and_another_admin_lets_it_go(wf):
    assert refused(wf, "admin", role="auditor").code == "LAST_ADMIN"
    wf.add_user("admin", "kepala", "admin", "KP")
    assert wf.set_user("kepala", "admin", role="auditor").role is Role.AUDITOR


# ------------------------------------------------------------------------------------------- the command line
@pytest.fixture
def db(database):
    staffed_and_signed_in(database)
    return database


def run(db, *args):
    result = runner.invoke(app, [*args, "--db", db], env={}, catch_exceptions=False)
    return result.exit_code, result.output


def test_users_set_changes_the_role_and_office_and_prints_them(db):
    assert run(db, "users", "set", "eko", "--role", "supervisor", "--office", "KC-PLG", "--as", "admin") == (
        0, "pengguna diubah: eko (pengawas, KC-PLG)\n")
    code, out = run(db, "users", "list")
    assert "eko" in out and "pengawas" in out


@pytest.mark.parametrize("args, status, message", [
    (["--role", "kepala"], 2, "role: 'kepala' bukan peran"),
    (["--office", "kc-plg"], 2, "office: 'kc-plg' bukan kode kantor"),
    ([], 2, "tidak ada yang diubah"),
])
def test_users_set_refuses_bad_input_with_status_2_naming_the_field(db, args, status, message):
    code, out = run(db, "users", "set", "eko", *args, "--as", "admin")
    assert code == status and message in out


def test_users_set_by_someone_not_an_admin_is_refused_with_status_1(db):
    code, out = run(db, "users", "set", "eko", "--role", "supervisor", "--as", "budi")
    assert code == 1 and "mengelola pengguna" in out
