"""Letters on a real task queue: Celery workers on any number of machines, through Redis (or RabbitMQ by URL).

Every worker of a deployment uses the same database (BEASISWA_DATABASE_URL, set by `beasiswa worker --db`):
the numbers, the batch's items and the PDFs live there, so a task carries only (batch id, claims), never a
credential. What keeps a batch whole when a machine dies:
- `acks_late` with `reject_on_worker_lost`: a task is acknowledged only once it returns; a worker process
  killed in the middle of it gets it delivered again (`BatchWorker` makes the same letter under the same
  number, and does nothing twice for a claim already done);
- the broker's visibility timeout (Redis: a task not acknowledged in that time is delivered again even if
  its worker is alive) is `VISIBILITY_TIMEOUT`, far above the longest task (a chunk of 8 letters, ~1 s, and a
  retry's countdown of at most `RETRY_BACKOFF_MAX`);
- database errors are retried with exponential backoff (`MAX_RETRIES`); a task whose retries run out has its
  pending claims dead-lettered (failed, DEAD_LETTER, the error named in the batch's report); a claim taken up
  `MAX_DELIVERIES` times without finishing is dead-lettered by the worker itself;
- a broker that lost its queue (Redis restarted without persistence): `enqueue` again (`beasiswa letters
  batch resume`) sends the pending claims once more, and what was done stays done.
"""

import logging
import os

from celery import Celery, Task
from sqlalchemy.exc import DBAPIError

from beasiswa.db import make_engine
from beasiswa.letters.batches import BatchWorker, Batches, dead_letter

DATABASE_ENV = "BEASISWA_DATABASE_URL"
BROKER_ENV = "BEASISWA_BROKER_URL"
QUEUE = "beasiswa.letters"
VISIBILITY_TIMEOUT = 4 * 3600  # seconds: far above the longest task and any retry's countdown
MAX_RETRIES = 6
RETRY_BACKOFF_MAX = 120  # seconds

app = Celery("beasiswa", set_as_current=False)
app.conf.update(
    broker_url=os.environ.get(BROKER_ENV, "redis://127.0.0.1:6379/0"),
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    broker_connection_retry_on_startup=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    task_default_queue=QUEUE,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,  # with acks_late: a worker holds only the task it is doing
    worker_hijack_root_logger=False,
    worker_send_task_events=True,  # for Flower
    task_send_sent_event=True,
)

_worker: BatchWorker | None = None


def _batch_worker() -> BatchWorker:
    """This worker process's pipeline, made at its first task (after the fork: its own engine)."""
    global _worker
    if _worker is None:
        from beasiswa.letters.batch import quiet_renderer_warnings

        quiet_renderer_warnings()
        for noisy in ("weasyprint", "fontTools"):  # their INFO lines, per letter, would drown the worker's log
            logging.getLogger(noisy).setLevel(logging.WARNING)
        _worker = BatchWorker(make_engine(os.environ[DATABASE_ENV]))
    return _worker


class LetterTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries ran out (or an error no retry mends): the task's pending claims are dead-lettered, named
        with the error in the batch's report. If even that cannot be written, they stay pending for `resume`."""
        batch_id, keys = args
        try:
            dead_letter(_batch_worker().engine, batch_id, keys,
                        f"tugas {task_id} gagal setelah {self.request.retries} kali dicoba ulang: "
                        f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        except DBAPIError:
            pass


@app.task(name="beasiswa.letters.render", base=LetterTask, bind=True, autoretry_for=(DBAPIError,),
          retry_backoff=2, retry_backoff_max=RETRY_BACKOFF_MAX, retry_jitter=True, max_retries=MAX_RETRIES)
def render_letters(self, batch_id: int, keys: list[list[str]]) -> dict[str, int]:
    """The letters of one case's claims (a chunk) of a batch."""
    return _batch_worker().run(batch_id, [tuple(k) for k in keys])


def use_broker(url: str) -> None:
    app.conf.broker_url = url


def enqueue(batches: Batches, batch_id: int, broker: str | None = None) -> int:
    """Send the batch's pending claims to the broker, a task per chunk; the number of tasks. Sending a batch
    again sends only what is still pending, and a claim done meanwhile is skipped by the worker."""
    if broker:
        use_broker(broker)
    chunks = batches.chunks(batch_id)
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=3)
        with app.producer_or_acquire() as producer:
            for chunk in chunks:
                render_letters.apply_async((batch_id, chunk), producer=producer, retry=True)
    return len(chunks)


def start_worker(database_url: str, broker: str, concurrency: int, loglevel: str = "INFO",
                 hostname: str | None = None) -> None:
    """Run a Celery worker (prefork, `concurrency` processes) bound to `database_url`, until stopped."""
    os.environ[DATABASE_ENV] = database_url
    use_broker(broker)
    argv = ["worker", "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", loglevel,
            "--queues", QUEUE, "--without-gossip", "--without-mingle"]
    if hostname:
        argv += ["--hostname", hostname]
    app.worker_main(argv)
