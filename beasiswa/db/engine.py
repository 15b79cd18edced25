"""Engines whose every connection holds the ledger's guarantees, on SQLite and on PostgreSQL alike.

SQLite: Python's driver would begin no transaction before the first write, so a cap check could read outside
any transaction. Every connection is put in autocommit mode (`isolation_level = None`) and every transaction
SQLAlchemy begins is begun with `BEGIN IMMEDIATE`: writers take the write lock first and queue (busy timeout)
instead of failing; foreign keys are switched on (off by default) and the file is in WAL mode.

PostgreSQL runs through psycopg 3 at READ COMMITTED; the posting service locks what it reads (`FOR UPDATE`,
an advisory lock for the journal's head) and the database's triggers and constraints hold the rest.
"""

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy import create_engine
from sqlalchemy.exc import ArgumentError

ENV_VAR = "BEASISWA_DATABASE_URL"
DEFAULT_URL = "sqlite:///beasiswa.db"
# How long a writer waits for another's lock before the attempt is given up (and retried by the service).
LOCK_TIMEOUT_MS = 30_000


class DatabaseUrlError(ValueError):
    """A database URL that names no database this project can use; the message names the value."""


def database_url(option: str | None = None) -> str:
    """The URL from `--db`, else from BEASISWA_DATABASE_URL, else the SQLite file beasiswa.db here.

    A bare path (no `://`) is taken as a SQLite file; `postgresql://` means psycopg 3.
    """
    text = option or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in text:
        return f"sqlite:///{text}"
    return text


def _parse(text: str) -> URL:
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseUrlError(f"database URL: {redact(text)!r} is not a URL "
                               f"(sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)") from None
    if url.get_backend_name() == "sqlite" and (url.host or url.port or url.username):
        # sqlite://FILE: two slashes make FILE a host name, which SQLite has no use for.
        file = (url.host or "") + (f"/{url.database}" if url.database else "")
        raise DatabaseUrlError(f"URL basis data {redact(text)!r}: URL SQLite ditulis dengan tiga garis miring, "
                               f"maksudnya sqlite:///{file}? (sqlite:///FILE, atau sqlite:////PATH/ABSOLUT)")
    if url.get_backend_name() == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2") or url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
    elif url.get_backend_name() != "sqlite":
        raise DatabaseUrlError(f"database URL: {url.get_backend_name()!r} is not supported (sqlite, postgresql)")
    return url


def sqlite_file(url: str | None = None) -> str | None:
    """The file a SQLite URL names (None for PostgreSQL or an in-memory database): SQLite creates it on the
    first connection, so whoever must not create a database looks for it first."""
    parsed = _parse(database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") \
            or parsed.query.get("mode") == "memory" or parsed.database.startswith("file:"):
        return None
    return parsed.database


def redact(text: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text


def make_engine(url: str | None = None, *, echo: bool = False, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> Engine:
    """An engine for `url` (see `database_url`), every connection set up for the ledger."""
    parsed = _parse(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo, lock_timeout_ms)
    return _postgres_engine(parsed, echo, lock_timeout_ms)


def _sqlite_engine(url: URL, echo: bool, lock_timeout_ms: int) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": lock_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(lock_timeout_ms)}")
        if url.database and url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL, echo: bool, lock_timeout_ms: int) -> Engine:
    engine = create_engine(url, echo=echo, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.commit()

    return engine


def is_postgres(engine_or_connection) -> bool:
    return engine_or_connection.dialect.name == "postgresql"
