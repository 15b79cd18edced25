"""What the ledger tests share: a fresh migrated database on each dialect, cases the tests build, raw SQL.

`database` is parametrized over SQLite (a file in tmp_path) and PostgreSQL (its own schema in the database
named by BEASISWA_TEST_POSTGRES_URL, dropped afterwards). Without that variable the PostgreSQL cases skip,
unless BEASISWA_REQUIRE_POSTGRES=1 (as in CI), which turns the skip into a failure.
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import attrs
import pytest
from sqlalchemy import text
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


def sqlite_database(tmp_path) -> str:
    """The URL of a fresh SQLite database at the head revision in `tmp_path`."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """The URL of a fresh database at the head revision, on each dialect."""
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    with postgres_schema() as url:
        yield url


@contextlib.contextmanager
def postgres_schema():
    """The URL of a PostgreSQL schema of its own at the head revision, dropped afterwards (skips without one)."""
    base = postgres_url_or_skip()
    schema = f"beasiswa_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
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
