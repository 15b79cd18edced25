"""What the browser tests share: the demo's database served by the real application on a free port, Debian's
chromium found (or why not), and screenshots of each screen.

The demo (as `make demo` builds it, through the same services): an admin (KP) whose one-time password is
ONE_TIME, an officer `xxx.petugas` and a supervisor `xxx.pengawas` for each sample office, whose password is
PASSWORD (set by the admin and already changed once); the sample cases (fixtures/cases/) of KC-PLG and KC-SBY
taken in, verified, approved, paid and lettered by `run_process` (as `make demo` does for all), the other
offices' sample cases and the KC-PLG sheet (fixtures/intake/) taken in by each office's officer and left
decided, waiting in their queues; an auditor `kp.auditor` (KP). The KC-PLG sheet (fixtures/intake/) is left for the
officer to upload in the browser. The server is uvicorn in a thread of the test process, over a
SQLite file (the single-office default; the dialects are the other tests' business), with an argon2id hasher
of one pass (the tests check the screens, not the hash's cost).

The browser is pytest-playwright's, one per session, launched from /usr/bin/chromium (nothing is downloaded).
Where it is absent the browser tests are skipped, except in CI (CI=true or BEASISWA_REQUIRE_POSTGRES=1),
where its absence fails them.
"""

import datetime as dt
import io
import json
import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import attrs
import uvicorn
from rich.console import Console
from sqlalchemy import update

from beasiswa.auth import Auth
from beasiswa.auth.passwords import hash_password
from beasiswa.db import make_engine, upgrade
from beasiswa.db.user_tables import users
from beasiswa.web import create_app
from beasiswa.workflow.intake import take_in_files
from beasiswa.workflow.process import run_process
from beasiswa.workflow.service import Workflow
from auth_support import CHEAP, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS_ENV = "BEASISWA_SCREENSHOTS"
DEMO_OFFICES = ("KC-PLG", "KC-SBY", "KC-MDN", "KC-BDG", "KC-MKS")
# The offices whose sample cases go the whole way to letters (rendering is most of the set-up's time); the
# others' cases wait decided in their queues.
LETTERED_OFFICES = ("KC-PLG", "KC-SBY")
ONE_TIME = "sementara-dari-admin"
AUDITOR = "kp.auditor"
LETTER_DAY = dt.date(2025, 8, 11)
SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"
# The screens' sizes the guide asks for: a branch office's laptop, a tablet held upright.
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


def in_ci() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("BEASISWA_REQUIRE_POSTGRES") == "1"


def chromium_version() -> str | None:
    """'Chromium 156.0.8078.114 built on Debian ...' as /usr/bin/chromium tells it, or None without one."""
    if not CHROMIUM.exists():
        return None
    try:
        printed = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unreadable ({exc})"
    found = re.search(r"Chromium \S+.*", printed)
    return found.group(0).strip() if found else printed.strip() or None


def officer(office: str) -> str:
    return f"{office.removeprefix('KC-').lower()}.petugas"


def supervisor(office: str) -> str:
    return f"{office.removeprefix('KC-').lower()}.pengawas"


def seed_demo(url: str, letters_dir: Path) -> None:
    """The demo's staff and cases on a fresh database at `url` (see the module's docstring)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        workflow = Workflow(engine)
        workflow.bootstrap("admin", "KP")
        for office in DEMO_OFFICES:
            workflow.add_user("admin", officer(office), "officer", office)
            workflow.add_user("admin", supervisor(office), "supervisor", office)
        workflow.add_user("admin", AUDITOR, "auditor", "KP")
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.name != "admin").values(
                password_hash=hash_password(PASSWORD, CHEAP), password_changed_at="2025-07-01T00:00:00.000000Z"))
        Auth(engine, hasher=CHEAP).set_one_time_password("admin", "admin", ONE_TIME, dt.datetime.now(dt.timezone.utc))
        quiet = Console(file=io.StringIO(), width=200)
        samples = sorted((ROOT / "fixtures" / "cases").glob("*.json"))
        lettered = [p for p in samples if json.loads(p.read_text())["office"] in LETTERED_OFFICES]
        officers = [officer(o) for o in LETTERED_OFFICES]
        status = run_process(engine, url, lettered, letters_dir, officers, officers,
                             [supervisor(o) for o in LETTERED_OFFICES], LETTER_DAY, 1, quiet)
        assert status == 0, quiet.file.getvalue()
        waiting = [p for p in samples if p not in lettered]
        take_in_files(workflow, waiting, lambda case: officer(case.office))
    finally:
        engine.dispose()


@attrs.define
class LiveServer:
    """The application served by uvicorn in a thread, on a port the system chose."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app, timeout: float = 15.0) -> LiveServer:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="live-server")
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the live server did not start on port {port}")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", server, thread)


@attrs.define
class Demo:
    """The served demo: its address, its database, the folder of its letters' PDFs."""

    url: str
    database_url: str
    letters: Path


def start_demo(folder: Path) -> tuple[Demo, LiveServer]:
    database_url = f"sqlite:///{folder / 'demo.db'}"
    letters = folder / "letters"
    seed_demo(database_url, letters)
    engine = make_engine(database_url)
    app = create_app(engine, secure_cookies=False, public_base_url="http://127.0.0.1",
                     auth=Auth(engine, hasher=CHEAP))
    live = serve(app)
    return Demo(live.url, database_url, letters), live


class Screens:
    """Screenshots of each screen, numbered in the order taken, into one folder: $BEASISWA_SCREENSHOTS if set
    (to keep and look at), else the session's temporary folder (pytest prints where)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken = 0

    def __call__(self, page, name: str, *, full_page: bool = True) -> Path:
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


def screenshots_folder(default: Path) -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    return Path(chosen) if chosen else default


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"{CHROMIUM} is not installed (apt-get install chromium; `make setup` does it as root)"


__all__ = ["AUDITOR", "CHROMIUM", "DEMO_OFFICES", "Demo", "LAPTOP", "LiveServer", "ONE_TIME", "PASSWORD", "Screens",
           "SHEET", "TABLET", "chromium_missing", "chromium_version", "in_ci", "officer", "screenshots_folder", "serve",
           "start_demo", "supervisor"]
