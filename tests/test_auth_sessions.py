"""Sessions: a browser's ends after 30 minutes unused and 12 hours after sign-in, a personal token after 30 days;
sign-out, an admin's revoke and a user's deactivation end them at once; the database holds no secret; an ended
session never changes again."""

import pytest
from sqlalchemy import event, select, update
from beasiswa.auth import TOKEN, end_sessions_of
from beasiswa.auth.session_ids import hashed
from beasiswa.db.user_tables import audit_trail, sessions, users
from beasiswa.model import Refusal
from auth_support import PASSWORD, at, database, every_text, signing  # noqa: F401
from workflow_support import refused_by_database


def refusal(call, *args, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    return caught.value



def test_only_the_transaction_that_moves_a_sessions_last_use_commits_without_waiting_for_the_disk(signing):
    w, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    said = []
    event.listen(w.engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: said.append(statement))
    auth.authenticate(opened.secret, at(minutes=1))
    asynchronous = [s for s in said if "synchronous_commit" in s]
    assert asynchronous == (["SET LOCAL synchronous_commit = off"] if w.engine.dialect.name == "postgresql" else [])
    with w.engine.connect() as conn:
        assert conn.execute(select(sessions.c.last_seen_at)).scalar_one() == "2025-08-01T09:01:00.000000Z"
    said.clear()
    auth.sign_out(opened.secret, at(minutes=2))
    assert not [s for s in said if "synchronous_commit" in s]  # a write that is audited waits, as every other


# ------------------------------------------------------------------------------------------- time limits
def test_a_web_session_used_29_minutes_59_seconds_ago_is_alive(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    assert auth.authenticate(opened.secret, at(minutes=29, seconds=59)).user.name == "ani"
    assert auth.authenticate(opened.secret, at(minutes=59, seconds=58)).user.name == "ani"  # counted from the last use


def test_a_web_session_unused_for_30_minutes_is_over(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    expired = refusal(auth.authenticate, opened.secret, at(minutes=30))
    assert (expired.code, expired.message) == (
        "SESSION_EXPIRED", "sesi berakhir: tidak dipakai 30 menit; silakan masuk lagi")


def test_a_web_session_in_use_lives_11_hours_59_minutes_59_seconds_and_not_12_hours(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes: never idle
        auth.authenticate(opened.secret, at(minutes=minutes))
    assert auth.authenticate(opened.secret, at(hours=11, minutes=59, seconds=59)).user.name == "ani"
    expired = refusal(auth.authenticate, opened.secret, at(hours=12))
    assert (expired.code, expired.message) == (
        "SESSION_EXPIRED", "sesi berakhir: batas 12 jam sejak masuk; silakan masuk lagi")


def test_a_personal_token_has_no_idle_limit_and_ends_30_days_after_it_was_issued(signing):
    _, auth = signing
    token = auth.sign_in("ani", PASSWORD, at(), kind=TOKEN, label="laptop ani")
    assert token.session.expires_at == at(days=30)
    assert auth.authenticate(token.secret, at(days=29, hours=23, minutes=59, seconds=59), kind=TOKEN).user.name == "ani"
    assert refusal(auth.authenticate, token.secret, at(days=30), kind=TOKEN).code == "SESSION_EXPIRED"


def test_a_secret_of_one_kind_does_not_open_the_other(signing):
    _, auth = signing
    web, token = auth.sign_in("ani", PASSWORD, at()), auth.sign_in("ani", PASSWORD, at(), kind=TOKEN)
    assert refusal(auth.authenticate, web.secret, at(), kind=TOKEN).code == "NOT_SIGNED_IN"
    assert refusal(auth.authenticate, token.secret, at(), kind="web").code == "NOT_SIGNED_IN"


def test_an_unknown_or_missing_secret_is_not_signed_in(signing):
    _, auth = signing
    for secret in (None, "", "bukan-rahasia"):
        assert refusal(auth.authenticate, secret, at()).code == "NOT_SIGNED_IN"


# ------------------------------------------------------------------------------------------- ending
def test_signing_out_ends_the_session_and_a_second_sign_out_ends_nothing(signing):
    _, auth = signing
    opened = auth.sign_in("ani", PASSWORD, at())
    assert auth.sign_out(opened.secret, at(minutes=1))
    assert refusal(auth.authenticate, opened.secret, at(minutes=2)).code == "SESSION_ENDED"
    assert not auth.sign_out(opened.secret, at(minutes=3)) and not auth.sign_out("bukan-rahasia", at(minutes=3))


def test_an_admin_lists_the_live_sessions_and_tokens_and_revokes_one(signing):
    _, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    token = auth.sign_in("ani", PASSWORD, at(), kind=TOKEN, label="cron process")
    other = auth.sign_in("budi", PASSWORD, at())
    listed = auth.sessions("admin", at(minutes=1), user_name="ani")
    assert [(s.id, s.kind, s.label, s.status) for s in listed] == [
        (token.session.id, "token", "cron process", "active"), (web.session.id, "web", None, "active")]
    assert "ani" == auth.revoke("admin", token.session.id, at(minutes=2))
    assert refusal(auth.authenticate, token.secret, at(minutes=3), kind=TOKEN).code == "SESSION_ENDED"
    assert [s.id for s in auth.sessions("admin", at(minutes=3))] == [other.session.id, web.session.id]
    ended = [s for s in auth.sessions("admin", at(minutes=3), include_ended=True) if s.id == token.session.id]
    assert [(s.status, s.revoked_by, s.revoked_reason) for s in ended] == [("ended", "admin", "revoked")]
    assert refusal(auth.revoke, "admin", token.session.id, at(minutes=4)).code == "SESSION_ENDED"
    assert refusal(auth.revoke, "admin", 999_999, at(minutes=4)).code == "SESSION_UNKNOWN"


def test_only_an_admin_lists_or_revokes_sessions(signing):
    _, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    assert refusal(auth.sessions, "budi", at()).code == "ROLE"
    assert refusal(auth.revoke, "gita", web.session.id, at()).code == "ROLE"
    assert auth.authenticate(web.secret, at(minutes=1)).user.name == "ani"


def test_a_deactivated_users_sessions_and_tokens_end_in_the_deactivations_own_transaction(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    token = auth.sign_in("ani", PASSWORD, at(), kind=TOKEN)
    keep = auth.sign_in("dedi", PASSWORD, at())
    w.deactivate_user("admin", "ani")
    with w.engine.begin() as conn:
        ended = conn.execute(select(sessions.c.id, sessions.c.revoked_by, sessions.c.revoked_reason)
                             .where(sessions.c.user_name == "ani").order_by(sessions.c.id)).all()
        assert [tuple(row) for row in ended] == [(web.session.id, "admin", "disabled"),
                                                 (token.session.id, "admin", "disabled")]
        trail = conn.execute(select(audit_trail.c.actor, audit_trail.c.after)
                             .where(audit_trail.c.action == "auth.sessions_end")).all()
        assert [tuple(row) for row in trail] == [("admin", {"sessions": [web.session.id, token.session.id],
                                                            "reason": "disabled"})]
        assert end_sessions_of(conn, "ani", at(minutes=1), by="admin") == []  # nothing left to end
    for secret, kind in ((web.secret, "web"), (token.secret, TOKEN)):
        assert refusal(auth.authenticate, secret, at(minutes=2), kind=kind).code == "SESSION_ENDED"
    assert auth.authenticate(keep.secret, at(minutes=2)).user.name == "dedi"


def test_a_user_made_inactive_by_any_other_path_is_refused_on_every_session_and_token(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    token = auth.sign_in("ani", PASSWORD, at(), kind=TOKEN)
    with w.engine.begin() as conn:  # not through deactivate_user: nothing ended the sessions
        conn.execute(update(users).where(users.c.name == "ani").values(active=False))
    for secret, kind in ((web.secret, "web"), (token.secret, TOKEN)):
        assert refusal(auth.authenticate, secret, at(minutes=1), kind=kind).code == "INACTIVE"


# ------------------------------------------------------------------------------------------- the database
def test_no_secret_is_ever_stored_in_clear_only_its_sha256(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    token = auth.sign_in("ani", PASSWORD, at(), kind=TOKEN)
    renewed = auth.change_password(web.secret, PASSWORD, "baru-dan-panjang-1", at(minutes=1))
    stored = every_text(w)
    for secret in (web.secret, token.secret, renewed.secret):
        assert secret not in stored
    assert hashed(renewed.secret) in stored
    assert PASSWORD not in stored and "baru-dan-panjang-1" not in stored


def test_an_ended_session_never_changes_again_and_no_session_is_deleted(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    auth.sign_out(web.secret, at(minutes=1))
    assert refused_by_database(w, "UPDATE sessions SET revoked_at = NULL, revoked_reason = NULL") == "SESSION_KEPT"
    assert refused_by_database(w, "DELETE FROM sessions") == "SESSION_KEPT"
    live = auth.sign_in("ani", PASSWORD, at(minutes=2))
    assert refused_by_database(w, f"UPDATE sessions SET expires_at = '2099-01-01T00:00:00.000000Z' "
                                  f"WHERE id = {live.session.id}") == "SESSION_KEPT"
    assert refused_by_database(w, f"UPDATE sessions SET user_name = 'admin' WHERE id = {live.session.id}") \
        == "SESSION_KEPT"
