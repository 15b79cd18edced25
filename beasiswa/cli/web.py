"""`beasiswa web`: the officers' web application (beasiswa.web) on the `--db` database, served by uvicorn.

The database is checked here first (it exists, it is at the latest revision), then uvicorn starts the
application by its import string in each worker (`beasiswa.web.serve`), which reads the settings from the
environment set below: the database, the CSRF key all workers share (made here unless BEASISWA_WEB_KEY is
set), the cookies' Secure flag and the public address (`--public-url` or BEASISWA_PUBLIC_URL, the address the
letters' QR codes point under too). The shell imports nothing of the web package: they are siblings in the
layers (pyproject's import-linter contract).
"""

import os
import secrets

import typer

from beasiswa.cli.console import fail
from beasiswa.cli.database import open_database
from beasiswa.cli.options import DB_OPTION, MAX_WORKERS, PUBLIC_URL_ENV as PUBLIC_URL_ENV_SHARED
from beasiswa.cli.queue import BROKER_ENV, BROKER_OPTION

APP = "beasiswa.web.serve:app_from_environment"
# How long an idle connection is kept open, seconds: longer than an officer reads a page, as a proxy keeps its
# (nginx's keepalive_timeout, 75 s). Uvicorn's own 5 s closes it while the client may be sending its next
# request on it: a client that does not retry then fails (bench/web.py: "server disconnected", 1 in ~400).
KEEP_ALIVE_S = 75
# The names beasiswa.web.serve reads (kept here as text: the shell does not import the web package).
DATABASE_ENV, SECURE_ENV, PUBLIC_URL_ENV, KEY_ENV = ("BEASISWA_DATABASE_URL", "BEASISWA_WEB_SECURE_COOKIES",
                                                     "BEASISWA_WEB_PUBLIC_URL", "BEASISWA_WEB_KEY")


def web_command(
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", metavar="ALAMAT", help="Alamat yang didengarkan."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, metavar="PORT", help="Port yang didengarkan."),
    workers: int = typer.Option(1, "--workers", min=1, max=MAX_WORKERS, metavar="JUMLAH",
                                help="Jumlah proses pekerja (lebih dari 1: sebaiknya PostgreSQL)."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                        help="Cookie hanya lewat HTTPS (di belakang proxy HTTPS)."),
    public_url: str = typer.Option(None, "--public-url", envvar=PUBLIC_URL_ENV_SHARED, show_envvar=True, metavar="URL",
                                   help="Alamat publik aplikasi, yang juga dituju kode QR surat (bawaan: "
                                        "http://ALAMAT:PORT)."),
    broker: str = BROKER_OPTION,
) -> None:
    """Menjalankan aplikasi web petugas."""
    engine = open_database(db)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    try:
        # lazy: uvicorn (and, in the application it starts, FastAPI), which `beasiswa decide` starts without
        import uvicorn
    except ImportError as exc:
        fail(f"beasiswa web: {exc.name} belum terpasang (pip install -e .)")
    address = (public_url or f"http://{host}:{port}").rstrip("/")
    os.environ[DATABASE_ENV] = url
    os.environ[SECURE_ENV] = "1" if secure_cookies else "0"
    os.environ[PUBLIC_URL_ENV] = address
    os.environ.setdefault(KEY_ENV, secrets.token_hex(32))
    if broker:  # letter batches go to the Celery workers; without, they run on this machine's process pool
        os.environ[BROKER_ENV] = broker
    typer.echo(f"Aplikasi web beasiswa: buka {address}/masuk (Ctrl+C untuk berhenti)", err=True)
    uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, proxy_headers=secure_cookies,
                server_header=False, log_level="info", timeout_keep_alive=KEEP_ALIVE_S)
