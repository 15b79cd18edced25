"""What the sub-apps' commands share (`beasiswa db|ledger|letters|users …` and the workflow's commands), kept
light: `beasiswa decide` and `beasiswa rules` import every sub-app to register it, so nothing here, nor at the
top of the sub-apps' modules, may import the database layer (SQLAlchemy, SQLModel, Alembic, psycopg), WeasyPrint
or openpyxl. A command imports what it needs when it runs.
"""

from typing import NoReturn

import typer

# Bounds of the numbers the commands take, so a 30-digit number is refused as input (exit 2, naming the option)
# rather than overflowing a database column or a date: a journal's seq is a signed 64-bit integer.
MAX_SEQ = 2**63 - 1
MAX_ROWS = 1_000_000  # --limit
MAX_DAYS = 36_500  # --older-than: a hundred years
MAX_WORKERS = 256

DB_OPTION = typer.Option(None, "--db", metavar="URL",
                         help="URL basis data (bawaan: $BEASISWA_DATABASE_URL, jika tidak ada sqlite:///beasiswa.db).")


def fail(message: str, status: int = 2) -> NoReturn:
    """One message on stderr naming the field and the value, then exit with `status` (see beasiswa.cli.fail)."""
    from beasiswa.cli import fail as _fail

    _fail(message, status)


def _first_line(exc: Exception) -> str:
    lines = str(exc).splitlines()
    return f"{exc.__class__.__name__}: {lines[0]}" if lines else exc.__class__.__name__


def engine(db: str | None, *, migrated: bool = True):
    """The engine for `--db` (else $BEASISWA_DATABASE_URL, else sqlite:///beasiswa.db); with `migrated`, a
    database at the latest revision, else exit 2 naming the database (password hidden) and what to do."""
    import os

    from beasiswa.db import current_revision, database_url, head_revision, make_engine, redact, sqlite_file
    from beasiswa.db.engine import DatabaseUrlError

    url = database_url(db)
    try:
        file = sqlite_file(url)
    except DatabaseUrlError as exc:
        fail(str(exc))
    if migrated and file is not None and not os.path.exists(file):
        # SQLite would create an empty file on connecting: only `db upgrade` (migrated=False) makes one.
        fail(f"basis data {redact(url)} belum ada (berkas {file} tidak ditemukan): jalankan "
             f"`beasiswa db upgrade` dulu untuk membuatnya")
    try:
        made = make_engine(url)
    except DatabaseUrlError as exc:
        fail(str(exc))
    except Exception as exc:  # e.g. the URL's driver is not installed
        fail(f"basis data {redact(url)}: {_first_line(exc)}")
    if migrated:
        try:
            at = current_revision(made)
        except Exception as exc:  # an unreachable server, a file that is no database
            fail(f"basis data {redact(url)}: {_first_line(exc)}")
        if at != head_revision():
            fail(f"basis data {redact(url)} pada revisi {at or 'kosong'}, bukan {head_revision()}: "
                 f"jalankan `beasiswa db upgrade` dulu")
    return made
