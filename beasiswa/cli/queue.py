"""The task queue's commands: `beasiswa worker` (a Celery worker bound to the database), the batches of
`letters render --queue`, and `letters batch` (list, show with a progress bar, resume after a broker lost its
queue). Celery and WeasyPrint are imported inside the commands that use them.

Exit status: `worker` runs until stopped (2: bad input); `letters render --queue` and `letters batch show
--wait` 0 every letter done, 1 some failed (named) or a user refused, 2 bad input or the broker unreachable.
"""

from pathlib import Path

import typer

from beasiswa.cli.console import fail, stderr
from beasiswa.cli.database import open_database
from beasiswa.cli.options import DB_OPTION

BROKER_ENV = "BEASISWA_BROKER_URL"  # the same name as beasiswa.letters.queue's, read there by workers
BROKER_OPTION = typer.Option(None, "--broker", envvar=BROKER_ENV, show_envvar=True, metavar="URL",
                             help="URL broker Celery: redis://HOST:6379/0 atau amqp://guest@HOST:5672//.")

batch_app = typer.Typer(no_args_is_help=True, help="Kelompok surat: daftar, kemajuan, lanjutkan.")


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def worker_command(
    broker: str = BROKER_OPTION,
    concurrency: int = typer.Option(None, "--concurrency", min=1, max=64, metavar="JUMLAH",
                                    help="Jumlah proses pekerja (bawaan: satu per inti prosesor)."),
    name: str = typer.Option(None, "--name", metavar="NAMA", help="Nama pekerja (bawaan: celery@HOST)."),
    db: str = DB_OPTION,
) -> None:
    """Menjalankan pekerja Celery yang membuat surat dari antrean, pada basis data yang sama dengan pekerja lain."""
    if not broker:
        fail("worker: --broker URL (atau BEASISWA_BROKER_URL) diperlukan, mis. redis://127.0.0.1:6379/0")
    engine = open_database(db)
    url = _url(engine)
    engine.dispose()
    from beasiswa.letters.batch import default_workers
    from beasiswa.letters.queue import start_worker  # lazy: Celery

    start_worker(url, broker, concurrency or default_workers(), hostname=name)


def run_queued(engine, issuers: dict[str, str], day, broker: str, out: Path | None, wait: bool,
               public_url: str) -> None:
    """A batch per office of `issuers` (office → the user who issues its letters), its letters' QR codes under
    `public_url`, sent to the broker; with `wait`, a progress bar until done, then the report and the PDFs
    written to `out`."""
    from beasiswa.letters.batches import Batches
    from beasiswa.model import Refusal

    batches = Batches(engine)
    started = []
    for office, name in sorted(issuers.items()):
        try:
            batch = batches.start(name, office, day, "queue", public_url)
        except Refusal as refusal:
            fail(f"letters render: [{refusal.code}]: {refusal.message}", 1)
        if batch is None:
            typer.echo(f"kantor {office}: tidak ada surat untuk dibuat (setiap klaim yang diputuskan sudah bersurat "
                       f"atau sedang dalam kelompok lain)")
            continue
        tasks = _enqueue(batches, batch.id, broker)
        typer.echo(f"kelompok {batch.id} kantor {office}: {batch.pending} klaim dikirim ke antrean ({tasks} tugas)")
        started.append(batch.id)
    if started and wait:
        _follow(batches, started, out)


def _enqueue(batches, batch_id: int, broker: str) -> int:
    from kombu.exceptions import OperationalError as BrokerError

    from beasiswa.letters.queue import enqueue

    try:
        return enqueue(batches, batch_id, broker)
    except (BrokerError, OSError) as exc:
        fail(f"--broker: {broker} tidak dapat dihubungi ({exc}); kelompok {batch_id} tercatat, kirim lagi dengan "
             f"`beasiswa letters batch resume {batch_id}`")


def _follow(batches, ids: list[int], out: Path | None) -> None:
    """A progress bar over the batches until none has a claim pending; then the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from beasiswa.letters.batches import export, wait_for

    columns = (TextColumn("surat"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} gagal"),
               TimeRemainingColumn())
    with Progress(*columns, console=stderr(), transient=True) as progress:
        bar = progress.add_task("letters", total=None, failed=0)

        def show(found):
            progress.update(bar, total=sum(b.total for b in found), completed=sum(b.done + b.failed for b in found),
                            failed=sum(b.failed for b in found))

        found = wait_for(batches, ids, show)
    failed = 0
    for batch in found:
        typer.echo(f"kelompok {batch.id} kantor {batch.office}: {batch.done} selesai, {batch.failed} gagal, "
                   f"{batch.pending} menunggu")
        failed += _report_failed(batches, batch.id)
        if out is not None:
            written = export(batches, batch.id, out)
            typer.echo(f"  {len(written)} PDF ditulis ke {out}")
    if failed:
        raise typer.Exit(1)


def _report_failed(batches, batch_id: int) -> int:
    items = batches.items(batch_id, "failed")
    for item in items:
        typer.echo(f"  gagal {item.case_id}/{item.claim_id} [{item.code}] (diambil {item.deliveries} kali): "
                   f"{item.message}")
    return len(items)


@batch_app.command("list")
def list_command(
    office: str = typer.Option(None, "--office", metavar="KANTOR", help="Hanya kelompok kantor ini."),
    db: str = DB_OPTION,
) -> None:
    """Daftar kelompok surat, terbaru dulu, dengan jumlah selesai, gagal dan menunggu."""
    from beasiswa.letters.batches import Batches

    for batch in Batches(open_database(db)).recent(office):
        typer.echo(f"{batch.id}\t{batch.office}\t{batch.started_at}\t{batch.started_by}\t{batch.mode}\t"
                   f"{batch.done} selesai, {batch.failed} gagal, {batch.pending} menunggu")


def _batch(batches, batch_id: int):
    batch = batches.get(batch_id)
    if batch is None:
        fail(f"BATCH: kelompok {batch_id} tidak tercatat di basis data ini")
    return batch


@batch_app.command("show")
def show_command(
    batch_id: int = typer.Argument(..., metavar="ID", help="Nomor kelompok surat (lihat `letters batch list`)."),
    wait: bool = typer.Option(False, "--wait", help="Tunggu sampai selesai, dengan bilah kemajuan."),
    out: Path = typer.Option(None, "--out", metavar="FOLDER", help="Tulis PDF surat yang selesai ke folder ini."),
    db: str = DB_OPTION,
) -> None:
    """Kemajuan satu kelompok surat, dan surat yang gagal beserta alasannya."""
    from beasiswa.letters.batches import Batches

    batches = Batches(open_database(db))
    _batch(batches, batch_id)
    _follow(batches, [batch_id], out) if wait else _follow_once(batches, batch_id, out)


def _follow_once(batches, batch_id: int, out: Path | None) -> None:
    from beasiswa.letters.batches import export

    batch = batches.get(batch_id)
    typer.echo(f"kelompok {batch.id} kantor {batch.office} ({batch.mode}, oleh {batch.started_by}, "
               f"{batch.started_at}): {batch.done} selesai, {batch.failed} gagal, {batch.pending} menunggu")
    failed = _report_failed(batches, batch_id)
    if out is not None:
        typer.echo(f"  {len(export(batches, batch_id, out))} PDF ditulis ke {out}")
    if failed:
        raise typer.Exit(1)


@batch_app.command("resume")
def resume_command(
    batch_id: int = typer.Argument(..., metavar="ID", help="Nomor kelompok surat (lihat `letters batch list`)."),
    broker: str = BROKER_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Mengirim lagi klaim kelompok yang masih menunggu (mis. broker dimulai ulang dan antreannya hilang); yang
    sudah selesai tidak dikerjakan dua kali."""
    from beasiswa.letters.batches import Batches

    if not broker:
        fail("letters batch resume: --broker URL (atau BEASISWA_BROKER_URL) diperlukan")
    batches = Batches(open_database(db))
    _batch(batches, batch_id)
    tasks = _enqueue(batches, batch_id, broker)
    typer.echo(f"kelompok {batch_id}: {tasks} tugas dikirim lagi ke antrean")

