"""Every sign-in event is a row of the chained audit trail: sign-in, failure, lockout, sign-out, token issue
and revoke, password change and reset, the end of a user's sessions, and the refused attempts of each; the
chain still verifies, and no row carries a secret or a password."""

import pytest

from beasiswa.audit.trail import verify_trail
from beasiswa.auth import TOKEN, end_sessions_of
from beasiswa.model import Refusal
from auth_support import PASSWORD, at, auth_rows, database, every_text, signing  # noqa: F401


def refused_call(call, *args, **kwargs) -> str:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    return caught.value.code


def summary(rows) -> list[tuple]:
    return [(r["action"], r["actor"], r["asked_as"], r["result"], r["refusal_code"]) for r in rows]


def test_a_day_of_sign_in_events_is_in_the_trail_refusals_included_and_the_chain_verifies(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    assert refused_call(auth.sign_in, "siapa", PASSWORD, at(seconds=1)) == "SIGN_IN_FAILED"
    for i in range(4):
        refused_call(auth.sign_in, "dedi", "salah-salah-salah", at(seconds=2 + i))
    assert refused_call(auth.sign_in, "dedi", "salah-salah-salah", at(seconds=6)) == "LOCKED"
    assert refused_call(auth.sign_in, "dedi", PASSWORD, at(seconds=7)) == "LOCKED"
    token = auth.sign_in("ani", PASSWORD, at(minutes=1), kind=TOKEN, label="laptop ani")
    auth.sign_out(web.secret, at(minutes=2))
    auth.revoke("admin", token.session.id, at(minutes=3))
    assert refused_call(auth.revoke, "budi", token.session.id, at(minutes=3)) == "ROLE"
    auth.set_one_time_password("admin", "dedi", "sementara-123", at(minutes=4))
    assert refused_call(auth.set_one_time_password, "admin", "eko", "pendek", at(minutes=4)) == "PASSWORD_POLICY"
    limited = auth.sign_in("dedi", "sementara-123", at(minutes=5))
    assert refused_call(auth.change_password, limited.secret, "sementara-123", "pendek", at(minutes=6)) \
        == "PASSWORD_POLICY"
    auth.change_password(limited.secret, "sementara-123", "baru-dan-panjang-1", at(minutes=6))
    auth.sign_in("eko", PASSWORD, at(minutes=7))
    w.deactivate_user("admin", "eko")
    with w.engine.begin() as conn:
        end_sessions_of(conn, "eko", at(minutes=8), by="admin")
    assert refused_call(auth.sign_in, "eko", PASSWORD, at(minutes=9)) == "INACTIVE"

    assert summary(auth_rows(w)) == [
        ("auth.sign_in", "ani", "ani", "done", None),
        ("auth.sign_in", None, "siapa", "refused", "SIGN_IN_FAILED"),
        *[("auth.sign_in", "dedi", "dedi", "refused", "SIGN_IN_FAILED")] * 5,
        ("auth.lockout", "dedi", "dedi", "refused", "LOCKED"),
        ("auth.sign_in", "dedi", "dedi", "refused", "LOCKED"),
        ("auth.token_issue", "ani", "ani", "done", None),
        ("auth.sign_out", "ani", "ani", "done", None),
        ("auth.token_revoke", "admin", "admin", "done", None),
        ("auth.session_revoke", "budi", "budi", "refused", "ROLE"),
        ("auth.password_reset", "admin", "admin", "done", None),
        ("auth.password_reset", "admin", "admin", "refused", "PASSWORD_POLICY"),
        ("auth.sign_in", "dedi", "dedi", "done", None),
        ("auth.password_change", "dedi", "dedi", "refused", "PASSWORD_POLICY"),
        ("auth.password_change", "dedi", "dedi", "done", None),
        ("auth.sign_in", "eko", "eko", "done", None),
        ("auth.sessions_end", "admin", "admin", "done", None),
        ("auth.sign_in", "eko", "eko", "refused", "INACTIVE"),
    ]
    assert verify_trail(w.engine).ok
    stored = every_text(w)
    for secret in (web.secret, token.secret, limited.secret, PASSWORD, "sementara-123", "baru-dan-panjang-1"):
        assert secret not in stored


def test_the_lockout_row_says_until_when_and_after_how_many_failures(signing):
    w, auth = signing
    for i in range(5):
        refused_call(auth.sign_in, "ani", "salah-salah-salah", at(seconds=i))
    lockout = [r for r in auth_rows(w) if r["action"] == "auth.lockout"]
    assert [(r["subject"], r["note"]) for r in lockout] == [("user ani", "5 kali gagal masuk berturut-turut")]
    assert "2025-08-01T09:15:04.000000Z" in lockout[0]["refusal_message"]


def test_a_password_reset_row_names_the_sessions_it_ended_and_a_sign_in_row_the_session_it_opened(signing):
    w, auth = signing
    web = auth.sign_in("ani", PASSWORD, at())
    auth.set_one_time_password("admin", "ani", "sementara-123", at(minutes=1))
    opened, reset = auth_rows(w)
    assert opened["after"]["session"] == web.session.id and opened["after"]["kind"] == "web"
    assert reset["subject"] == "user ani" and reset["after"] == {"must_change_password": True,
                                                                 "sessions_ended": [web.session.id]}
