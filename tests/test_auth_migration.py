"""Migration 0008_sign_in creates exactly the models' password columns and sessions table, and goes back to
0007_claim_reversal leaving the users as they were (and their USER_KEPT triggers in place) and up again."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from beasiswa.db import make_engine, upgrade
from beasiswa.db.migrate import _config, head_revision
from beasiswa.db.tables import SQLModel
from beasiswa.model import Refusal
from auth_support import PASSWORD, at, database, signing  # noqa: F401
from workflow_support import refused_by_database

SIGN_IN_COLUMNS = {"password_hash", "must_change_password", "failed_sign_ins", "locked_until", "password_changed_at"}


def test_the_migrations_create_exactly_the_sessions_table_and_the_users_columns_of_the_models(database):
    def include(_object, name, type_, _reflected, _compare_to):
        return type_ != "table" or name in {"users", "sessions"}

    engine = make_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()
    assert head_revision() == "0013_reconciliation"


def test_downgrading_drops_the_sessions_and_the_password_columns_keeps_the_users_and_upgrading_restores_them(signing):
    w, auth = signing
    auth.sign_in("ani", PASSWORD, at())
    with w.engine.connect() as conn:
        command.downgrade(_config(conn), "0007_claim_reversal")
        conn.commit()
    found = inspect(w.engine)
    assert "sessions" not in found.get_table_names()
    assert not SIGN_IN_COLUMNS & {c["name"] for c in found.get_columns("users")}
    with w.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 8
    assert refused_by_database(w, "DELETE FROM users WHERE name = 'ani'") == "USER_KEPT"
    upgrade(w.engine)
    with pytest.raises(Refusal, match="SIGN_IN_FAILED"):  # the passwords went with the columns
        auth.sign_in("ani", PASSWORD, at(minutes=1))
    auth.set_one_time_password("admin", "ani", "sementara-123", at(minutes=2))
    assert auth.sign_in("ani", "sementara-123", at(minutes=3)).session.must_change_password
    w.engine.dispose()
