"""What the workflow tests share: a migrated database with the people of two offices, a clock the test moves,
cases built in code, and shorthand for the claim's state and its audit rows.

People: `admin` (KP); in KC-PLG the officers `ani` and `dedi`, the supervisors `budi` and `citra`; in KC-SBY
the officer `eko` and the supervisor `fajar`; the auditor `gita` (KP). The default case (tests/builders.py) is
of KC-PLG: one SMA claim approved for Rp3.000.000.
"""

import datetime as dt

import attrs
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from beasiswa.db import make_engine
from beasiswa.db.tables import claims
from beasiswa.db.user_tables import audit_trail
from beasiswa.ledger.errors import database_rule
from beasiswa.model import ClaimRef
from beasiswa.workflow.service import Workflow
from builders import LAW, FIRST_CLAIM_DOCUMENTS, case, child, claim, date, participant, payout  # noqa: F401
from ledger_support import database, dialect, postgres_url_or_skip, sql, sqlite_database  # noqa: F401 - re-exported

UTC = dt.timezone.utc
PEOPLE = [("ani", "officer", "KC-PLG"), ("dedi", "officer", "KC-PLG"), ("budi", "supervisor", "KC-PLG"),
          ("citra", "supervisor", "KC-PLG"), ("eko", "officer", "KC-SBY"), ("fajar", "supervisor", "KC-SBY"),
          ("gita", "auditor", "KP")]


class Clock:
    """A clock the test moves: starts on 1 August 2025 09:00 UTC, a second later at every reading."""

    def __init__(self, start: dt.datetime = dt.datetime(2025, 8, 1, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def workflow(url: str, clock: Clock | None = None, **options) -> Workflow:
    return Workflow(make_engine(url), LAW, clock or Clock(), **options)


def staffed(url: str, clock: Clock | None = None, **options) -> Workflow:
    """A workflow over `url` with the first admin and everyone of PEOPLE."""
    w = workflow(url, clock, **options)
    w.bootstrap("admin", "KP")
    for name, role, office in PEOPLE:
        w.add_user("admin", name, role, office)
    return w


def tokens_of(url: str, names: list[str] | None = None) -> dict[str, str]:
    """A personal token for everyone of `staffed` (or `names`) on `url`'s database, as `beasiswa login` gives
    them (30 days from now: the real clock, which the commands read), by name: the secrets, for BEASISWA_TOKEN.
    The passwords are skipped (argon2 would take a second a test): the sessions are opened directly, unaudited."""
    from beasiswa.access.trail import find_user
    from beasiswa.auth import TOKEN
    from beasiswa.auth.sessions import open_session
    from beasiswa.db.uow import utc_now

    engine = make_engine(url)
    names = names or ["admin", *(name for name, _, _ in PEOPLE)]
    with engine.begin() as conn:
        secrets = {name: open_session(conn, find_user(conn, name), TOKEN, utc_now(), label="test").secret
                   for name in names}
    engine.dispose()
    return secrets


def signed_in(url: str, names: list[str] | None = None) -> dict[str, str]:
    """`tokens_of`, kept in the token file the tests use (conftest: $BEASISWA_TOKEN_FILE), as `beasiswa login`
    keeps them: the command line tests' users act with `--as NAME` as before."""
    from beasiswa.cli.identity import database_key, read_tokens, write_tokens

    secrets = tokens_of(url, names)
    engine = make_engine(url)
    key = database_key(engine)
    engine.dispose()
    kept = [e for e in read_tokens() if not (e["database"] == key and e["user"] in secrets)]
    write_tokens(kept + [{"database": key, "user": n, "secret": s} for n, s in secrets.items()])
    return secrets


def staffed_and_signed_in(url: str) -> dict[str, str]:
    """`staffed`, everyone signed in (`signed_in`): the command line tests' database."""
    staffed(url).engine.dispose()
    return signed_in(url)


@pytest.fixture
def wf(database):
    """A staffed workflow on each dialect (SQLite file; PostgreSQL schema when configured)."""
    w = staffed(database)
    yield w
    w.engine.dispose()


@pytest.fixture
def wf_sqlite(tmp_path):
    """A staffed workflow on SQLite only (for what the dialect does not change)."""
    w = staffed(sqlite_database(tmp_path, "workflow.db"))
    yield w
    w.engine.dispose()


def sby(a_case):
    """The same case, of KC-SBY."""
    return attrs.evolve(a_case, case_id=a_case.case_id.replace("KC-PLG", "KC-SBY"), office="KC-SBY")


def ref(a_case, claim_id: str = "klaim-1") -> ClaimRef:
    return ClaimRef(a_case.case_id, claim_id)


def state_of(w: Workflow, r: ClaimRef) -> dict:
    """The claim's row, with its values as the application reads them (dates, JSON)."""
    with w.engine.connect() as conn:
        row = conn.execute(select(claims).where(claims.c.case_id == r.case_id, claims.c.claim_id == r.claim_id)).one()
    return dict(row._mapping)


def audit_rows(w: Workflow, r: ClaimRef | None = None) -> list[dict]:
    query = select(audit_trail).order_by(audit_trail.c.seq)
    if r is not None:
        query = query.where(audit_trail.c.case_id == r.case_id, audit_trail.c.claim_id == r.claim_id)
    with w.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def count(w: Workflow, table: str) -> int:
    with w.engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def taken(w: Workflow, a_case, as_: str = "ani"):
    result = w.take_in(as_, a_case, "test")
    assert result.refusal is None, result.refusal
    return result


def one(steps):
    [step] = steps
    return step


def url_of(w: Workflow) -> str:
    """The workflow's database URL, password included (for raw SQL and the command line)."""
    return w.engine.url.render_as_string(hide_password=False)


def refused_by_database(w: Workflow, statement: str, **params) -> str:
    """The rule the database names when it refuses `statement` (run straight through SQL)."""
    with pytest.raises(IntegrityError) as caught:
        sql(url_of(w), statement, **params)
    return database_rule(str(caught.value.orig))
