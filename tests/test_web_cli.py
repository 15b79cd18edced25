"""`beasiswa web`: starts the application on a migrated database (several workers sharing one CSRF key), refuses
a database that is not there, and `beasiswa decide` still starts without FastAPI or uvicorn."""

import os
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from beasiswa.auth import Auth
from beasiswa.cli import app
from beasiswa.db import make_engine, upgrade
from beasiswa.workflow.service import Workflow
from ledger_support import ROOT
from web_support import CSRF

WEB_LIBRARIES = ("fastapi", "starlette", "uvicorn", "multipart")
LOADED_PROBE = """
import sys
import beasiswa.cli
try:
    beasiswa.cli.app(["decide", sys.argv[1]], prog_name="beasiswa")
except SystemExit as exit:
    if exit.code:
        raise
print(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:])), file=sys.stderr)
"""


def test_deciding_a_case_loads_no_web_library():
    case = ROOT / "fixtures" / "cases" / "01-contoh-kontrak.json"
    run = subprocess.run([sys.executable, "-c", LOADED_PROBE, str(case), *WEB_LIBRARIES],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == ["[]"]


def test_the_web_command_is_listed_with_its_options_in_indonesian():
    result = CliRunner().invoke(app, ["web", "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for option in ("--db", "--host", "--port", "--workers", "--secure-cookies", "--public-url"):
        assert option in result.output
    assert "Menjalankan aplikasi web petugas." in result.output


def test_the_web_command_refuses_a_database_that_is_not_there(tmp_path):
    result = CliRunner().invoke(app, ["web", "--db", f"sqlite:///{tmp_path / 'tidak-ada.db'}"])
    assert result.exit_code == 2
    assert "belum ada" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_web_command_serves_the_application_and_its_workers_share_one_csrf_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    engine = make_engine(url)
    upgrade(engine)
    Workflow(engine).bootstrap("admin", "KP")
    Auth(engine).set_one_time_password("admin", "admin", "sandi-sementara-1", _now())
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEASISWA_WEB_")}
    server = subprocess.Popen([sys.executable, "-c", "from beasiswa.cli import app; app()", "web", "--db", url,
                               "--port", str(port), "--workers", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, server)
        for _ in range(6):  # new connections: the two workers take turns, or near enough
            with httpx.Client(base_url=base) as client:
                form = client.get("/masuk")
                assert form.headers["content-security-policy"].startswith("default-src 'self'")
                token = CSRF.search(form.text).group(1)
            with httpx.Client(base_url=base, cookies=form.cookies) as client:
                response = client.post("/masuk", data={"nama": "admin", "sandi": "sandi-sementara-1",
                                                       "csrf_token": token})
                assert response.status_code == 303 and response.headers["location"] == "/ganti-sandi"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert f"buka http://127.0.0.1:{port}/masuk" in err


def _now():
    import datetime as dt
    return dt.datetime.now(dt.timezone.utc)


def _wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"beasiswa web stopped: {server.communicate()}")
        try:
            httpx.get(f"{base}/masuk", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("beasiswa web did not answer within 60 s")
