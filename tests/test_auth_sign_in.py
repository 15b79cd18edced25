"""Signing in: one answer for a wrong name or password, 5 failures in a row lock the user for 15 minutes, a new
session id at every sign-in, a one-time password that must be changed first, a deactivated user refused."""

import pytest
from sqlalchemy import select

from beasiswa.auth import WEB
from beasiswa.auth.session_ids import hashed
from beasiswa.db.user_tables import sessions
from beasiswa.model import Refusal
from auth_support import PASSWORD, at, auth_rows, database, signing, user_row  # noqa: F401


def refusal(call, *args, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    return caught.value


def fail(auth, name: str, times: int, **start):
    for i in range(times):
        assert refusal(auth.sign_in, name, "salah-salah-salah", at(**start, seconds=i)).code == "SIGN_IN_FAILED"


def lock(auth, name: str, **start):
    """Five failures in a row, the last at `start` + 4 s: locked until 15 minutes after it."""
    fail(auth, name, 4, **start)
    assert refusal(auth.sign_in, name, "salah-salah-salah", at(**start, seconds=4)).code == "LOCKED"


def test_a_user_signs_in_with_the_password_and_gets_a_web_session_for_that_user(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    assert (opened.session.user.name, opened.session.kind, opened.session.must_change_password) == ("ani", WEB, False)
    assert auth.authenticate(opened.secret, at(minutes=1)).user.name == "ani"


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(signing):
    _, auth = signing
    unknown, wrong = refusal(auth.sign_in, "siapa", PASSWORD, at()), refusal(auth.sign_in, "ani", "x" * 12, at())
    assert (unknown.code, unknown.message) == (wrong.code, wrong.message) == (
        "SIGN_IN_FAILED", "nama pengguna atau kata sandi salah")


def test_four_failures_in_a_row_do_not_lock_and_the_right_password_then_signs_in_and_counts_from_zero(signing):
    w, auth = signing
    fail(auth, "ani", 4)
    assert user_row(w, "ani")["failed_sign_ins"] == 4
    auth.sign_in("ani", PASSWORD, at(minutes=1))
    assert (user_row(w, "ani")["failed_sign_ins"], user_row(w, "ani")["locked_until"]) == (0, None)
    fail(auth, "ani", 4, minutes=2)  # four again: still not locked
    auth.sign_in("ani", PASSWORD, at(minutes=3))


def test_the_fifth_failure_in_a_row_locks_the_user_even_against_the_right_password(signing):
    w, auth = signing
    fail(auth, "ani", 4)
    locked = refusal(auth.sign_in, "ani", "salah-salah-salah", at(seconds=4))
    assert locked.code == "LOCKED" and locked.values["until"] == "2025-08-01T09:15:04.000000Z"
    assert "5 kali gagal masuk" in locked.message
    assert refusal(auth.sign_in, "ani", PASSWORD, at(minutes=5)).code == "LOCKED"
    assert user_row(w, "ani")["locked_until"] == "2025-08-01T09:15:04.000000Z"  # a refused try does not extend it


def test_the_lock_holds_until_15_minutes_and_ends_at_15_minutes(signing):
    _, auth = signing
    fail(auth, "ani", 4)
    refusal(auth.sign_in, "ani", "salah-salah-salah", at(seconds=4))
    assert refusal(auth.sign_in, "ani", PASSWORD, at(minutes=15, seconds=3, microseconds=999_999)).code == "LOCKED"
    assert auth.sign_in("ani", PASSWORD, at(minutes=15, seconds=4)).session.user.name == "ani"


def test_after_a_lock_ends_a_failure_counts_from_one_again(signing):
    w, auth = signing
    lock(auth, "ani")
    assert refusal(auth.sign_in, "ani", "salah-salah-salah", at(minutes=16)).code == "SIGN_IN_FAILED"
    assert (user_row(w, "ani")["failed_sign_ins"], user_row(w, "ani")["locked_until"]) == (1, None)


def test_another_users_failures_lock_only_that_user(signing):
    _, auth = signing
    lock(auth, "ani")
    assert auth.sign_in("dedi", PASSWORD, at(minutes=1)).session.user.name == "dedi"


def test_every_sign_in_gets_a_new_session_id_and_the_one_held_before_sign_in_ends(signing):
    w, auth = signing
    first = auth.sign_in("ani", PASSWORD, at())
    second = auth.sign_in("ani", PASSWORD, at(minutes=1), previous=first.secret)
    assert first.secret != second.secret and first.session.id != second.session.id
    assert refusal(auth.authenticate, first.secret, at(minutes=2)).code == "SESSION_ENDED"
    assert auth.authenticate(second.secret, at(minutes=2)).id == second.session.id
    with w.engine.connect() as conn:
        reason = conn.execute(select(sessions.c.revoked_reason).where(sessions.c.id == first.session.id)).scalar()
    assert reason == "replaced"


def test_a_session_fixed_by_someone_else_before_sign_in_is_worth_nothing_after_it(signing):
    _, auth = signing
    attacker = auth.sign_in("eko", PASSWORD, at())  # a session the attacker planted in the victim's browser
    victim = auth.sign_in("ani", PASSWORD, at(minutes=1), previous=attacker.secret)
    assert refusal(auth.authenticate, attacker.secret, at(minutes=2)).code == "SESSION_ENDED"
    assert auth.authenticate(victim.secret, at(minutes=2)).user.name == "ani"


def test_a_one_time_password_signs_in_to_a_session_that_may_only_change_it(signing):
    w, auth = signing
    auth.set_one_time_password("admin", "ani", "sementara-123", at())
    limited = auth.sign_in("ani", "sementara-123", at(minutes=1))
    assert limited.session.must_change_password
    assert refusal(auth.authenticate, limited.secret, at(minutes=2)).code == "PASSWORD_CHANGE_REQUIRED"
    assert auth.authenticate(limited.secret, at(minutes=2), full=False).must_change_password
    renewed = auth.change_password(limited.secret, "sementara-123", "baru-dan-panjang-1", at(minutes=3))
    assert not renewed.session.must_change_password and renewed.secret != limited.secret
    assert refusal(auth.authenticate, limited.secret, at(minutes=4)).code == "SESSION_ENDED"
    assert auth.authenticate(renewed.secret, at(minutes=4)).user.name == "ani"
    assert not user_row(w, "ani")["must_change_password"]
    assert refusal(auth.sign_in, "ani", "sementara-123", at(minutes=5)).code == "SIGN_IN_FAILED"
    assert not auth.sign_in("ani", "baru-dan-panjang-1", at(minutes=6)).session.must_change_password


def test_a_password_change_needs_the_current_password_a_long_new_one_and_a_different_one(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    assert refusal(auth.change_password, opened.secret, "salah-salah-salah", "baru-dan-panjang-1", at(minutes=1)).code \
        == "PASSWORD_WRONG"
    short = refusal(auth.change_password, opened.secret, PASSWORD, "pendek-11ch", at(minutes=1))
    assert (short.code, short.message) == (
        "PASSWORD_POLICY", "kata sandi baru: minimal 12 karakter (diberikan 11 karakter)")
    assert refusal(auth.change_password, opened.secret, PASSWORD, PASSWORD, at(minutes=1)).code == "PASSWORD_SAME"
    assert auth.authenticate(opened.secret, at(minutes=2)).user.name == "ani"  # the refusals ended nothing


def test_a_password_reset_by_an_admin_unlocks_and_ends_every_session_and_token_of_the_user(signing):
    _, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    token = auth.sign_in("ani", PASSWORD, at(), kind="token", label="laptop ani")
    lock(auth, "ani", minutes=1)
    ended = auth.set_one_time_password("admin", "ani", "sementara-123", at(minutes=2))
    assert ended == sorted([web.session.id, token.session.id])
    for secret in (web.secret, token.secret):
        assert refusal(auth.authenticate, secret, at(minutes=3)).code == "SESSION_ENDED"
    assert auth.sign_in("ani", "sementara-123", at(minutes=3)).session.must_change_password


def test_only_an_admin_sets_a_password(signing):
    _, auth = signing
    assert refusal(auth.set_one_time_password, "budi", "ani", "sementara-123", at()).code == "ROLE"
    assert refusal(auth.set_one_time_password, "admin", "siapa", "sementara-123", at()).code == "UNKNOWN_USER"


def test_a_deactivated_user_is_refused_sign_in_with_the_right_password(signing):
    w, auth = signing
    w.deactivate_user("admin", "ani")
    assert refusal(auth.sign_in, "ani", PASSWORD, at()).code == "INACTIVE"
    assert refusal(auth.sign_in, "ani", "salah-salah-salah", at()).code == "SIGN_IN_FAILED"


def test_a_user_without_a_password_cannot_sign_in(signing):
    w, auth = signing
    w.add_user("admin", "rina", "officer", "KC-PLG")
    assert refusal(auth.sign_in, "rina", "", at()).code == "SIGN_IN_FAILED"
    assert refusal(auth.sign_in, "rina", PASSWORD, at()).code == "SIGN_IN_FAILED"


def test_the_session_row_holds_the_secrets_hash_not_the_secret(signing):
    w, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    with w.engine.connect() as conn:
        stored = conn.execute(select(sessions.c.secret_hash).where(sessions.c.id == opened.session.id)).scalar_one()
    assert stored == hashed(opened.secret) and len(stored) == 64 and opened.secret not in stored
    assert len(opened.secret) >= 43  # token_urlsafe(32): 256 bits


def test_a_sign_in_is_audited_with_its_session_and_without_its_secret(signing):
    w, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    [row] = auth_rows(w)
    assert (row["action"], row["actor"], row["result"], row["subject"]) == ("auth.sign_in", "ani", "done", "user ani")
    assert row["after"]["session"] == opened.session.id and opened.secret not in repr(row)
