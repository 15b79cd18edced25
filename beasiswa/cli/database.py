"""The database a command runs on: `--db`, else $BEASISWA_DATABASE_URL, else sqlite:///beasiswa.db, opened and
checked (it exists, it answers, it is at the latest revision) before the command reads or writes anything.
"""

import os

from beasiswa.cli.console import fail


def _first_line(exc: Exception) -> str:
    lines = str(exc).splitlines()
    return f"{exc.__class__.__name__}: {lines[0]}" if lines else exc.__class__.__name__


def open_database(db: str | None, *, migrated: bool = True):
    """The engine for `--db` (else $BEASISWA_DATABASE_URL, else sqlite:///beasiswa.db); with `migrated`, a
    database at the latest revision, else exit 2 naming the database (password hidden) and what to do."""
    # lazy: SQLAlchemy and Alembic, which `beasiswa decide` and `rules` start without
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
