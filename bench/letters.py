"""Letters: the project's whole pipeline against bare WeasyPrint, one worker against two, and a worker's memory.

In one run, on a fresh SQLite database holding copies of the sample cases (decided and registered):
(a) the floor: bare WeasyPrint writing the same final HTML (the letters' own, QR code included) with one
    shared FontConfiguration and one parsed stylesheet, no PDF/A, no attachment, nothing else;
(b) the whole pipeline as `beasiswa letters render` runs it: read the case and decision from the database,
    number and register the letter, template, QR code, PDF/A-3b with the data attached, write the file,
    record its digest, for LETTERS letters with 1 worker and LETTERS others with 2;
(c) the 1-worker run goes on to MEMORY letters: the worker's resident memory after 100 and after MEMORY.
Per-letter figures are taken between the first and the last chunk a run returns, so the workers' start-up
(~1 s, once per run) is left out; it is reported apart. The machine is shared and noisy: the ratios are the
figures to compare across runs. Last line: one JSON object.

Queue mode (`--queue`, issue 14), in one run on a fresh database: a batch per office run by the local pool of 2
processes (`run_local`) against the same on 2 Celery worker processes (`beasiswa worker --concurrency 2`)
through Redis (a redis-server of its own on a free port, or `--broker URL`), both with the same worker code
storing the PDFs in the database. Letters/s are taken from the items' finish times (first to last), so the
start-up of either is left out; the per-task overhead is the extra wall time of the queue per task, times the
2 processes. Target: queue >= 0.9 x the local pool's letters/s. Last line: one JSON object.

Usage: python bench/letters.py [--letters 1000] [--memory-letters 2000] [--floor-letters 200]
       python bench/letters.py --queue [--letters 400] [--broker URL] [--db URL]
"""

import argparse
import datetime as dt
import json
import tempfile
import time
import warnings
from pathlib import Path

import attrs

from beasiswa.casefile import read_case
from beasiswa.db import make_engine, upgrade
from beasiswa.law import default_law
from beasiswa.ledger import Ledger
from beasiswa.letters.batch import chunks_by_case, render_batch
from beasiswa.letters.content import Kind, build_letter, letter_number
from beasiswa.letters.register import LetterRegister
from beasiswa.letters.render import LetterRenderer, harfbuzz_subsetting_available
from beasiswa.letters.settings import default_settings
from beasiswa.model import ClaimRef
from beasiswa.rules import decide
from beasiswa.workflow.service import Workflow

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2025, 8, 27)
TARGET_RATIO_TO_FLOOR = 1.15
TARGET_SPEEDUP_2_WORKERS = 1.8
TARGET_RSS_GROWTH_MB = 50


def sample_cases():
    law = default_law()
    cases = [read_case(p) for p in sorted((ROOT / "fixtures" / "cases").glob("*.json"))]
    return law, [(c, decide(c, law)) for c in cases]


def staff(url: str, offices) -> dict[str, str]:
    """An admin and a supervisor per office, who issues its letters: office -> name."""
    workflow = Workflow(make_engine(url))
    workflow.bootstrap("admin", "KP")
    issuers = {office: f"bench.{office.lower()}" for office in sorted(offices)}
    for office, name in issuers.items():
        workflow.add_user("admin", name, "supervisor", office)
    workflow.engine.dispose()
    return issuers


def register_copies(url: str, letters: int) -> list[ClaimRef]:
    """Copies of the sample cases registered until they hold `letters` decided claims; their keys in order."""
    law, samples = sample_cases()
    ledger = Ledger(make_engine(url), law)
    keys: list[ClaimRef] = []
    copy = 0
    while len(keys) < letters:
        copy += 1
        for case, decision in samples:
            case_id = f"{case.case_id}-B{copy:04d}"
            ledger.register(attrs.evolve(case, case_id=case_id), attrs.evolve(decision, case_id=case_id),
                            maker="bench.pembuat", approver="bench.pemeriksa")
            keys += [ClaimRef(case_id, d.claim) for d in decision.decisions if Kind.for_outcome(d.outcome)]
    ledger.engine.dispose()
    return keys


class Floor:
    """(a) bare WeasyPrint on the letters' final HTML, and the renderer alone (template, QR code, PDF/A,
    attachment) on the same letters, for the breakdown. Measured before and after the 1-worker run."""

    def __init__(self, count: int):
        _, samples = sample_cases()
        settings = default_settings()
        self.renderer = LetterRenderer()
        self.letters = []
        while len(self.letters) < count:
            for case, decision in samples:
                for d in decision.decisions:
                    if Kind.for_outcome(d.outcome) and len(self.letters) < count:
                        number = letter_number(settings, case.office, len(self.letters) + 1, DAY)
                        self.letters.append(build_letter(case, d, number, DAY, settings))
        self.pages = [self.renderer.html(letter) for letter in self.letters]
        self.bare(self.pages[:10])  # warm-up: fonts loaded, caches filled

    def bare(self, pages) -> None:
        from weasyprint import HTML

        r = self.renderer
        for html in pages:
            HTML(string=html, base_url=r._base_url).write_pdf(stylesheets=[r._stylesheet], font_config=r._font_config)

    def measure(self) -> dict[str, float]:
        """ms per letter, wall and processor time, of bare WeasyPrint and of the renderer."""
        figures = {}
        for name, work in (("bare", lambda: self.bare(self.pages)),
                           ("renderer", lambda: [self.renderer.render(letter) for letter in self.letters])):
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            figures[f"{name}_wall"] = (time.perf_counter() - wall) * 1000 / len(self.letters)
            figures[f"{name}_cpu"] = (time.process_time() - cpu) * 1000 / len(self.letters)
        return figures


@attrs.define
class Run:
    started: float
    # Per chunk: seconds since start, letters done in all, letters in the chunk, worker pid, its rss and cpu.
    marks: list = attrs.Factory(list)

    def chunk(self, result) -> None:
        if result.failed:
            raise SystemExit(f"refused: {result.failed[0]}")
        done = (self.marks[-1][1] if self.marks else 0) + len(result.issued)
        self.marks.append((time.perf_counter() - self.started, done, len(result.issued), result.pid, result.rss,
                           result.cpu))

    def _window(self, upto: int | None) -> list:
        return [m for m in self.marks if upto is None or m[1] <= upto]

    def ms_per_letter(self, upto: int | None = None) -> float:
        """Wall time between the first chunk returned and the last (up to `upto` letters), per letter: the
        workers' start-up is left out."""
        marks = self._window(upto)
        return (marks[-1][0] - marks[0][0]) * 1000 / (marks[-1][1] - marks[0][1])

    def cpu_ms_per_letter(self, upto: int | None = None) -> float:
        """Each worker's processor time from its first chunk to its last, per letter it made in between."""
        marks = self._window(upto)
        used = letters = 0
        for pid in {m[3] for m in marks}:
            own = [m for m in marks if m[3] == pid]
            used += own[-1][5] - own[0][5]
            letters += sum(m[2] for m in own[1:])
        return used * 1000 / letters

    def rss_mb_at(self, letters: int) -> float:
        return next(m[4] for m in self.marks if m[1] >= letters) / 2**20

    @property
    def startup_s(self) -> float:
        first = self.marks[0]
        return first[0] - self.ms_per_letter() / 1000 * first[1]


def run(url: str, out: Path, keys: list[ClaimRef], workers: int, issuers: dict[str, str]) -> Run:
    progress = Run(time.perf_counter())
    render_batch(url, out, chunks_by_case((key.case_id, key) for key in keys), DAY, workers,
                 on_chunk=progress.chunk, issuers=issuers)
    return progress


TARGET_QUEUE_TO_LOCAL = 0.9


def _finished(url: str, batch_ids: list[int]) -> list[float]:
    """The items' finish times (seconds since the epoch), in order."""
    from beasiswa.office_time import parse_stamp
    from sqlalchemy import text

    with make_engine(url).connect() as conn:
        stamps = conn.execute(text("SELECT finished_at FROM letter_batch_items WHERE status = 'done' AND batch_id IN "
                                   f"({', '.join(str(i) for i in batch_ids)})")).scalars().all()
    return sorted(parse_stamp(s).timestamp() for s in stamps)


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


def _start_batches(url: str, issuers: dict[str, str], mode: str) -> list:
    from beasiswa.letters.batches import Batches

    batches = Batches(make_engine(url))
    return [b for office, name in sorted(issuers.items()) if (b := batches.start(name, office, DAY, mode))]


def queue_mode(args) -> None:
    import os
    import shutil
    import socket
    import subprocess
    import sys

    from beasiswa.letters.batches import Batches, run_local, wait_for
    from beasiswa.letters.queue import enqueue

    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        tmp = Path(tmp)
        url = args.db or f"sqlite:///{tmp / 'letters.db'}"
        upgrade(make_engine(url))
        issuers = staff(url, {case.office for case, _ in sample_cases()[1]})
        redis = None
        broker = args.broker
        if broker is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            redis = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--save", "", "--dir",
                                      str(tmp)], stdout=subprocess.DEVNULL)
            broker = f"redis://127.0.0.1:{port}/0"
        beasiswa = str(Path(sys.executable).parent / "beasiswa")
        log = tmp / "worker.log"
        worker = subprocess.Popen([beasiswa, "worker", "--broker", broker, "--concurrency", "2", "--db", url],
                                  stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            register_copies(url, args.letters)
            local = _start_batches(url, issuers, "local")
            tasks = sum(len(Batches(make_engine(url)).chunks(b.id)) for b in local)
            started = time.perf_counter()
            run_local(url, [b.id for b in local], workers=2)  # all offices' batches on one pool of 2
            local_wall = time.perf_counter() - started
            local_rate = _rate(_finished(url, [b.id for b in local]))
            print(f"local pool, 2 processes: {local_rate:.1f} letters/s ({sum(b.pending for b in local)} letters, "
                  f"{tasks} tasks, {local_wall:.1f} s with the pools' start-up)", flush=True)

            while "ready." not in log.read_text():
                time.sleep(0.2)
            register_copies_again(url, args.letters)
            queued = _start_batches(url, issuers, "queue")
            batches = Batches(make_engine(url))
            started = time.perf_counter()
            for batch in queued:
                enqueue(batches, batch.id, broker)
            found = wait_for(batches, [b.id for b in queued], poll=0.2)
            queue_wall = time.perf_counter() - started
            assert all(b.done == b.total for b in found), found
            queue_rate = _rate(_finished(url, [b.id for b in queued]))
            letters = sum(b.total for b in found)
            # Negative: the queue was faster (the machine's noise exceeds the overhead).
            overhead = (1000 / queue_rate - 1000 / local_rate) * letters * 2 / tasks
            print(f"queue, 2 Celery worker processes through Redis: {queue_rate:.1f} letters/s ({letters} letters, "
                  f"{queue_wall:.1f} s from the first enqueue) = {queue_rate / local_rate:.2f} x the local pool; "
                  f"per-task overhead {overhead:.1f} ms", flush=True)
        finally:
            os.killpg(worker.pid, 15)
            worker.wait()
            if redis is not None:
                redis.terminate()
                redis.wait()
    ratio = queue_rate / local_rate
    met = {"queue_to_local": ratio >= TARGET_QUEUE_TO_LOCAL}
    print(f"target queue_to_local: {'met' if met['queue_to_local'] else 'NOT met'}")
    print(json.dumps({
        "mode": "queue", "database": make_engine(url).dialect.name, "letters_per_mode": letters, "tasks": tasks,
        "local_letters_per_s": round(local_rate, 2), "queue_letters_per_s": round(queue_rate, 2),
        "queue_to_local": round(ratio, 3), "per_task_overhead_ms": round(overhead, 1),
        "local_wall_s": round(local_wall, 1), "queue_wall_s": round(queue_wall, 1), "targets_met": met,
    }))


def register_copies_again(url: str, letters: int) -> None:
    """As many copies again, under other case ids (the first run's are lettered)."""
    law, samples = sample_cases()
    ledger = Ledger(make_engine(url), law)
    done = copy = 0
    while done < letters:
        copy += 1
        for case, decision in samples:
            case_id = f"{case.case_id}-Q{copy:04d}"
            ledger.register(attrs.evolve(case, case_id=case_id), attrs.evolve(decision, case_id=case_id),
                            maker="bench.pembuat", approver="bench.pemeriksa")
            done += sum(1 for d in decision.decisions if Kind.for_outcome(d.outcome))
    ledger.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=None)
    parser.add_argument("--memory-letters", type=int, default=2000)
    parser.add_argument("--floor-letters", type=int, default=200)
    parser.add_argument("--queue", action="store_true", help="the local pool against Celery workers through Redis")
    parser.add_argument("--broker", default=None, help="queue mode: a broker URL (default: a redis-server of its own)")
    parser.add_argument("--db", default=None, help="queue mode: a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.queue:
        args.letters = args.letters or 400
        queue_mode(args)
        return
    args.letters = args.letters or 1000
    memory_letters = max(args.memory_letters, args.letters)

    with tempfile.TemporaryDirectory(prefix="bench-letters-") as tmp:
        tmp = Path(tmp)
        url = f"sqlite:///{tmp / 'letters.db'}"
        upgrade(make_engine(url))
        start = time.perf_counter()
        keys = register_copies(url, memory_letters + args.letters)
        issuers = staff(url, {case.office for case, _ in sample_cases()[1]})
        print(f"registered {len(keys)} decided claims in {time.perf_counter() - start:.1f} s", flush=True)

        floor = Floor(args.floor_letters)
        before = floor.measure()
        print(f"(a) bare WeasyPrint, shared font configuration and stylesheet: {before['bare_wall']:.1f} ms a "
              f"letter ({before['bare_cpu']:.1f} ms processor time); the renderer alone (template, QR, PDF/A, "
              f"attachment): {before['renderer_wall']:.1f} ms", flush=True)

        one = run(url, tmp / "one", keys[:memory_letters], 1, issuers)
        one_ms, one_cpu = one.ms_per_letter(upto=args.letters), one.cpu_ms_per_letter(upto=args.letters)
        after = floor.measure()
        print(f"(a) again after the 1-worker run: {after['bare_wall']:.1f} ms ({after['bare_cpu']:.1f} ms processor "
              f"time)", flush=True)
        bare_ms = (before["bare_wall"] + after["bare_wall"]) / 2
        bare_cpu = (before["bare_cpu"] + after["bare_cpu"]) / 2
        print(f"(b) pipeline, 1 worker: {one_ms:.1f} ms a letter = {one_ms / bare_ms:.2f} x the floor; processor "
              f"time {one_cpu:.1f} ms = {one_cpu / bare_cpu:.2f} x (workers' start-up {one.startup_s:.1f} s)",
              flush=True)
        rss_100, rss_end = one.rss_mb_at(100), one.rss_mb_at(memory_letters)
        print(f"(c) the worker's memory: {rss_100:.0f} MB after 100 letters, {rss_end:.0f} MB after "
              f"{one.marks[-1][1]}", flush=True)

        two = run(url, tmp / "two", keys[memory_letters:memory_letters + args.letters], 2, issuers)
        two_ms = two.ms_per_letter()
        speedup = one_ms / two_ms
        print(f"(b) pipeline, 2 workers: {two_ms:.1f} ms a letter ({1000 / two_ms:.1f} letters/s) = "
              f"{speedup:.2f} x 1 worker ({1000 / one_ms:.1f} letters/s); processor time "
              f"{two.cpu_ms_per_letter():.1f} ms a letter", flush=True)
        assert not LetterRegister(make_engine(url)).unrendered()

    ratio = one_ms / bare_ms
    growth = rss_end - rss_100
    met = {"ratio_to_floor": ratio <= TARGET_RATIO_TO_FLOOR, "speedup_2_workers": speedup >= TARGET_SPEEDUP_2_WORKERS,
           "rss_growth": growth <= TARGET_RSS_GROWTH_MB}
    for name, ok in met.items():
        print(f"target {name}: {'met' if ok else 'NOT met'}")
    print(json.dumps({
        "floor_ms_per_letter": round(bare_ms, 1), "floor_cpu_ms_per_letter": round(bare_cpu, 1),
        "renderer_ms_per_letter": round((before["renderer_wall"] + after["renderer_wall"]) / 2, 1),
        "pipeline_ms_per_letter_1_worker": round(one_ms, 1), "ratio_to_floor": round(ratio, 3),
        "pipeline_cpu_ms_per_letter_1_worker": round(one_cpu, 1), "cpu_ratio_to_floor": round(one_cpu / bare_cpu, 3),
        "pipeline_ms_per_letter_2_workers": round(two_ms, 1), "letters_per_s_1_worker": round(1000 / one_ms, 1),
        "letters_per_s_2_workers": round(1000 / two_ms, 1), "speedup_2_workers": round(speedup, 2),
        "worker_startup_s": round(one.startup_s, 2),
        "worker_rss_mb_after_100": round(rss_100, 1), f"worker_rss_mb_after_{memory_letters}": round(rss_end, 1),
        "worker_rss_growth_mb": round(growth, 1), "letters": args.letters, "memory_letters": memory_letters,
        "harfbuzz_subsetting": harfbuzz_subsetting_available(), "targets_met": met,
    }))

if __name__ == "__main__":
    main()
