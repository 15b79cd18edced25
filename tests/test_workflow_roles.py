"""Who may do what: officers and supervisors on their own office's cases, auditors never change anything,
admins only manage users, a deactivated user does nothing, and no one approves what they verified."""

import pytest

from beasiswa.access.actions import AUTOMATIC, Action
from beasiswa.access.roles import ALLOWED, NotAllowed, Role, User, check, check_four_eyes

ANI = User("ani", Role.OFFICER, "KC-PLG")
BUDI = User("budi", Role.SUPERVISOR, "KC-PLG")
GITA = User("gita", Role.AUDITOR, "KP")
ADMIN = User("admin", Role.ADMIN, "KP")
ASKED = [a for a in Action if a not in AUTOMATIC]
CLAIM_ACTIONS = [a for a in ASKED if a is not Action.MANAGE_USERS]


def refusal(user, action, office="KC-PLG") -> str:
    with pytest.raises(NotAllowed) as refused:
        check(user, action, office, "klaim KC-PLG-1/klaim-1")
    return refused.value.code


@pytest.mark.parametrize("action", ASKED)
def test_an_auditor_changes_nothing_at_all(action):
    assert refusal(GITA, action) == "ROLE"


@pytest.mark.parametrize("action", CLAIM_ACTIONS)
def test_an_admin_manages_users_and_does_nothing_to_claims(action):
    assert refusal(ADMIN, action) == "ROLE"
    check(ADMIN, Action.MANAGE_USERS)


@pytest.mark.parametrize("action", [a for a in CLAIM_ACTIONS if Role.OFFICER in ALLOWED[a]])
def test_an_officer_acts_on_the_cases_of_their_own_office(action):
    check(ANI, action, "KC-PLG")
    assert refusal(ANI, action, "KC-SBY") == "OFFICE"


@pytest.mark.parametrize("action", [a for a in CLAIM_ACTIONS if Role.SUPERVISOR in ALLOWED[a]])
def test_a_supervisor_acts_on_the_cases_of_their_own_office(action):
    check(BUDI, action, "KC-PLG")
    assert refusal(BUDI, action, "KC-SBY") == "OFFICE"


def test_only_supervisors_approve_and_only_officers_override():
    assert refusal(ANI, Action.APPROVE) == "ROLE"
    assert refusal(ANI, Action.CONFIRM_REJECTION) == "ROLE"
    assert refusal(BUDI, Action.OVERRIDE) == "ROLE"


def test_a_refusal_names_who_what_and_the_rule():
    with pytest.raises(NotAllowed) as refused:
        check(ANI, Action.VERIFY, "KC-SBY", "klaim KC-SBY-1/klaim-1")
    assert refused.value.message == ("pengguna 'ani' (petugas, KC-PLG) tidak boleh memverifikasi klaim KC-SBY-1/klaim-1 "
                                     "milik kantor KC-SBY: petugas hanya menangani kasus kantornya sendiri")


@pytest.mark.parametrize("action", ASKED)
def test_a_deactivated_user_does_nothing(action):
    gone = User("ani", Role.OFFICER, "KC-PLG", active=False)
    assert refusal(gone, action) == "INACTIVE"


@pytest.mark.parametrize("action", sorted(AUTOMATIC))
def test_the_automatic_steps_are_never_asked_for(action):
    assert refusal(ANI, action) == "AUTOMATIC"


def test_a_supervisor_never_approves_a_claim_they_verified_or_overrode_themselves():
    with pytest.raises(NotAllowed, match="FOUR_EYES"):
        check_four_eyes(BUDI, "budi", None)
    with pytest.raises(NotAllowed, match="FOUR_EYES"):
        check_four_eyes(BUDI, "ani", "budi")
    check_four_eyes(BUDI, "ani", None)
    check_four_eyes(BUDI, "ani", "ani")


@pytest.mark.parametrize("name, ok", [("ani", True), ("a", False), ("ani.petugas-2", True), ("Ani", False),
                                      ("9ani", False), ("ani budi", False), ("a" * 40, True), ("a" * 41, False)])
def test_a_user_name_is_2_to_40_lower_case_letters_digits_and_dot_dash_underscore(name, ok):
    if ok:
        assert User(name, Role.OFFICER, "KC-PLG").name == name
    else:
        with pytest.raises(ValueError, match="bukan nama pengguna"):
            User(name, Role.OFFICER, "KC-PLG")


@pytest.mark.parametrize("office", ["kc-plg", "KC PLG", "", "KC--PLG"])
def test_an_office_code_is_written_as_the_case_files_write_it(office):
    with pytest.raises(ValueError, match="bukan kode kantor"):
        User("ani", Role.OFFICER, office)
