"""What the queue's tests share: a Redis of their own (a redis-server on a free port in a temporary folder, so
restarting it disturbs nobody else's), Celery workers (`beasiswa worker`) started as real processes, a
database of the module, and reading a batch back."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger_support import ROOT, postgres_schema

BEASISWA = str(Path(sys.executable).parent / "beasiswa")  # the command installed beside this Python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of the tests' own; `restart` stops it without saving (the broker loses its queue)."""

    def __init__(self, folder: Path):
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server): the queue's tests need a "
                        "real broker")
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


def module_postgres(migration: str):
    """A PostgreSQL schema at the head revision for a whole module (its workers are bound to it), made by
    `migration` (the `postgres_migration` fixture's recording)."""
    with postgres_schema(migration) as url:
        yield url


class Worker:
    """`beasiswa worker` as a process of its own (its pool's processes are its children)."""

    def __init__(self, name: str, database: str, broker: str, log: Path, concurrency: int = 1):
        self.log = log
        self.process = subprocess.Popen([BEASISWA, "worker", "--broker", broker, "--concurrency", str(concurrency),
                                         "--name", f"{name}@%h", "--db", database],
                                        stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT,
                                        start_new_session=True)

    def ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text():
                return
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.1)
        raise AssertionError(f"worker not ready: {self.log.read_text()}")

    def pool(self) -> list[int]:
        """The pids of the worker's pool processes (its children)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()]

    def kill_pool(self) -> list[int]:
        killed = self.pool()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
