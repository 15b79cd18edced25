"""PostgreSQL's two roles: `beasiswa db upgrade` runs as the owner of the tables and grants the application role
exactly `beasiswa.db.roles.POLICY`; connected as the application role, the whole day's work goes through and
switching a protection off, or changing the journal, the audit trail or the letter register, is refused.

Each PostgreSQL test makes its own owner and application roles and schema, with a random suffix (other people
test against the same server), and drops them afterwards, even when the test fails.
"""

import threading
import uuid
from contextlib import contextmanager

import attrs
import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel
from typer.testing import CliRunner

import beasiswa.db.batch_tables  # noqa: F401 - with the five below, every table in SQLModel.metadata
import beasiswa.db.letter_tables  # noqa: F401
import beasiswa.db.payment_tables  # noqa: F401
import beasiswa.db.reconciliation_tables  # noqa: F401
import beasiswa.db.tables  # noqa: F401
import beasiswa.db.user_tables  # noqa: F401
from beasiswa.cli import app
from beasiswa.db import make_engine
from beasiswa.db.roles import POLICY
from beasiswa.model import Refusal
from beasiswa.workflow.service import BOOTSTRAP_LOCK, Workflow
from ledger_support import APPROVER, LAW, MAKER, ROOT, approved, case, ledger, postgres_url_or_skip, school_path
from workflow_support import signed_in

SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"
CONTRACT = ROOT / "fixtures" / "cases" / "01-contoh-kontrak.json"
runner = CliRunner()


# ------------------------------------------------------------------------------------------- the policy
def test_every_table_of_the_metadata_has_an_access_policy():
    tables = set(SQLModel.metadata.tables)
    assert tables - set(POLICY) == set()
    assert set(POLICY) - tables == {"alembic_version"}


def test_every_column_the_policy_lets_the_application_change_exists():
    for name, access in POLICY.items():
        if access.update:
            columns = set(SQLModel.metadata.tables[name].columns.keys())
            assert set(access.update) <= columns, name


def test_the_journal_the_audit_trail_and_the_letter_register_are_added_to_and_never_changed():
    for name in ("journal", "audit_trail", "letters", "letter_files", "paid_years", "transfer_batches", "bank_statements"):
        assert POLICY[name].update == (), name
    assert not POLICY["paid_years"].insert


def test_a_claims_child_year_and_level_are_not_among_what_the_application_changes_and_its_account_is():
    for column in ("child_id", "academic_year", "level", "institution", "case_id", "claim_id"):
        assert column not in POLICY["claims"].update
    # an officer corrects the account after the bank returned a transfer (`claims account`)
    assert {"payee", "account_bank", "account_number", "account_holder"} <= set(POLICY["claims"].update)
    assert {"state", "decision_revision", "outcome", "amount", "paid_seq"} <= set(POLICY["claims"].update)


def test_on_sqlite_db_upgrade_says_the_revision_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--db", url, "--app-role", "ignored"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "peran aplikasi" not in result.output


# ------------------------------------------------------------------------------------------ PostgreSQL
@attrs.frozen
class Deployment:
    owner: str
    app: str
    schema: str
    owner_url: str
    app_url: str


def _as(base: str, user: str, schema: str) -> str:
    url = make_url(base).set(username=user, password=None)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextmanager
def deployment():
    """An owner role (LOGIN CREATEROLE) owning a fresh schema, and the name of an application role not yet
    made; everything dropped at the end."""
    base = postgres_url_or_skip()
    suffix = uuid.uuid4().hex[:10]
    owner, app_role, schema = f"beasiswa_owner_{suffix}", f"beasiswa_app_{suffix}", f"beasiswa_roles_{suffix}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {owner} LOGIN CREATEROLE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
        yield Deployment(owner, app_role, schema, _as(base, owner, schema), _as(base, app_role, schema))
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for role in (app_role, owner):
                if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                    conn.exec_driver_sql(f"DROP OWNED BY {role}")
                    conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def db_upgrade(d: Deployment):
    return runner.invoke(app, ["db", "upgrade", "--db", d.owner_url, "--app-role", d.app])


@pytest.fixture(scope="module")
def deployed():
    """One deployment upgraded by its owner, shared by the tests that only read or are refused."""
    with deployment() as d:
        result = db_upgrade(d)
        assert result.exit_code == 0, result.output
        yield d


@pytest.fixture
def fresh():
    with deployment() as d:
        yield d


def privileges(d: Deployment) -> list[tuple]:
    """What the application role holds, table by table and column by column."""
    engine = make_engine(d.owner_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = :r AND table_schema = :s ORDER BY 1, 2"), {"r": d.app, "s": d.schema}).all()
            columns = conn.execute(text(
                "SELECT table_name, column_name, privilege_type FROM information_schema.column_privileges "
                "WHERE grantee = :r AND table_schema = :s AND privilege_type = 'UPDATE' ORDER BY 1, 2"),
                {"r": d.app, "s": d.schema}).all()
        return [tuple(r) for r in tables] + [tuple(r) for r in columns]
    finally:
        engine.dispose()


def run(d: Deployment, *args: str, env: dict | None = None):
    result = runner.invoke(app, [*args, "--db", d.app_url], env=env or {}, catch_exceptions=False)
    return result.exit_code, result.output


def owner_sql(d: Deployment, query: str, **params):
    """One value, read as the owner."""
    engine = make_engine(d.owner_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), params).scalar()
    finally:
        engine.dispose()


def as_app(d: Deployment, statement: str, **params):
    engine = make_engine(d.app_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_db_upgrade_creates_the_application_role_says_what_it_may_do_and_again_grants_the_same(fresh):
    result = db_upgrade(fresh)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("(terbaru)")
    adding = sum(1 for access in POLICY.values() if access.insert)
    assert lines[1].startswith(f"peran aplikasi {fresh.app} (dibuat), skema {fresh.schema}: membaca {len(POLICY)} tabel, "
                               f"menambah baris ke {adding}, mengubah kolom cases, children, claims")
    granted = privileges(fresh)
    assert ("journal", "INSERT") in granted and ("journal", "SELECT") in granted
    assert ("users", "active", "UPDATE") in granted and ("users", "role", "UPDATE") not in granted
    again = db_upgrade(fresh)
    assert again.exit_code == 0, again.output
    assert "(created)" not in again.output
    assert privileges(fresh) == granted


@pytest.mark.postgres
def test_db_upgrade_takes_back_a_privilege_granted_by_hand(fresh):
    assert db_upgrade(fresh).exit_code == 0
    granted = privileges(fresh)
    engine = make_engine(fresh.owner_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT UPDATE, DELETE, TRUNCATE ON journal TO {fresh.app}")
    engine.dispose()
    assert db_upgrade(fresh).exit_code == 0
    assert privileges(fresh) == granted


@pytest.mark.postgres
def test_a_table_without_a_policy_refuses_the_upgrade_naming_it_and_nothing_is_upgraded(fresh):
    engine = make_engine(fresh.owner_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (id integer PRIMARY KEY)")
    result = db_upgrade(fresh)
    assert result.exit_code == 2
    assert "tidak ada yang diperbarui" in result.output and "table notes has no access policy" in result.output
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('journal')")).scalar() is None
    engine.dispose()


@pytest.mark.postgres
def test_the_owner_itself_is_refused_as_the_application_role(fresh):
    result = runner.invoke(app, ["db", "upgrade", "--db", fresh.owner_url, "--app-role", fresh.owner])
    assert result.exit_code == 2 and "is the owner that runs `db upgrade`" in result.output


@pytest.mark.postgres
def test_an_application_role_that_belongs_to_the_owner_is_refused(fresh):
    admin = make_engine(postgres_url_or_skip())
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {fresh.app} LOGIN IN ROLE {fresh.owner}")
    admin.dispose()
    result = db_upgrade(fresh)
    assert result.exit_code == 2 and f"is a member of {fresh.owner}" in result.output


# Each of these, as the application role, is refused for want of privilege (SQLSTATE 42501), whatever the rows.
REFUSED = {
    "truncate the journal": "TRUNCATE journal",
    "disable the journal's triggers": "ALTER TABLE journal DISABLE TRIGGER USER",
    "drop the journal's append-only trigger": "DROP TRIGGER journal_no_update ON journal",
    "update a journal entry": "UPDATE journal SET amount = amount + 1",
    "delete a journal entry": "DELETE FROM journal",
    "drop the journal": "DROP TABLE journal",
    "run the trigger function as itself": "ALTER FUNCTION journal_keep_totals() SECURITY INVOKER",
    "replicate without triggers": "SET session_replication_role = replica",
    "truncate the audit trail": "TRUNCATE audit_trail",
    "disable the audit trail's triggers": "ALTER TABLE audit_trail DISABLE TRIGGER USER",
    "update the audit trail": "UPDATE audit_trail SET note = 'x'",
    "delete from the audit trail": "DELETE FROM audit_trail",
    "truncate the letter register": "TRUNCATE letters",
    "disable the letter register's triggers": "ALTER TABLE letters DISABLE TRIGGER USER",
    "update a registered letter": "UPDATE letters SET letter_date = letter_date",
    "delete a registered letter": "DELETE FROM letters",
    "update a rendered letter's digest": "UPDATE letter_files SET pdf_sha256 = pdf_sha256",
    "delete a letter's sequence": "DELETE FROM letter_sequences",
    "set a family's paid total": "UPDATE family_totals SET paid = 0",
    "set a child's years used": "UPDATE level_usage SET years_used = 0",
    "delete a paid year": "DELETE FROM paid_years",
    "insert a paid year": "INSERT INTO paid_years VALUES ('c', 'a', '2025/2026', 'SMP', 'SMP', 1)",
    "change a claim's child": "UPDATE claims SET child_id = 'anak-9'",  # its account: `claims account`
    "change a transfer batch's file": "UPDATE transfer_batches SET content = content",
    "delete a transfer batch": "DELETE FROM transfer_batches",
    "change the account a transfer was sent to": "UPDATE transfers SET account_number = '1234567890'",
    "delete a transfer": "DELETE FROM transfers",
    "delete a claim": "DELETE FROM claims",
    "promote a user": "UPDATE users SET role = 'admin'",
    "delete a user": "DELETE FROM users",
    "rewrite the revision": "UPDATE alembic_version SET version_num = '0001'",
    "create a table in the schema": "CREATE TABLE shadow (id integer)",
}


@pytest.mark.postgres
@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_the_application_role_may_not(deployed, statement):
    with pytest.raises(Exception) as refused:
        as_app(deployed, statement)
    cause = refused.value.orig
    assert isinstance(cause, psycopg.errors.InsufficientPrivilege), cause


@pytest.mark.postgres
def test_the_running_totals_key_the_application_may_lock_by_is_one_their_guard_refuses_to_change(fresh):
    assert db_upgrade(fresh).exit_code == 0
    a_case = case(history=school_path("anak-1", smp=2, last="2024/2025"))
    books = ledger(fresh.app_url)
    books.register(a_case, approved(a_case), maker=MAKER, approver=APPROVER)
    books.engine.dispose()
    for statement in ("UPDATE family_totals SET case_id = 'KC-PLG-2099-000001'",
                      "UPDATE level_usage SET case_id = 'KC-PLG-2099-000001'"):
        with pytest.raises(Exception, match="TOTALS_FIXED"):
            as_app(fresh, statement)


@pytest.mark.postgres
def test_the_application_role_does_a_whole_day_and_owns_nothing(fresh, tmp_path, monkeypatch):
    monkeypatch.delenv("BEASISWA_USER", raising=False)
    assert db_upgrade(fresh).exit_code == 0
    for command in (["users", "bootstrap", "admin"], ["login", "admin"]):  # her password, then her token
        made = runner.invoke(app, [*command, "--password-stdin", "--db", fresh.app_url], input="kata-sandi-admin\n")
        assert made.exit_code == 0, made.output
    steps = [
        ("users", "add", "ani", "--role", "officer", "--office", "KC-PLG", "--as", "admin"),
        ("users", "add", "budi", "--role", "supervisor", "--office", "KC-PLG", "--as", "admin"),
        ("users", "add", "gita", "--role", "auditor", "--office", "KP", "--as", "admin"),
        ("users", "add", "dedi", "--role", "officer", "--office", "KC-PLG", "--as", "admin"),
        ("users", "add", "eka", "--role", "officer", "--office", "KC-BDG", "--as", "admin"),
        ("users", "add", "fajar", "--role", "supervisor", "--office", "KC-BDG", "--as", "admin"),
        ("users", "deactivate", "dedi", "--as", "admin"),
        "SIGN_IN",
        ("intake", str(CONTRACT), str(SHEET), "--as", "ani"),
        ("resubmit", "KC-PLG-2025-000201/klaim-2", "--documents", "bank_account", "--on", "2025-08-04",
         "--as", "ani"),
        ("arrears", "KC-PLG-2025-000202", "--months", "0", "--as", "ani"),
        ("appeal", "KC-PLG-2025-000203/klaim-2", "--reason", "S2 dianggap S1", "--as", "ani"),
        ("reconsider", "KC-PLG-2025-000203/klaim-2", "--as", "ani"),
        ("override", "KC-PLG-2025-000204/klaim-1", "--outcome", "approved", "--reason", "masa iur gabungan",
         "--as", "ani"),
        ("verify", "--all-decided", "--as", "ani"),
        ("approve", "--all-verified", "--office", "KC-PLG", "--as", "budi"),
        ("pay", "--all-approved", "--as", "budi"),
        ("ledger", "reverse", "LAST_PAYOUT", "--reason", "rekening salah", "--maker", "ani", "--approver", "budi"),
        ("letters", "render", "--out", str(tmp_path / "letters"), "--workers", "1", "--as", "budi"),
        ("payments", "export", "--office", "KC-PLG", "--out", str(tmp_path / "transfer"), "--as", "budi"),
        ("payments", "batches", "--as", "budi"),
        ("payments", "verify", "--as", "budi"),
        ("ledger", "verify"),
        ("ledger", "report", "--period", "all"),
        ("ledger", "entitlement", "KC-PLG-2025-000123"),
        ("ledger", "export", "--out", str(tmp_path / "journal.csv")),
        ("queue",),
        ("show", "KC-PLG-2025-000201/klaim-2"),
        ("search", "Gunawan"),
        ("audit", "--actor", "ani"),
        ("users", "list"),
    ]
    for step in steps:
        if step == "SIGN_IN":  # the staff's tokens, opened as the application role opens them at `login`
            signed_in(fresh.app_url, ["ani", "budi", "eka", "fajar"])
            continue
        if "LAST_PAYOUT" in step:
            step = tuple(str(owner_sql(fresh, "SELECT max(seq) FROM journal WHERE source = 'ledger'"))
                         if s == "LAST_PAYOUT" else s for s in step)
        code, out = run(fresh, *step)
        assert code == 0, (step, out)
    code, out = run(fresh, "ledger", "exceptions")
    assert code in (0, 1), out
    code, out = run(fresh, "ledger", "record", str(ROOT / "fixtures" / "cases" / "04-pelatihan-jatah-pt.json"),
                    "--as", "eka", "--approver", "fajar")
    assert code == 0, out
    code, out = run(fresh, "payments", "export", "--office", "KC-BDG", "--out", str(tmp_path / "transfer"),
                    "--as", "eka")
    assert code == 0, out
    assert owner_sql(fresh, "SELECT count(*) FROM transfers WHERE office = 'KC-BDG'") > 0
    assert owner_sql(fresh, "SELECT count(*) FROM pg_class WHERE relowner = "
                            "(SELECT oid FROM pg_roles WHERE rolname = :r)", r=fresh.app) == 0
    assert owner_sql(fresh, "SELECT count(*) FROM letter_files") > 0
    assert owner_sql(fresh, "SELECT count(*) FROM journal WHERE kind = 'reversal'") == 1


@pytest.mark.postgres
def test_the_owner_could_switch_the_journals_protection_off_which_is_why_the_application_is_not_the_owner(deployed):
    engine = make_engine(deployed.owner_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("ALTER TABLE journal DISABLE TRIGGER USER")
            conn.rollback()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_first_admins_at_once_the_second_waits_for_the_first_and_is_refused(fresh):
    assert db_upgrade(fresh).exit_code == 0
    outcome = {}

    def second():
        w = Workflow(make_engine(fresh.app_url), LAW)
        try:
            w.bootstrap("kedua", "KP")
            outcome["made"] = True
        except Refusal as exc:
            outcome["refused"] = exc.code
        finally:
            w.engine.dispose()

    first = make_engine(fresh.app_url)
    try:
        with first.connect() as conn:  # the first bootstrap, by hand: its lock, then its admin, not yet committed
            conn.execute(select(func.pg_advisory_xact_lock(BOOTSTRAP_LOCK)))
            conn.execute(text("INSERT INTO users VALUES ('pertama', 'admin', 'KP', true, '2025-08-01T09:00:00Z', "
                              "'pertama')"))
            thread = threading.Thread(target=second)
            thread.start()
            while thread.is_alive() and not owner_sql(
                    fresh, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                           "WHERE l.locktype = 'advisory' AND NOT l.granted AND a.usename = :r", r=fresh.app):
                thread.join(0.05)
            conn.commit()
        thread.join()
    finally:
        first.dispose()
    assert outcome == {"refused": "USERS_EXIST"}
