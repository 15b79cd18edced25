"""A batch of letters as a record: who started it, its claims, and each claim done, failed or pending.

`Batches` is the service both front doors use: `start` records a batch of an office's claims that are due a
letter (decided, told to the family, no letter for the decision in force, or numbered and never rendered),
leaving out claims pending in another batch, so starting twice does not letter a claim twice; `progress`
counts; `failed_items` names the letters that failed (a refusal, or dead-lettered).

`BatchWorker` is what runs a batch's claims, the same code on a Celery worker (`beasiswa.letters.queue`) and
on the local process pool (`run_local`). The batch records the public address its letters' QR codes point
under (`start`'s `public_url`: the deployment's, from the command's --public-url or the web application's), and
every worker renders its letters with it, whatever the worker's own settings (a renderer per address, kept).
Per claim, idempotent on (claim, kind, decision revision):
1. the item is taken (its `deliveries` counted, in its own transaction); past `MAX_DELIVERIES` the letter is
   dead-lettered (status failed, code DEAD_LETTER) instead of being tried again;
2. the register numbers the claim's letter, or gives back the one it numbered before (never a second number);
3. unless the PDF is recorded and stored already, it is rendered under the register's hold on the letter
   (`LetterRegister.rendering`: the claim's row lock on PostgreSQL), stored in `letter_pdfs` (added once) and
   its SHA-256 recorded; a redelivered task makes the same bytes under the same number;
4. the item is marked done with the number, or failed with the refusal's code and message.
A task killed anywhere in between is simply run again. Database errors are raised for the caller to retry.
"""

import datetime as dt
import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs
from sqlalchemy import and_, func, insert, select, text, update
from sqlalchemy.engine import Engine

from beasiswa.access.actions import Action
from beasiswa.access.roles import NotAllowed, check
from beasiswa.access.trail import actor, audit, refused, registered_name
from beasiswa.db import make_engine
from beasiswa.db.batch_tables import letter_batch_items, letter_batches, letter_pdfs
from beasiswa.db.uow import UnitOfWork, timestamp, utc_now
from beasiswa.letters.batch import (CHUNK_SIZE, chunks_by_case, default_workers, quiet_renderer_warnings,
                                    write_atomically)
from beasiswa.letters.canonical import DEFAULT_PUBLIC_URL, check_public_url
from beasiswa.letters.content import LetterContentError
from beasiswa.letters.register import RETRY_POLICY, LetterRegister, decided_without_letter, file_name
from beasiswa.letters.settings import LetterDataError
from beasiswa.model import ClaimRef, Refusal

MAX_DELIVERIES = 5  # a letter taken up this many times without finishing is dead-lettered
DEAD_LETTER = "DEAD_LETTER"


@attrs.frozen
class Batch:
    id: int
    office: str
    started_by: str
    started_at: str
    letter_date: dt.date
    mode: str
    public_url: str = DEFAULT_PUBLIC_URL  # where its letters' QR codes point (`canonical.verify_url`)
    done: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.done + self.failed + self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0


@attrs.frozen
class BatchItem:
    case_id: str
    claim_id: str
    status: str
    number: str | None
    deliveries: int
    code: str | None
    message: str | None


class Batches:
    def __init__(self, engine: Engine, clock=utc_now):
        self.engine = engine
        self._unit_of_work = UnitOfWork(engine, clock=clock, policy=RETRY_POLICY)

    # ------------------------------------------------------------------------------------------- writing
    def start(self, name: str, office: str, day: dt.date, mode: str,
              public_url: str = DEFAULT_PUBLIC_URL) -> Batch | None:
        """A new batch of `office`'s claims due a letter, started by `name` (who issues them: an officer or a
        supervisor of the office), dated `day`, its letters' QR codes under `public_url` (ValueError naming it if
        it is not an http(s) address); None when no claim is due (nothing recorded). Audited; a refusal is
        audited too and raised."""
        public_url = check_public_url(public_url)
        try:
            return self._unit_of_work.run(lambda conn: self._start(conn, name, office, day, mode, public_url))
        except NotAllowed as refusal:
            self._unit_of_work.run(lambda conn, why=refusal: audit(conn, [refused(
                self._unit_of_work.now(), name, "letter.batch", f"batch {office}", why,
                user=registered_name(conn, name))]))
            raise

    def _start(self, conn, name: str, office: str, day: dt.date, mode: str, public_url: str) -> Batch | None:
        user = actor(conn, name)
        check(user, Action.ISSUE_LETTER, office, "surat")
        keys = due(conn, office)
        if not keys:
            return None
        now = self._unit_of_work.now()
        batch_id = conn.execute(insert(letter_batches).values(office=office, started_by=user.name, started_at=now,
                                                              letter_date=day, mode=mode, public_url=public_url)
                                .returning(letter_batches.c.id)).scalar_one()
        conn.execute(insert(letter_batch_items), [dict(batch_id=batch_id, case_id=k.case_id, claim_id=k.claim_id,
                                                       status="pending", deliveries=0) for k in keys])
        audit(conn, [dict(at=now, actor=user.name, action="letter.batch", subject=f"batch {batch_id}",
                          after={"office": office, "claims": len(keys), "date": day.isoformat(), "mode": mode,
                                 "public_url": public_url},
                          note=f"kelompok surat {batch_id} kantor {office}: {len(keys)} klaim")])
        return Batch(batch_id, office, user.name, now, day, mode, public_url, pending=len(keys))

    # ------------------------------------------------------------------------------------------- reading
    def get(self, batch_id: int) -> Batch | None:
        found = self.recent(ids=[batch_id])
        return found[0] if found else None

    def recent(self, office: str | None = None, ids: Sequence[int] | None = None, limit: int = 50) -> list[Batch]:
        """Batches (of `office`, or all; or those of `ids`), newest first, with their counts."""
        counts = (select(letter_batch_items.c.batch_id, letter_batch_items.c.status,
                         func.count().label("n"))
                  .group_by(letter_batch_items.c.batch_id, letter_batch_items.c.status).subquery())
        query = select(letter_batches).order_by(letter_batches.c.id.desc()).limit(limit)
        if office is not None:
            query = query.where(letter_batches.c.office == office)
        if ids is not None:
            query = query.where(letter_batches.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            found: dict[int, dict[str, int]] = {}
            if rows:
                for r in conn.execute(select(counts).where(counts.c.batch_id.in_([r.id for r in rows]))):
                    found.setdefault(r.batch_id, {})[r.status] = r.n
        return [Batch(r.id, r.office, r.started_by, r.started_at, r.letter_date, r.mode, r.public_url,
                      **{s: found.get(r.id, {}).get(s, 0) for s in ("done", "failed", "pending")}) for r in rows]

    def items(self, batch_id: int, status: str | None = None) -> list[BatchItem]:
        query = (select(letter_batch_items).where(letter_batch_items.c.batch_id == batch_id)
                 .order_by(letter_batch_items.c.case_id, letter_batch_items.c.claim_id))
        if status is not None:
            query = query.where(letter_batch_items.c.status == status)
        with self.engine.connect() as conn:
            return [BatchItem(r.case_id, r.claim_id, r.status, r.number, r.deliveries, r.code, r.message)
                    for r in conn.execute(query)]

    def chunks(self, batch_id: int, chunk_size: int = CHUNK_SIZE) -> list[list[tuple[str, str]]]:
        """The batch's pending claims as tasks: one case's claims together, at most `chunk_size`."""
        return chunks_by_case(((i.case_id, (i.case_id, i.claim_id)) for i in self.items(batch_id, "pending")),
                              chunk_size)

    def pdf(self, number: str) -> bytes | None:
        """A letter's PDF as stored by a worker; None if it was not stored in the database."""
        with self.engine.connect() as conn:
            return conn.execute(select(letter_pdfs.c.pdf).where(letter_pdfs.c.number == number)).scalar()


def wait_for(batches: Batches, ids: Sequence[int], on_progress: Callable[[list[Batch]], None] | None = None,
             poll: float = 0.5, timeout: float | None = None) -> list[Batch]:
    """The batches read again every `poll` seconds until none has a claim pending (or `timeout` passes);
    `on_progress` sees each reading. Their last reading."""
    started = time.monotonic()
    while True:
        found = batches.recent(ids=ids)
        if on_progress is not None:
            on_progress(found)
        if all(b.finished for b in found) or (timeout is not None and time.monotonic() - started > timeout):
            return found
        time.sleep(poll)


def export(batches: Batches, batch_id: int, out_dir: Path) -> list[Path]:
    """The PDFs of the batch's letters done, written from the database to `out_dir` (named by number)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for item in batches.items(batch_id, "done"):
        pdf = batches.pdf(item.number)
        if pdf is not None:
            path = out_dir / file_name(item.number)
            write_atomically(path, pdf)
            written.append(path)
    return written


def due(conn, office: str) -> list[ClaimRef]:
    """The office's claims due a letter and pending in no batch: decided with no letter for the decision in
    force, or numbered and never rendered."""
    pending = {(r.case_id, r.claim_id) for r in conn.execute(
        select(letter_batch_items.c.case_id, letter_batch_items.c.claim_id)
        .join(letter_batches, letter_batches.c.id == letter_batch_items.c.batch_id)
        .where(letter_batch_items.c.status == "pending", letter_batches.c.office == office))}
    unrendered = conn.execute(text(
        "SELECT l.case_id, l.claim_id FROM letters l JOIN claims c ON c.case_id = l.case_id AND "
        "c.claim_id = l.claim_id AND c.decision_revision = l.decision_revision LEFT JOIN letter_files f "
        "ON f.number = l.number WHERE f.number IS NULL AND l.office = :office"), {"office": office}).all()
    keys = [*(ClaimRef(r.case_id, r.claim_id) for r in unrendered), *decided_without_letter(conn, [office])]
    return sorted({k for k in keys if (k.case_id, k.claim_id) not in pending}, key=lambda k: (k.case_id, k.claim_id))


# ------------------------------------------------------------------------------------------------ running

class BatchWorker:
    """One worker's pipeline for batches: an engine, a renderer per public address (one font configuration for
    all the letters under it: a deployment has one, so in practice one renderer) and a register per issuing
    user, kept for all its tasks. `renderer`, if given, serves the batches of its own public address."""

    def __init__(self, engine: Engine, renderer=None, clock=utc_now):
        self.engine = engine
        self.clock = clock
        self._renderers: dict[str, object] = {} if renderer is None else {renderer.public_url: renderer}
        self._registers: dict[tuple[str, str], LetterRegister] = {}

    def renderer(self, public_url: str):
        """The renderer of letters whose QR codes point under `public_url`, made at its first letter."""
        public_url = check_public_url(public_url)
        if public_url not in self._renderers:
            from beasiswa.letters.render import LetterRenderer  # lazy: WeasyPrint, only where letters are made
            self._renderers[public_url] = LetterRenderer(public_url=public_url)
        return self._renderers[public_url]

    def run(self, batch_id: int, keys: Iterable[Sequence[str]]) -> dict[str, int]:
        """The batch's claims `keys` (case id, claim id) in turn; the counts of what this run did."""
        with self.engine.connect() as conn:
            batch = conn.execute(select(letter_batches).where(letter_batches.c.id == batch_id)).one_or_none()
        if batch is None:
            raise Refusal("BATCH_UNKNOWN", f"batch {batch_id} is not recorded in this database")
        register = self._register(batch.office, batch.started_by)
        counts = {"done": 0, "failed": 0, "skipped": 0}
        for case_id, claim_id in keys:
            key = ClaimRef(case_id, claim_id)
            deliveries = self._take(batch_id, key)
            if deliveries is None:  # done or failed already: a redelivered task does nothing twice
                counts["skipped"] += 1
                continue
            if deliveries > MAX_DELIVERIES:
                self.finish(batch_id, key, None, DEAD_LETTER, f"diambil {deliveries - 1} kali oleh pekerja tanpa "
                            f"selesai; surat ini disisihkan (dead letter) agar kelompok tetap berjalan")
                counts["failed"] += 1
                continue
            try:
                number = self.issue(register, key, batch.letter_date, batch.public_url)
            except Refusal as refusal:
                self.finish(batch_id, key, None, refusal.code, refusal.message)
                counts["failed"] += 1
            except (LetterContentError, LetterDataError) as exc:
                self.finish(batch_id, key, None, "LETTER_CONTENT", str(exc))
                counts["failed"] += 1
            else:
                self.finish(batch_id, key, number)
                counts["done"] += 1
        return counts

    def issue(self, register: LetterRegister, key: ClaimRef, day: dt.date,
              public_url: str = DEFAULT_PUBLIC_URL) -> str:
        """The claim's letter numbered (now or before), its PDF rendered (its QR code under `public_url`), stored
        and recorded unless it is already; its number."""
        numbered = register.number(key, day)
        number = numbered.entry.number
        if numbered.entry.pdf_sha256 is not None and self._stored(number):
            return number
        with register.rendering(number, skip_locked=False) as hold:
            entry = hold.entry
            if entry.pdf_sha256 is not None and self._stored(number):  # another delivery did it meanwhile
                return number
            rendered = self.renderer(public_url).render(numbered.letter)
            if entry.pdf_sha256 is not None and rendered.pdf_digest != entry.pdf_sha256:
                raise Refusal("LETTER_PDF_CHANGED", f"letter {number}: the PDF rendered now has SHA-256 "
                                                    f"{rendered.pdf_digest}, the register holds {entry.pdf_sha256}")
            with self.engine.begin() as conn:
                conn.execute(text("INSERT INTO letter_pdfs (number, pdf, stored_at) VALUES (:number, :pdf, :at) "
                                  "ON CONFLICT (number) DO NOTHING"),
                             {"number": number, "pdf": rendered.pdf, "at": timestamp(self.clock())})
            hold.record(rendered.pdf_digest)
        return number

    def finish(self, batch_id: int, key: ClaimRef, number: str | None, code: str | None = None,
               message: str | None = None) -> None:
        """The item marked done (`number`) or failed (`code`, `message`), once: a later mark changes nothing."""
        with self.engine.begin() as conn:
            conn.execute(update(letter_batch_items).where(_item(batch_id, key), letter_batch_items.c.status ==
                                                          "pending")
                         .values(status="failed" if code else "done", number=number, code=code,
                                 message=message, finished_at=timestamp(self.clock())))

    def _take(self, batch_id: int, key: ClaimRef) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(update(letter_batch_items).where(_item(batch_id, key),
                                                                 letter_batch_items.c.status == "pending")
                                .values(deliveries=letter_batch_items.c.deliveries + 1)
                                .returning(letter_batch_items.c.deliveries)).scalar()

    def _stored(self, number: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(letter_pdfs.c.number).where(letter_pdfs.c.number == number)).first() is not None

    def _register(self, office: str, name: str) -> LetterRegister:
        key = (office, name)
        if key not in self._registers:
            self._registers[key] = LetterRegister(self.engine, issuers={office: name}, clock=self.clock)
        return self._registers[key]


def _item(batch_id: int, key: ClaimRef):
    return and_(letter_batch_items.c.batch_id == batch_id, letter_batch_items.c.case_id == key.case_id,
                letter_batch_items.c.claim_id == key.claim_id)


def dead_letter(engine: Engine, batch_id: int, keys: Iterable[Sequence[str]], why: str) -> None:
    """The claims of a task whose retries ran out, still pending, marked failed (DEAD_LETTER) with why."""
    with engine.begin() as conn:
        for case_id, claim_id in keys:
            conn.execute(update(letter_batch_items).where(_item(batch_id, ClaimRef(case_id, claim_id)),
                                                          letter_batch_items.c.status == "pending")
                         .values(status="failed", code=DEAD_LETTER, message=why, finished_at=timestamp(utc_now())))


# ------------------------------------------------------------------------------------------------ local pool

_local: BatchWorker | None = None


def _start_local(url: str) -> None:
    global _local
    quiet_renderer_warnings()
    _local = BatchWorker(make_engine(url))


def _run_local_chunk(task: tuple[int, list[tuple[str, str]]]) -> dict[str, int]:
    batch_id, keys = task
    return _local.run(batch_id, keys)


def run_local(url: str, batch_ids: int | Sequence[int], workers: int | None = None,
              on_chunk: Callable[[dict[str, int]], None] | None = None) -> None:
    """The pending claims of a batch (or of several, on one pool) on this machine's process pool (one
    long-lived process per core by default), with the same worker code as the queue's; each batch's letters
    under the public address its record holds."""
    batches = Batches(make_engine(url))
    ids = [batch_ids] if isinstance(batch_ids, int) else list(batch_ids)
    work = [(batch_id, chunk) for batch_id in ids for chunk in batches.chunks(batch_id)]
    if not work:
        return
    workers = max(1, min(workers or default_workers(), len(work)))
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_local, initargs=(url,)) as pool:
        for counts in pool.imap_unordered(_run_local_chunk, work):
            if on_chunk is not None:
                on_chunk(counts)
