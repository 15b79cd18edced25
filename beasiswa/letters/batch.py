"""Issuing letters: numbered in the register, rendered to PDF, written to a directory, the PDF's digest recorded.

`LetterIssuer` is one worker's whole pipeline for a claim (it holds one `LetterRenderer`, so one font
configuration and one parsed stylesheet for all its letters). `render_batch` spreads the claims that have no
letter yet over long-lived worker processes, one per core by default.

The order makes a batch resumable: (1) the number and the canonical data are registered in one transaction;
(2) the PDF is rendered and written (to a temporary name, then renamed); (3) its SHA-256 is recorded. Killed
after (1), a re-run finds the letter numbered but not recorded and renders it again with the same number and
date, which makes the same bytes; killed after (2), the same. A claim is never numbered twice.

Runs at the same time share the work instead of doing it twice: a letter is rendered only under its file's
lock (`flock` on `.NAME.lock` beside the PDF, released by the kernel if the process dies) and, on PostgreSQL,
its claim's row lock (`LetterRegister.rendering`); a run that finds either held leaves the letter to the run
holding it, and one that finds the PDF recorded when it gets the lock does not write it again.
"""

import datetime as dt
import fcntl
import logging
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import attrs

from beasiswa.db import make_engine
from beasiswa.letters.canonical import DEFAULT_PUBLIC_URL
from beasiswa.letters.content import Letter, LetterContentError
from beasiswa.letters.register import LetterRegister, Registered, file_name
from beasiswa.letters.render import LayoutFontWarning, LetterRenderer, LetterTemplateError, SlowFontSubsettingWarning
from beasiswa.letters.settings import LetterDataError
from beasiswa.model import ClaimRef, Refusal

CHUNK_SIZE = 8  # tasks a worker takes at a time: few round trips, and the work still evenly shared

# A task is a claim to letter (ClaimRef) or a letter numbered whose PDF was never recorded (its number).
Task = ClaimRef | str


@attrs.frozen
class Issued:
    number: str
    case_id: str
    claim_id: str
    kind: str
    path: Path
    numbered: bool  # numbered now (False: the claim's letter had its number already)
    written: bool  # the PDF was (re)written now


@attrs.frozen
class Failed:
    task: str
    code: str
    message: str


@attrs.frozen
class ChunkResult:
    """What a worker sends back after one chunk (the claims of one case), with its pid, resident memory and
    the processor time it has used so far (seconds, user + system); `skipped`: the tasks another run was
    doing at the same time (left to it)."""

    issued: tuple[Issued, ...]
    failed: tuple[Failed, ...]
    pid: int
    rss: int
    cpu: float
    skipped: tuple[str, ...] = ()


def resident_memory() -> int:
    """This process's resident set size in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def write_atomically(path: Path, data: bytes) -> None:
    """Written whole or not at all (a temporary name, then renamed). Not fsynced, like the database itself
    (SQLite's WAL at synchronous=NORMAL): a power cut may lose the last files, never a number; the PDF is
    deterministic, so `letters render --claim` rewrites a lost one with the registered bytes."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@contextmanager
def file_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the lock of the file `path` (an exclusive `flock` on `.NAME.lock` beside it): True once held, False
    at once if another process holds it and not `wait`. The kernel releases it if the holder dies, so a killed
    run never leaves a letter locked; the lock file is removed on release (a process that locked the removed
    file meanwhile sees it is gone and locks the new one)."""
    lock = path.with_name(f".{path.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            yield False
            return
        try:
            current = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        yield True
    finally:
        os.unlink(lock)
        os.close(fd)


class LetterIssuer:
    """A worker's pipeline: register, renderer and output directory, kept for all its letters."""

    def __init__(self, register: LetterRegister, out_dir: Path, renderer=None, *,
                 public_url: str = DEFAULT_PUBLIC_URL):
        if renderer is None:
            renderer = LetterRenderer(public_url=public_url)
        self.register = register
        self.renderer = renderer
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)

    def issue(self, key: ClaimRef, day: dt.date, *, rewrite: bool = False) -> Issued | None:
        """The claim's letter: numbered (now, dated `day`, or before), rendered and written unless it was
        recorded already and `rewrite` is False. None: another run is numbering or rendering it (not waited
        for, unless `rewrite`)."""
        numbered = self.register.number(key, day, skip_locked=not rewrite)
        if numbered is None:
            return None
        if numbered.entry.pdf_sha256 is not None and not rewrite:
            return self._issued(numbered.entry, numbered=False, written=False)
        return self._write(numbered.entry.number, numbered.letter, numbered=numbered.created, rewrite=rewrite)

    def finish(self, number: str) -> Issued | None:
        """Render a letter numbered before whose PDF was never recorded; None if another run is rendering it."""
        return self._write(number, None, numbered=False, rewrite=False)

    def _write(self, number: str, letter: Letter | None, *, numbered: bool, rewrite: bool) -> Issued | None:
        with file_lock(self.out_dir / file_name(number), wait=rewrite) as held:
            if not held:
                return None
            with self.register.rendering(number, skip_locked=not rewrite) as hold:
                if hold is None:
                    return None
                entry = hold.entry
                if entry.pdf_sha256 is not None and not rewrite:  # another run wrote it meanwhile
                    return self._issued(entry, numbered=numbered, written=False)
                rendered = self.renderer.render(letter or self.register.rebuild(entry))
                if rendered.data != entry.data:  # pragma: no cover - the register rebuilt it from the same data
                    raise Refusal("LETTER_DATA_CHANGED", f"letter {entry.number}: the data rendered is not "
                                        f"the data registered")
                if entry.pdf_sha256 is not None and rendered.pdf_digest != entry.pdf_sha256:
                    raise Refusal("LETTER_PDF_CHANGED", f"letter {entry.number}: the PDF rendered now has "
                                        f"SHA-256 {rendered.pdf_digest}, the register holds {entry.pdf_sha256} "
                                        f"(templates, fonts or letterheads changed since); the file was not "
                                        f"rewritten")
                write_atomically(self.out_dir / entry.file_name, rendered.pdf)
                hold.record(rendered.pdf_digest)
                return self._issued(entry, numbered=numbered, written=True)

    def _issued(self, entry: Registered, *, numbered: bool, written: bool) -> Issued:
        return Issued(entry.number, entry.case_id, entry.claim_id, entry.kind, self.out_dir / entry.file_name,
                      numbered, written)

    def run(self, tasks: Iterable[Task], day: dt.date, *,
            rewrite: bool = False) -> tuple[list[Issued], list[Failed], list[str]]:
        """Each task in turn; a letter that cannot be made is reported and the others go on. Returns what was
        issued, what failed, and the tasks left to another run doing them at the same time."""
        issued, failed, skipped = [], [], []
        for task in tasks:
            try:
                done = self.finish(task) if isinstance(task, str) else self.issue(task, day, rewrite=rewrite)
            except Refusal as refusal:
                failed.append(Failed(str(task), refusal.code, refusal.message))
            except (LetterContentError, LetterDataError, LetterTemplateError) as exc:
                failed.append(Failed(str(task), "LETTER_CONTENT", str(exc)))
            else:
                if done is None:
                    skipped.append(str(task))
                else:
                    issued.append(done)
        return issued, failed, skipped


# ------------------------------------------------------------------------------------------------ batch

_worker: LetterIssuer | None = None


def quiet_renderer_warnings() -> None:
    """Silence the renderer's start-up warnings in this process: the command said them once already."""
    logging.getLogger("beasiswa.letters.render").setLevel(logging.ERROR)
    warnings.simplefilter("ignore", SlowFontSubsettingWarning)
    warnings.simplefilter("ignore", LayoutFontWarning)


def _start_worker(url: str, out_dir: str, issuers: dict[str, str], public_url: str = DEFAULT_PUBLIC_URL) -> None:
    """A worker's one-time set-up: its own engine, register and renderer."""
    global _worker
    quiet_renderer_warnings()
    _worker = LetterIssuer(LetterRegister(make_engine(url), issuers=issuers), Path(out_dir), public_url=public_url)


def _run_chunk(chunk: tuple[list[Task], dt.date]) -> ChunkResult:
    tasks, day = chunk
    issued, failed, skipped = _worker.run(tasks, day)
    times = os.times()
    return ChunkResult(tuple(issued), tuple(failed), os.getpid(), resident_memory(), times.user + times.system,
                       tuple(skipped))


def pending_tasks(register: LetterRegister, chunk_size: int = CHUNK_SIZE,
                  offices: Iterable[str] | None = None) -> list[list[Task]]:
    """What a batch has to do (of `offices`, or all): letters numbered but never recorded first, then decided
    claims with no letter, in chunks of one case's tasks (at most `chunk_size`, so a large case is shared out
    too)."""
    return chunks_by_case([*((entry.case_id, entry.number) for entry in register.unrendered(offices)),
                           *((key.case_id, key) for key in register.unlettered(offices))], chunk_size)


def chunks_by_case(tasks: Iterable[tuple[str, Task]], chunk_size: int = CHUNK_SIZE) -> list[list[Task]]:
    """(case id, task) pairs as chunks: one case's tasks together, in their order, at most `chunk_size`."""
    by_case: dict[str, list[Task]] = {}
    for case_id, task in tasks:
        by_case.setdefault(case_id, []).append(task)
    return [own[i:i + chunk_size] for own in by_case.values() for i in range(0, len(own), chunk_size)]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render_batch(url: str, out_dir: Path, chunks: list[list[Task]], day: dt.date, workers: int | None = None,
                 on_chunk: Callable[[ChunkResult], None] | None = None, *,
                 issuers: Mapping[str, str], public_url: str = DEFAULT_PUBLIC_URL) -> list[ChunkResult]:
    """Run the chunks on `workers` long-lived processes (default: one per core), each with its own
    `LetterIssuer`, issuing each office's letters as `issuers[office]`, their QR codes under `public_url`;
    `on_chunk` is called in this process as each chunk completes."""
    workers = max(1, min(workers or default_workers(), len(chunks) or 1))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    results = []
    if not chunks:
        return results
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(url, str(out_dir), dict(issuers), public_url)) as pool:
        for result in pool.imap_unordered(_run_chunk, [(chunk, day) for chunk in chunks]):
            results.append(result)
            if on_chunk is not None:
                on_chunk(result)
    return results
