"""The database as the migrations make it: the models' tables exactly, and connections that hold the
ledger's guarantees (SQLite: foreign keys on, WAL, the write lock taken when a transaction begins)."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from beasiswa.db import DEFAULT_URL, ENV_VAR, current_revision, database_url, head_revision, make_engine, upgrade
from beasiswa.db.engine import DatabaseUrlError
from beasiswa.db.tables import SQLModel
from ledger_support import database  # noqa: F401 - fixture


LEDGER_TABLES = {"cases", "children", "claims", "journal", "family_totals", "level_usage", "paid_years"}


def _ledger_tables_only(name, type_, _parent):
    return type_ != "table" or name in LEDGER_TABLES


def _ledger_models_only(_object, name, type_, _reflected, _compare_to):
    # include_name filters only what is reflected; the models' side needs this (other tables share the metadata).
    return type_ != "table" or name in LEDGER_TABLES


def test_the_migrations_create_exactly_the_ledger_tables_of_the_models(database):
    engine = make_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _ledger_tables_only,
                                                         "include_object": _ledger_models_only})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_upgrading_a_database_at_the_head_changes_nothing(database):
    engine = make_engine(database)
    assert upgrade(engine) == head_revision()


def test_a_sqlite_connection_has_foreign_keys_on_and_the_file_in_wal_mode(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_sqlite_transaction_holds_the_write_lock_from_its_first_statement(tmp_path):
    path = tmp_path / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with engine.begin() as conn:
        conn.execute(text("SELECT COUNT(*) FROM family_totals")).scalar()  # a read, no write yet
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
    other.execute("ROLLBACK")


def test_the_database_url_comes_from_the_option_then_the_environment_then_the_default(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert database_url(None) == DEFAULT_URL == "sqlite:///beasiswa.db"
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://postgres@127.0.0.1/test")
    assert database_url(None) == "postgresql+psycopg://postgres@127.0.0.1/test"
    assert database_url("sqlite:///other.db") == "sqlite:///other.db"
    assert database_url("out/beasiswa.db") == "sqlite:///out/beasiswa.db"


def test_a_plain_postgresql_url_is_driven_by_psycopg_3():
    engine = make_engine("postgresql://postgres@127.0.0.1/test")
    assert engine.dialect.driver == "psycopg"
    assert make_url(str(engine.url)).drivername == "postgresql+psycopg"


def test_a_database_the_project_cannot_use_is_refused_naming_it():
    with pytest.raises(DatabaseUrlError, match="'mysql' is not supported"):
        make_engine("mysql://root@localhost/test")


def test_a_sqlite_ledger_keeps_its_running_totals_across_the_split_of_its_totals_trigger(tmp_path):
    """0004 splits the SQLite trigger keeping the totals by kind of entry: totals written before, after and
    back down again are the journal's."""
    from alembic import command

    from beasiswa.db.migrate import _config
    from beasiswa.ledger import verify
    from ledger_support import APPROVER, MAKER, approved, case, claim, ledger

    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = make_engine(url)
    assert upgrade(engine, "0003_workflow") == "0003_workflow"
    # Today's service writes each claim's office (0011_claims_office); at 0003 the test lends the table that
    # column for its writes, and takes it back before the upgrade, which adds and fills it.
    lend_office = "ALTER TABLE claims ADD COLUMN office VARCHAR NOT NULL DEFAULT ''"
    with engine.begin() as conn:
        conn.execute(text(lend_office))
    story = case(claims=[claim("klaim-1", year="2024/2025"), claim("klaim-2", year="2025/2026"),
                         claim("klaim-3", year="2025/2026")])
    service = ledger(url)
    service.register(story, approved(story), maker=MAKER, approver=APPROVER)
    first = service.pay(story.case_id, "klaim-1", maker=MAKER, approver=APPROVER).entry
    service.reverse(first.seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE claims DROP COLUMN office"))

    assert upgrade(engine) == head_revision()
    second = service.pay(story.case_id, "klaim-2", maker=MAKER, approver=APPROVER).entry
    service.reverse(second.seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    service.pay(story.case_id, "klaim-3", maker=MAKER, approver=APPROVER)
    with engine.connect() as conn:
        totals = conn.execute(text("SELECT paid FROM family_totals")).scalar_one()
        years = conn.execute(text("SELECT academic_year FROM paid_years")).scalars().all()
    assert (totals, years) == (3_000_000, ["2025/2026"])
    assert verify(engine).ok

    with engine.connect() as conn:
        command.downgrade(_config(conn), "0003_workflow")
        conn.execute(text(lend_office))
        conn.commit()
    again = service.pay(story.case_id, "klaim-1", maker=MAKER, approver=APPROVER, key="klaim-1:lagi")
    assert not again.replayed
    assert verify(engine).ok
    with engine.connect() as conn:
        assert conn.execute(text("SELECT paid FROM family_totals")).scalar_one() == 6_000_000
