"""On PostgreSQL, connected as the application role (`beasiswa.db.roles.POLICY`), every sign-in change goes
through, and what the policy does not give is refused: rewriting a session's secret, user or times, deleting a
session, setting a user's role."""

import psycopg
import pytest

from beasiswa.auth import TOKEN, Auth, end_sessions_of
from beasiswa.db import make_engine
from beasiswa.model import Refusal
from beasiswa.workflow.service import Workflow
from auth_support import CHEAP, at
from builders import LAW
from test_db_roles import as_app, db_upgrade, deployment


@pytest.mark.postgres
def test_the_application_role_signs_in_locks_out_changes_passwords_and_ends_sessions_and_no_more():
    with deployment() as d:
        upgraded = db_upgrade(d)
        assert upgraded.exit_code == 0, upgraded.output
        engine = make_engine(d.app_url)
        try:
            w, auth = Workflow(engine, LAW, lambda: at()), Auth(engine, hasher=CHEAP)
            w.bootstrap("admin", "KP")
            w.add_user("admin", "ani", "officer", "KC-PLG")
            auth.set_one_time_password("admin", "ani", "sementara-123", at())
            limited = auth.sign_in("ani", "sementara-123", at(minutes=1))
            web = auth.change_password(limited.secret, "sementara-123", "baru-dan-panjang-1", at(minutes=2))
            token = auth.sign_in("ani", "baru-dan-panjang-1", at(minutes=3), kind=TOKEN)
            auth.authenticate(token.secret, at(minutes=4), kind=TOKEN)
            for i in range(5):
                with pytest.raises(Refusal):
                    auth.sign_in("ani", "salah-salah-salah", at(minutes=5, seconds=i))
            auth.revoke("admin", token.session.id, at(minutes=6))
            auth.sign_out(web.secret, at(minutes=7))
            w.deactivate_user("admin", "ani")
            with engine.begin() as conn:
                end_sessions_of(conn, "ani", at(minutes=8), by="admin")
        finally:
            engine.dispose()
        for statement in ("UPDATE sessions SET secret_hash = repeat('0', 64)",
                          "UPDATE sessions SET user_name = 'admin'",
                          "UPDATE sessions SET expires_at = '2099-01-01T00:00:00.000000Z'",
                          "DELETE FROM sessions",
                          "UPDATE users SET role = 'admin'",
                          "UPDATE users SET created_by = 'ani'"):
            with pytest.raises(Exception) as refused:
                as_app(d, statement)
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), statement
