"""Letters on a real task queue (issue 14): two Celery workers (`beasiswa worker`) through a Redis of the
tests' own, on one PostgreSQL. Whatever happens to a worker or to the broker, every claim of a batch gets one
letter, the numbers of the office's year run 1..N without a gap or a repeat, and every PDF stored is the one
whose SHA-256 the register holds. The workers are started once for the module; each test letters claims of
its own cases; the main job (`process --queue`) makes its letters the same way."""

import hashlib
import time

import pytest
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db import make_engine
from beasiswa.letters.batches import Batches, wait_for
from beasiswa.letters.verify import register_findings
from ledger_support import ROOT, sql
from letters_support import DAY, ISSUERS, qr_of, register_claims, register_rows, sequences_of, staff
from queue_support import RedisServer, Worker, module_postgres

SUPERVISOR = ISSUERS["KC-PLG"]
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def database(postgres_migration):
    yield from module_postgres(postgres_migration)


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def workers(database, redis, tmp_path_factory):
    logs = tmp_path_factory.mktemp("workers")
    started = [Worker(name, database, redis.url, logs / f"{name}.log") for name in ("satu", "dua")]
    try:
        for worker in started:
            worker.ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


def render(database, redis, *more):
    return CliRunner().invoke(app, ["letters", "render", "--queue", "--broker", redis.url, "--db", database,
                                    "--date", DAY.isoformat(), "--as", SUPERVISOR, *more])


def started_batch(output: str) -> int:
    return int(output.split("kelompok ")[1].split()[0])


def finish(database, batch_id):
    batches = Batches(make_engine(database))
    [batch] = wait_for(batches, [batch_id], timeout=240)
    return batch, batches.items(batch_id)


def assert_register_whole(database):
    """One letter per claim, numbers 1..N per office and year, each PDF stored with its registered SHA-256."""
    rows = register_rows(database)
    assert len({(r.case_id, r.claim_id) for r in rows}) == len(rows)
    assert sequences_of(rows) == {("KC-PLG", 2025): list(range(1, len(rows) + 1))}
    stored = dict(sql(database, "SELECT number, pdf FROM letter_pdfs"))
    assert sorted(stored) == sorted(r.number for r in rows)
    for row in rows:
        assert hashlib.sha256(stored[row.number]).hexdigest() == row.pdf_sha256, row.number
    engine = make_engine(database)
    with engine.connect() as conn:
        assert register_findings(conn) == []
    engine.dispose()


def test_two_workers_on_one_batch_letter_every_claim_once_with_contiguous_numbers(database, redis, workers,
                                                                                   tmp_path):
    keys = register_claims(database, 6, 4, prefix="2025A")
    result = render(database, redis, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "24 selesai, 0 gagal, 0 menunggu" in result.output
    assert "24 PDF ditulis" in result.output
    assert_register_whole(database)
    rows = register_rows(database)
    assert {(r.case_id, r.claim_id) for r in rows} == {(k.case_id, k.claim_id) for k in keys}
    for row in rows:  # the files written to --out are the registered ones
        assert hashlib.sha256((tmp_path / "out" / row.file_name).read_bytes()).hexdigest() == row.pdf_sha256


def test_a_worker_process_killed_in_the_middle_of_a_task_gets_it_delivered_again(database, redis, workers):
    register_claims(database, 8, 4, prefix="2025B")
    result = render(database, redis, "--no-wait")
    assert result.exit_code == 0, result.output
    batch_id = started_batch(result.output)
    while not sql(database, "SELECT 1 FROM letter_batch_items WHERE batch_id = :b AND status = 'pending' "
                            "AND deliveries >= 1", b=batch_id):
        time.sleep(0.02)
    for worker in workers:
        worker.kill_pool()
    batch, items = finish(database, batch_id)
    assert (batch.done, batch.failed, batch.pending) == (32, 0, 0)
    assert max(i.deliveries for i in items) >= 2  # a letter in the middle of its task was taken up again
    assert_register_whole(database)


def test_redis_restarted_in_the_middle_of_a_batch_resumes_with_one_command(database, redis, workers):
    register_claims(database, 10, 4, prefix="2025C")
    result = render(database, redis, "--no-wait")
    batch_id = started_batch(result.output)
    while not sql(database, "SELECT 1 FROM letter_batch_items WHERE batch_id = :b AND status = 'done'", b=batch_id):
        time.sleep(0.02)
    redis.restart()  # without saving: the broker's queue is lost
    resumed = CliRunner().invoke(app, ["letters", "batch", "resume", str(batch_id), "--broker", redis.url,
                                       "--db", database])
    assert resumed.exit_code == 0, resumed.output
    batch, _ = finish(database, batch_id)
    assert (batch.done, batch.failed, batch.pending) == (40, 0, 0)
    assert_register_whole(database)


def test_enqueueing_the_same_batch_twice_letters_each_claim_once(database, redis, workers):
    register_claims(database, 4, 4, prefix="2025D")
    result = render(database, redis, "--no-wait")
    batch_id = started_batch(result.output)
    for _ in range(2):
        again = CliRunner().invoke(app, ["letters", "batch", "resume", str(batch_id), "--broker", redis.url,
                                         "--db", database])
        assert again.exit_code == 0, again.output
    batch, _ = finish(database, batch_id)
    assert (batch.done, batch.failed, batch.pending) == (16, 0, 0)
    assert_register_whole(database)
    # Nothing left to letter: a second batch is not started, and the batch report says so.
    assert "tidak ada surat untuk dibuat" in render(database, redis, "--no-wait").output
    shown = CliRunner().invoke(app, ["letters", "batch", "show", str(batch_id), "--db", database])
    assert "16 selesai, 0 gagal, 0 menunggu" in shown.output


def test_the_workers_render_a_batchs_letters_under_the_public_address_it_was_started_with(database, redis, workers):
    [key] = register_claims(database, 1, 1, prefix="2025E")
    result = render(database, redis, "--public-url", "https://beasiswa.contoh.go.id")
    assert result.exit_code == 0, result.output
    assert "1 selesai, 0 gagal, 0 menunggu" in result.output
    [row] = [r for r in register_rows(database) if r.case_id == key.case_id]
    [(pdf,)] = sql(database, "SELECT pdf FROM letter_pdfs WHERE number = :n", n=row.number)
    assert qr_of(pdf).startswith(f"https://beasiswa.contoh.go.id/verifikasi?nomor={row.number}&kode=")
    assert_register_whole(database)


def test_the_main_job_runs_its_letter_stage_through_the_queue(database, redis, workers, tmp_path):
    staff(database)
    out = tmp_path / "letters"
    result = CliRunner().invoke(app, ["process", str(ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"),
                                      "--out", str(out), "--verify-as", "plg.petugas", "--approve-as", SUPERVISOR,
                                      "--date", DAY.isoformat(), "--queue", "--broker", redis.url, "--db", database,
                                      "--public-url", "https://beasiswa.contoh.go.id"])
    assert result.exit_code == 0, result.output
    assert "klaim dikirim ke antrean" in result.output and "0 gagal" in result.output
    assert_register_whole(database)
    rows = {r.file_name: r.pdf_sha256 for r in register_rows(database)}
    written = sorted(out.iterdir())
    assert written and all(hashlib.sha256(p.read_bytes()).hexdigest() == rows[p.name] for p in written)
    assert qr_of(written[0].read_bytes()).startswith("https://beasiswa.contoh.go.id/verifikasi?")
