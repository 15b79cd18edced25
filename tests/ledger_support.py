"""What the ledger tests share: a fresh migrated database on each dialect, cases the tests build, raw SQL.

`database` is parametrized over SQLite (a file in tmp_path) and PostgreSQL (its own schema in the database
named by BEASISWA_TEST_POSTGRES_URL, dropped afterwards). Without that variable the PostgreSQL cases skip,
unless BEASISWA_REQUIRE_POSTGRES=1 (as in CI), which turns the skip into a failure.

Each test's database is made without running the migrations again (they took most of a test's time, a
second and more on PostgreSQL): on SQLite a copy of a file migrated once per test process, on PostgreSQL a
schema made by the SQL the migrations sent once per test process (`postgres_migration`, which checks that
the two schemas are alike). Either is at the head revision exactly as `upgrade` leaves a new database; the
migrations themselves run in the tests that call `upgrade` (tests/test_ledger_migrations.py and others).
"""

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import attrs
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from beasiswa.casefile import case_to_json, dumps
from beasiswa.db import make_engine, upgrade
from beasiswa.ledger import Ledger
from beasiswa.model import CaseDecision, Decision, Entitlement, Outcome
from builders import LAW, case, child, claim, school_path  # noqa: F401 - re-exported for the tests

POSTGRES_ENV = "BEASISWA_TEST_POSTGRES_URL"
REQUIRE_ENV = "BEASISWA_REQUIRE_POSTGRES"
ROOT = Path(__file__).resolve().parent.parent
MAKER, APPROVER = "ani.maker", "budi.approver"


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {POSTGRES_ENV} is not set: the PostgreSQL tests may not skip")
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite file migrated to the head revision, once per test process."""
    path = Path(tempfile.mkdtemp(prefix="beasiswa-template-")) / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file, which is all there is
    return path


def sqlite_database(tmp_path, name: str = "ledger.db") -> str:
    """The URL of a fresh SQLite database at the head revision in `tmp_path` (a copy of `_sqlite_template`)."""
    path = tmp_path / name
    shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


def _schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _new_schema() -> str:
    return f"beasiswa_test_{uuid.uuid4().hex[:12]}"


def _create_schema(admin, schema: str, migration: str) -> None:
    """`schema`, made by the recorded migration in one transaction and one round trip."""
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        conn.exec_driver_sql(f"SET LOCAL search_path TO {schema}")
        conn.connection.cursor().execute(migration)  # no parameters: psycopg sends the statements as one query


def _is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith("SELECT")


# What two schemas must have alike to be the same database for the tests; the schema's own name left out.
_CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
               "WHERE table_schema = :schema ORDER BY 1, 2",
    "constraints": "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                   "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :schema ORDER BY 1, 2",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :schema ORDER BY 1, 2",
    "triggers": "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = :schema AND NOT t.tgisinternal "
                "ORDER BY 1, 2",
    "functions": "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n "
                 "ON n.oid = p.pronamespace WHERE n.nspname = :schema ORDER BY 1",
    "sequences": "SELECT sequencename, start_value, increment_by FROM pg_sequences WHERE schemaname = :schema "
                 "ORDER BY 1",
}


def _catalog(admin, schema: str) -> dict:
    with admin.connect() as conn:
        found = {name: [tuple(str(v).replace(schema, "SCHEMA") for v in row)
                        for row in conn.execute(text(query), {"schema": schema})]
                 for name, query in _CATALOG.items()}
        found["revision"] = conn.execute(text(f"SELECT version_num FROM {schema}.alembic_version")).all()
    return found


@pytest.fixture(scope="session")
def postgres_migration():
    """The SQL the migrations send to an empty PostgreSQL schema, recorded once per test process (the
    migrations took most of a PostgreSQL test's time: a second and more, Alembic's and the server's): each
    test's schema is made by sending it again. It is checked once here: a schema made from the recording has the
    migrated schema's tables, columns, constraints, indexes, triggers, functions and revision."""
    base = postgres_url_or_skip()
    admin = make_engine(base)
    migrated, replayed = _new_schema(), _new_schema()
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {migrated}"))
    recorded: list[tuple[str, object]] = []
    engine = make_engine(_schema_url(base, migrated))
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many: recorded.append((statement, parameters)))
    try:
        upgrade(engine)
        engine.dispose()
        # Only Alembic's look-ups of its own table take parameters; what changes the schema is plain SQL, sent
        # with empty parameters (so a % in it was doubled), here sent with none.
        assert not any(parameters for statement, parameters in recorded if not _is_read(statement)), recorded
        migration = ";\n".join(statement if parameters is None else statement.replace("%%", "%")
                                for statement, parameters in recorded if not _is_read(statement))
        _create_schema(admin, replayed, migration)
        assert _catalog(admin, replayed) == _catalog(admin, migrated), "the recorded migration makes another schema"
    finally:  # both only for the check: gone before the first test, so a run cut short leaves neither behind
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {migrated} CASCADE"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {replayed} CASCADE"))
        admin.dispose()
    return migration


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """The URL of a fresh database at the head revision, on each dialect."""
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    with postgres_schema(request.getfixturevalue("postgres_migration")) as url:
        yield url


@contextlib.contextmanager
def postgres_schema(migration: str):
    """The URL of a PostgreSQL schema of its own at the head revision, made by `migration` (the
    `postgres_migration` fixture's recording), dropped afterwards (skips without PostgreSQL)."""
    base = postgres_url_or_skip()
    schema = _new_schema()
    admin = make_engine(base)
    _create_schema(admin, schema, migration)
    try:
        yield _schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def ledger(url: str, **options) -> Ledger:
    engine_options = {k: options.pop(k) for k in ("lock_timeout_ms",) if k in options}
    return Ledger(make_engine(url, **engine_options), LAW, **options)


def sql(url: str, statement: str, **params):
    """Run one statement straight through SQL, in its own transaction; the rows, if any."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def approved(case_, amounts: dict[str, int] | None = None, scheme: str = "PP-82-2019") -> CaseDecision:
    """A decision approving every claim of a case at the table amount (or the one given per claim).

    For the ledger's own tests: claims decided separately (by officers working at the same time, on
    different snapshots) can together break a rule that `decide` would never break in one run.
    """
    amounts = amounts or {}
    table = LAW.scheme(scheme)
    decisions = tuple(Decision(c.id, c.child, Outcome.APPROVED, amounts.get(c.id, table.amount_for(c.level).value),
                               (), (), ()) for c in case_.claims)
    return CaseDecision(case_id=case_.case_id, scheme=scheme, decisions=decisions,
                        entitlement=Entitlement(table.family_cap.value, 0, table.family_cap.value, ()))


def write_case(path: Path, case_) -> Path:
    path.write_text(dumps(case_to_json(case_)), encoding="utf-8")
    return path


def beasiswa(*args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """The command line, in a process of its own."""
    return subprocess.run([sys.executable, "-c", "from beasiswa.cli import app; app()", *args],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})},
                          check=check, timeout=300)


def with_id(case_, case_id: str):
    return attrs.evolve(case_, case_id=case_id)
