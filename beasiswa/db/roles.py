"""PostgreSQL: two roles, so the application cannot switch the database's protections off.

The role that runs the migrations owns the tables, and an owner may do anything to its tables: disable their
triggers (`ALTER TABLE journal DISABLE TRIGGER USER`), truncate, alter or drop them. So `beasiswa db upgrade`
runs as the **owner**, and every other command connects as the **application role**, which owns nothing and
holds only the privileges of `POLICY`: read every table, add rows where the work adds them, and change only the
columns the work changes. The journal, the audit trail and the letter register are SELECT and INSERT only; the
running totals are written by the journal's trigger, whose function runs as the owner (`SECURITY DEFINER`,
with a fixed search path), so the application role needs no write on them.

`grant` (called by `beasiswa db upgrade` after the migrations, in the same transaction) creates the role if it
does not exist, takes every privilege of it on the schema's tables and sequences back, grants the policy's,
and then checks what the role can do in effect (through PUBLIC and any role it belongs to): anything beyond
the policy, a table of the schema that has no policy, or a table some other role owns, refuses the upgrade
(nothing of it is kept). Running it again grants the same.

A superuser can still do anything, to any table; that is what the journal's anchors, kept outside the
database, are for. SQLite has no roles: whoever can write the file can do anything (see the README).
"""

import attrs
from sqlalchemy import text
from sqlalchemy.engine import Connection

from beasiswa.db.payment_tables import TRANSFER_ANSWER_COLUMNS
from beasiswa.db.reconciliation_tables import RESOLUTION_COLUMNS
from beasiswa.db.tables import claims

APP_ROLE = "beasiswa_app"
# Columns a claim is registered with and never changes afterwards: whose claim and for what. Whom to pay (payee,
# account) is not among them: an officer corrects the account after the bank returned a transfer.
_CLAIM_FIXED = ("case_id", "claim_id", "child_id", "academic_year", "level", "level_group", "institution")
_CLAIM_CHANGES = tuple(c.name for c in claims.columns if c.name not in _CLAIM_FIXED)


@attrs.frozen
class Access:
    """What the application role may do to one table besides reading it, and why."""

    why: str
    insert: bool = False
    update: tuple[str, ...] = ()  # the columns it may change; () none


# Every table of the schema, with what the application does to it. A table missing here refuses `db upgrade`
# (and a test compares this with the tables' metadata), so a new table cannot be forgotten.
# PostgreSQL lets `SELECT … FOR UPDATE` lock a row only for a role that may update some column of its table:
# where the application locks rows it never changes (the running totals), it may "update" the key, which the
# table's guard trigger (TOTALS_FIXED) and its foreign key refuse to change.
POLICY: dict[str, Access] = {
    "alembic_version": Access("read to check the revision; only the owner migrates"),
    "cases": Access("registered by intake; the registered case file is rewritten when intake adds claims or "
                    "children or `arrears` records the employer's arrears", insert=True, update=("case_file",)),
    "children": Access("registered by intake; a later file may add what the registration did not say (I3)",
                       insert=True, update=("married_on", "employed_on", "designated")),
    "claims": Access("registered by intake; the workflow moves the state, re-decides (documents, decision, "
                     "revision) and records who verified, approved, overrode, appealed and the payout; an officer "
                     "corrects the payee and account (`claims account`: the bank returned a transfer, before a "
                     "payment is authorised again); the claim's child, year, level and institution never change",
                     insert=True, update=_CLAIM_CHANGES),
    "journal": Access("payouts and reversals are added, never changed (JOURNAL_APPEND_ONLY)", insert=True),
    "family_totals": Access("created at registration; then written only by the journal's trigger; the key "
                            "only so the posting may lock the row", insert=True, update=("case_id",)),
    "level_usage": Access("created at registration; then written only by the journal's trigger; the key only "
                          "so the posting may lock the row", insert=True, update=("case_id",)),
    "paid_years": Access("written only by the journal's trigger"),
    "users": Access("added by an admin; deactivated; a password set (by an admin, once) and changed (by its user), "
                    "failed sign-ins counted and a lockout set; never renamed",
                    insert=True, update=("active", "password_hash", "must_change_password", "failed_sign_ins",
                                         "locked_until", "password_changed_at")),
    "sessions": Access("opened at sign-in; its last use moved; ended once by its user, an admin or a "
                       "deactivation (SESSION_KEPT): the secret, user and times never change",
                       insert=True, update=("last_seen_at", "revoked_at", "revoked_by", "revoked_reason")),
    "audit_trail": Access("one row per change, never changed (AUDIT_APPEND_ONLY)", insert=True),
    "letter_sequences": Access("an office's numbers for a year: created, then moved by +1 (LETTER_SEQUENCE)",
                               insert=True, update=("last",)),
    "letters": Access("the letter register: letters are added, never changed (LETTER_APPEND_ONLY)", insert=True),
    "letter_files": Access("a rendered letter's digest, added once (LETTER_APPEND_ONLY)", insert=True),
    "letter_chain": Access("the letter register's hash chain: rows are added, never changed", insert=True),
    "letter_batches": Access("a batch of letters is recorded once when started; its counts are its items'",
                             insert=True),
    "letter_batch_items": Access("a batch's claims: added with the batch; a worker counts each delivery and "
                                 "marks the claim done (its letter's number) or failed (code and message)",
                                 insert=True, update=("status", "number", "deliveries", "code", "message",
                                                      "finished_at")),
    "letter_pdfs": Access("a rendered letter's PDF, added once by the worker that rendered it", insert=True),
    "transfer_batches": Access("a bank transfer file, recorded once with its bytes and SHA-256 when exported; "
                               "never changed (TRANSFER_APPEND_ONLY)", insert=True),
    "transfers": Access("a payout sent, added with its batch; reconciliation writes only the bank's answer "
                        "(TRANSFER_FIXED): what was sent, to which account, never changes",
                        insert=True, update=TRANSFER_ANSWER_COLUMNS),
    "bank_statements": Access("a bank's statement, recorded once when reconciled, with its SHA-256 and counts; "
                              "never changed (STATEMENT_APPEND_ONLY)", insert=True),
    "reconciliation_exceptions": Access("a statement's line that matched no transfer as it should, added with "
                                        "its statement; a supervisor clears it once, with a note (EXCEPTION_FIXED)",
                                        insert=True, update=RESOLUTION_COLUMNS),
}

# Trigger functions that write tables the application role may not write: they run as their owner.
DEFINER_FUNCTIONS = {
    "journal_keep_totals": "keeps family_totals, level_usage and paid_years from the journal",
}


class RolesRefused(Exception):
    """The roles cannot be set as the policy says; the message names the role or table and what to do."""


@attrs.frozen
class Granted:
    role: str
    schema: str
    created: bool  # the role did not exist and was created (LOGIN, no password)
    read: tuple[str, ...]
    insert: tuple[str, ...]
    update: dict[str, tuple[str, ...]]


def grant(conn: Connection, app_role: str = APP_ROLE) -> Granted:
    """Give `app_role` exactly the policy's privileges on the tables of the connection's current schema.

    Run as the owner of those tables, in the migrations' transaction; raises RolesRefused (roll back)."""
    check_role_name(app_role)
    schema, owner = conn.execute(text("SELECT current_schema(), current_user")).one()
    if schema is None:
        raise RolesRefused("search_path: no schema to grant on (the search path names none that exists)")
    if app_role == owner:
        raise RolesRefused(f"--app-role {app_role!r} is the owner that runs `db upgrade`: the application "
                           f"connects as another role, which owns nothing")
    created = _ensure_role(conn, app_role, owner)
    tables = _relations(conn, schema, "r", "p", "v", "m", "f")
    sequences = _relations(conn, schema, "S")
    foreign = sorted(f"{name} (owned by {who})" for name, who in {**tables, **sequences}.items() if who != owner)
    if foreign:
        raise RolesRefused(f"schema {schema}: {', '.join(foreign)} not owned by {owner}, the role running "
                           f"`db upgrade`; as a superuser: REASSIGN OWNED BY <that role> TO {owner}")
    unknown = sorted(set(tables) - set(POLICY))
    if unknown:
        raise RolesRefused(f"schema {schema}: table {', '.join(unknown)} has no access policy "
                           f"(beasiswa.db.roles.POLICY); add what the application does to it")
    q, role = _quote(conn), _quote(conn)(app_role)
    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {role}",
                  f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {q(schema)} FROM {role}",
                  f"REVOKE ALL ON SCHEMA {q(schema)} FROM {role}",
                  f"GRANT USAGE ON SCHEMA {q(schema)} TO {role}"]
    for table in sorted(tables):
        access = POLICY[table]
        statements.append(f"GRANT SELECT{', INSERT' if access.insert else ''} ON {q(table)} TO {role}")
        if access.update:
            statements.append(f"GRANT UPDATE ({', '.join(map(q, access.update))}) ON {q(table)} TO {role}")
    for sequence, table in _owned_sequences(conn, schema).items():
        if table in POLICY and POLICY[table].insert:
            statements.append(f"GRANT USAGE ON SEQUENCE {q(sequence)} TO {role}")
    for function in _existing_functions(conn, schema, DEFINER_FUNCTIONS):
        statements.append(f"ALTER FUNCTION {q(function)}() SECURITY DEFINER SET search_path = {q(schema)}, pg_temp")
    for statement in statements:
        conn.exec_driver_sql(statement)
    _check_in_effect(conn, app_role, schema, tables)
    present = sorted(tables)
    return Granted(app_role, schema, created, tuple(present),
                   tuple(t for t in present if POLICY[t].insert),
                   {t: POLICY[t].update for t in present if POLICY[t].update})


def check_role_name(name: str) -> None:
    if not name or len(name.encode()) > 63 or "\x00" in name:
        raise RolesRefused(f"--app-role {name!r}: a PostgreSQL role name of 1 to 63 bytes")


def _quote(conn: Connection):
    return conn.dialect.identifier_preparer.quote_identifier


def _ensure_role(conn: Connection, app_role: str, owner: str) -> bool:
    row = conn.execute(text("SELECT rolsuper, pg_has_role(oid, (SELECT oid FROM pg_roles WHERE rolname = "
                            "current_user), 'MEMBER') AS is_owner FROM pg_roles WHERE rolname = :name"),
                       {"name": app_role}).one_or_none()
    if row is not None:
        if row.rolsuper:
            raise RolesRefused(f"--app-role {app_role!r} is a superuser, which passes every check: the "
                               f"application role must be an ordinary role")
        if row.is_owner:
            raise RolesRefused(f"--app-role {app_role!r} is a member of {owner}, the tables' owner, and would "
                               f"act as it: revoke that membership or choose another role")
        return False
    may = conn.execute(text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")).scalar()
    if not may:
        raise RolesRefused(f"--app-role {app_role!r}: the role does not exist and {owner} may not create roles; "
                           f"as a superuser: CREATE ROLE {_quote(conn)(app_role)} LOGIN PASSWORD '…'")
    conn.exec_driver_sql(f"CREATE ROLE {_quote(conn)(app_role)} LOGIN")
    return True


def _relations(conn: Connection, schema: str, *kinds: str) -> dict[str, str]:
    """The schema's relations of the given kinds, each with its owner."""
    rows = conn.execute(text("SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE n.nspname = :schema AND c.relkind = ANY(:kinds)"),
                        {"schema": schema, "kinds": list(kinds)})
    return dict(rows.all())


def _owned_sequences(conn: Connection, schema: str) -> dict[str, str]:
    """The schema's sequences that belong to a table's column (serial or identity), with the table."""
    rows = conn.execute(text("SELECT s.relname, t.relname FROM pg_class s "
                             "JOIN pg_namespace n ON n.oid = s.relnamespace "
                             "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
                             "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                             "JOIN pg_class t ON t.oid = d.refobjid "
                             "WHERE n.nspname = :schema AND s.relkind = 'S'"), {"schema": schema})
    return dict(rows.all())


def _existing_functions(conn: Connection, schema: str, names) -> list[str]:
    rows = conn.execute(text("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                             "WHERE n.nspname = :schema AND p.proname = ANY(:names) AND p.pronargs = 0"),
                        {"schema": schema, "names": list(names)})
    return sorted(rows.scalars())


def _check_in_effect(conn: Connection, app_role: str, schema: str, tables) -> None:
    """What the role can do now, whatever gave it (PUBLIC, another role it belongs to): only the policy."""
    problems = []
    if conn.execute(text("SELECT has_schema_privilege(:role, :schema, 'CREATE')"),
                    {"role": app_role, "schema": schema}).scalar():
        problems.append(f"it may create objects in schema {schema} (as its owner: REVOKE CREATE ON SCHEMA "
                        f"{_quote(conn)(schema)} FROM PUBLIC)")
    if not conn.execute(text("SELECT has_schema_privilege(:role, :schema, 'USAGE')"),
                        {"role": app_role, "schema": schema}).scalar():
        problems.append(f"it may not use schema {schema} (as its owner: GRANT USAGE ON SCHEMA "
                        f"{_quote(conn)(schema)} TO {_quote(conn)(app_role)})")
    rows = conn.execute(text(
        "SELECT c.relname, has_table_privilege(:role, c.oid, 'INSERT') AS may_insert, "
        "has_table_privilege(:role, c.oid, 'DELETE') AS may_delete, "
        "has_table_privilege(:role, c.oid, 'TRUNCATE') AS may_truncate, "
        "has_table_privilege(:role, c.oid, 'REFERENCES') AS may_reference, "
        "has_table_privilege(:role, c.oid, 'TRIGGER') AS may_trigger, "
        "ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
        "      AND NOT a.attisdropped AND has_column_privilege(:role, c.oid, a.attnum, 'UPDATE') "
        "      ORDER BY a.attname) AS may_update "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname = ANY(:tables)"),
        {"role": app_role, "schema": schema, "tables": list(tables)})
    for row in rows:
        access = POLICY[row.relname]
        beyond = [p for p, may in (("DELETE", row.may_delete), ("TRUNCATE", row.may_truncate),
                                   ("REFERENCES", row.may_reference), ("TRIGGER", row.may_trigger)) if may]
        if row.may_insert and not access.insert:
            beyond.append("INSERT")
        extra = sorted(set(row.may_update) - set(access.update))
        if extra:
            beyond.append(f"UPDATE ({', '.join(extra)})")
        if beyond:
            problems.append(f"it may {', '.join(beyond)} on {row.relname}")
    if problems:
        raise RolesRefused(f"application role {app_role}: " + "; ".join(problems) + " (granted to PUBLIC or to "
                           f"a role it belongs to): the policy allows no more than beasiswa.db.roles.POLICY")
