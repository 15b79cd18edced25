"""A batch of letters as a record (issue 14), without a broker: the same worker code the queue runs, on SQLite.
A claim pending in a batch is in no second one; a task run twice does nothing twice; a claim whose letter
exists keeps its number and bytes; a letter taken up too many times is dead-lettered and named in the report;
the local process pool runs a batch as the queue does; only an officer or a supervisor of the office starts
one, and a refusal is audited."""

import hashlib

import pytest
from typer.testing import CliRunner

from beasiswa.access.roles import NotAllowed
from beasiswa.cli import app
from beasiswa.db import make_engine
from beasiswa.letters.batches import MAX_DELIVERIES, Batches, BatchWorker, run_local
from ledger_support import sql, sqlite_database
from letters_support import AUDITOR, DAY, ISSUERS, qr_of, register_claims, register_rows, sequences_of

SUPERVISOR = ISSUERS["KC-PLG"]


@pytest.fixture
def database(tmp_path):
    return sqlite_database(tmp_path, "batches.db")


def test_a_claim_pending_in_a_batch_is_in_no_second_batch(database):
    register_claims(database, 2, 3)
    batches = Batches(make_engine(database))
    first = batches.start(SUPERVISOR, "KC-PLG", DAY, "queue")
    assert first.pending == 6
    assert batches.start(SUPERVISOR, "KC-PLG", DAY, "queue") is None
    assert sql(database, "SELECT COUNT(*) FROM audit_trail WHERE action = 'letter.batch'")[0][0] == 1


def test_a_task_run_twice_does_nothing_twice(database):
    register_claims(database, 1, 3)
    batches = Batches(make_engine(database))
    batch = batches.start(SUPERVISOR, "KC-PLG", DAY, "queue")
    worker = BatchWorker(make_engine(database))
    [chunk] = batches.chunks(batch.id)
    assert worker.run(batch.id, chunk) == {"done": 3, "failed": 0, "skipped": 0}
    assert worker.run(batch.id, chunk) == {"done": 0, "failed": 0, "skipped": 3}
    rows = register_rows(database)
    assert sequences_of(rows) == {("KC-PLG", 2025): [1, 2, 3]}
    assert [i.deliveries for i in batches.items(batch.id)] == [1, 1, 1]


def test_a_claim_whose_letter_exists_keeps_its_number_and_its_bytes(database, tmp_path):
    keys = register_claims(database, 1, 2)
    batches = Batches(make_engine(database))
    batch = batches.start(SUPERVISOR, "KC-PLG", DAY, "queue")
    out = tmp_path / "out"
    made = CliRunner().invoke(app, ["letters", "render", "--claim", str(keys[0]), "--out", str(out), "--db", database,
                                    "--date", DAY.isoformat(), "--as", SUPERVISOR])
    assert made.exit_code == 0, made.output
    [before] = register_rows(database)[:1]
    BatchWorker(make_engine(database)).run(batch.id, batches.chunks(batch.id)[0])
    items = batches.items(batch.id)
    assert [(i.status, i.number) for i in items][0] == ("done", before.number)
    assert batches.pdf(before.number) == (out / before.file_name).read_bytes()
    assert sequences_of(register_rows(database)) == {("KC-PLG", 2025): [1, 2]}


def test_a_letter_taken_up_too_many_times_is_dead_lettered_and_named_in_the_report(database):
    keys = register_claims(database, 1, 2)
    batches = Batches(make_engine(database))
    batch = batches.start(SUPERVISOR, "KC-PLG", DAY, "queue")
    sql(database, "UPDATE letter_batch_items SET deliveries = :n WHERE claim_id = :claim", n=MAX_DELIVERIES,
        claim=keys[0].claim_id)
    BatchWorker(make_engine(database)).run(batch.id, batches.chunks(batch.id)[0])
    shown = CliRunner().invoke(app, ["letters", "batch", "show", str(batch.id), "--db", database])
    assert shown.exit_code == 1
    assert "1 selesai, 1 gagal, 0 menunggu" in shown.output
    assert f"gagal {keys[0]} [DEAD_LETTER] (diambil {MAX_DELIVERIES + 1} kali)" in shown.output


def test_the_local_pool_runs_a_batch_as_the_queue_does(database, tmp_path):
    register_claims(database, 3, 2)
    batches = Batches(make_engine(database))
    batch = batches.start(SUPERVISOR, "KC-PLG", DAY, "local")
    run_local(database, batch.id, workers=2)
    assert batches.get(batch.id).done == 6
    rows = register_rows(database)
    for row in rows:
        assert hashlib.sha256(batches.pdf(row.number)).hexdigest() == row.pdf_sha256
    shown = CliRunner().invoke(app, ["letters", "batch", "show", str(batch.id), "--db", database,
                                     "--out", str(tmp_path / "pdf")])
    assert shown.exit_code == 0, shown.output
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == sorted(r.file_name for r in rows)


PUBLIC = "https://beasiswa.contoh.go.id"


def test_a_batch_records_the_public_address_it_was_started_with(database):
    register_claims(database, 1, 1)
    batch = Batches(make_engine(database)).start(SUPERVISOR, "KC-PLG", DAY, "local", PUBLIC + "/")
    assert batch.public_url == PUBLIC
    assert Batches(make_engine(database)).get(batch.id).public_url == PUBLIC
    assert sql(database, "SELECT public_url FROM letter_batches") == [(PUBLIC,)]


def test_a_batch_with_a_public_address_that_is_not_http_is_refused_naming_it_and_nothing_is_recorded(database):
    register_claims(database, 1, 1)
    with pytest.raises(ValueError, match="public URL: 'ftp://contoh.go.id'"):
        Batches(make_engine(database)).start(SUPERVISOR, "KC-PLG", DAY, "local", "ftp://contoh.go.id")
    assert sql(database, "SELECT COUNT(*) FROM letter_batches")[0][0] == 0


def test_the_local_pool_renders_a_batchs_letters_with_the_qr_code_under_its_public_address(database):
    register_claims(database, 1, 2)
    batches = Batches(make_engine(database))
    batch = batches.start(SUPERVISOR, "KC-PLG", DAY, "local", PUBLIC)
    run_local(database, batch.id, workers=1)
    assert batches.get(batch.id).done == 2
    for row in register_rows(database):
        assert qr_of(batches.pdf(row.number)).startswith(f"{PUBLIC}/verifikasi?nomor={row.number}&kode=")


def test_one_worker_renders_each_batch_under_its_own_address_and_a_task_run_again_gives_the_same_bytes(database):
    keys = register_claims(database, 2, 1)
    batches = Batches(make_engine(database))
    worker = BatchWorker(make_engine(database))
    one = batches.start(SUPERVISOR, "KC-PLG", DAY, "local", "https://satu.contoh.go.id")
    [chunk] = [c for c in batches.chunks(one.id) if c[0][0] == keys[0].case_id]
    sql(database, "UPDATE letter_batch_items SET status = 'failed' WHERE batch_id = :b AND case_id = :c",
        b=one.id, c=keys[1].case_id)  # the second case is left to the second batch
    worker.run(one.id, chunk)
    other = batches.start(SUPERVISOR, "KC-PLG", DAY, "local", "https://dua.contoh.go.id")
    worker.run(other.id, batches.chunks(other.id)[0])
    first, second = register_rows(database)
    assert qr_of(batches.pdf(first.number)).startswith("https://satu.contoh.go.id/verifikasi?")
    assert qr_of(batches.pdf(second.number)).startswith("https://dua.contoh.go.id/verifikasi?")
    # A redelivered task, on a worker that never rendered under that address, makes the same bytes.
    stored = batches.pdf(first.number)
    sql(database, "DELETE FROM letter_pdfs WHERE number = :n", n=first.number)
    sql(database, "UPDATE letter_batch_items SET status = 'pending', number = NULL WHERE batch_id = :b",
        b=one.id)
    fresh = BatchWorker(make_engine(database))
    assert fresh.run(one.id, chunk)["done"] == 1
    assert batches.pdf(first.number) == stored
    assert hashlib.sha256(stored).hexdigest() == first.pdf_sha256


@pytest.mark.parametrize("who, office", [(AUDITOR, "KC-PLG"), (ISSUERS["KC-SBY"], "KC-PLG")])
def test_only_an_officer_or_supervisor_of_the_office_starts_a_batch_and_a_refusal_is_audited(database, who,
                                                                                               office):
    register_claims(database, 1, 1)
    with pytest.raises(NotAllowed):
        Batches(make_engine(database)).start(who, office, DAY, "queue")
    assert sql(database, "SELECT COUNT(*) FROM letter_batches")[0][0] == 0
    assert sql(database, "SELECT actor, result FROM audit_trail WHERE action = 'letter.batch'") == [(who, "refused")]


def test_the_queue_needs_a_broker_named(database):
    result = CliRunner().invoke(app, ["letters", "render", "--queue", "--db", database, "--as", SUPERVISOR],
                                env={"BEASISWA_BROKER_URL": ""})
    assert result.exit_code == 2
    assert "--broker" in result.output
