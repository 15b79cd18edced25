"""`beasiswa letters …`: render the letters of decided claims in batches, and verify a letter's PDF.

`render` runs as users who signed in (`--as NAME`, repeated once per office, or BEASISWA_USER, or the one user
signed in: beasiswa.cli.identity): an officer or a supervisor issues the letters of their own office, and each
number issued is audited.

Exit status: `render` 0 done, 1 a user refused or some letter refused (the others were written), 2 bad input;
`verify` 0 genuine, 1 altered or unknown, 2 the file cannot be read; `samples` 0 done, 2 a PDF or pdftoppm
missing. The heavy imports (WeasyPrint) wait until a command runs.
"""

import datetime as dt
from pathlib import Path

import typer

from beasiswa.access.actions import Action
from beasiswa.access.roles import check
from beasiswa.cli.console import fail, stderr
from beasiswa.cli.database import open_database
from beasiswa.cli.identity import acting
from beasiswa.cli.options import DB_OPTION, PUBLIC_URL_OPTION, USER_ENV, parse_day, public_url_of
from beasiswa.cli.queue import BROKER_OPTION, batch_app, run_queued
from beasiswa.indonesian import LETTER_KIND_NAMES as KIND_SHOWN
from beasiswa.model import ClaimRef, Refusal

VERDICT_SHOWN = {"genuine": "ASLI", "altered": "DIUBAH", "unknown": "TIDAK DIKENAL"}

letters_app = typer.Typer(no_args_is_help=True, help="Surat resmi: membuatnya per kelompok, memverifikasi satu surat.")
letters_app.add_typer(batch_app, name="batch")


def _warn_if_slow_or_misfit() -> None:
    # lazy: WeasyPrint, which `beasiswa decide` starts without
    from beasiswa.letters.render import SERIF, font_family_installed, harfbuzz_subsetting_available

    if not harfbuzz_subsetting_available():
        stderr().print("[yellow]peringatan:[/] subsetting fon HarfBuzz (libharfbuzz-subset0) tidak termuat: tiap PDF "
                  "ditulis sekitar 7 kali lebih lambat; pasang dengan `make system-packages`", highlight=False)
    if font_family_installed(SERIF) is False:
        stderr().print(f"[yellow]peringatan:[/] fon {SERIF} (fonts-liberation2) tidak terpasang: surat disusun "
                  f"dengan fon lain dan mungkin tidak muat di halamannya", highlight=False)


@letters_app.command("render")
def render_command(
    out: Path = typer.Option(Path("out/letters"), "--out", metavar="FOLDER",
                             help="Tempat PDF ditulis, dinamai menurut nomor surat."),
    workers: int = typer.Option(None, "--workers", min=1, metavar="JUMLAH",
                                help="Jumlah proses pembuat surat (bawaan: satu per inti prosesor)."),
    claim: str = typer.Option(None, "--claim", metavar="KLAIM", help="Buat surat satu klaim: ID_KASUS/ID_KLAIM "
                              "(diberi nomor bila belum ada; bila sudah, surat yang sama ditulis ulang)."),
    date: str = typer.Option(None, "--date", metavar="TANGGAL",
                             help="Tanggal surat baru (YYYY-MM-DD; bawaan: hari ini)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True, metavar="NAMA",
                                  help="Pengguna yang menerbitkan surat: petugas atau pengawas, yang menerbitkan "
                                       "surat kantornya (ulangi, satu per kantor); yang sudah masuk (`beasiswa login`)."),
    queue: bool = typer.Option(False, "--queue", help="Kirim ke antrean tugas (pekerja Celery, `beasiswa worker`) "
                               "sebagai kelompok surat per kantor, alih-alih proses lokal."),
    broker: str = BROKER_OPTION,
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Dengan --queue: tunggu sampai kelompok selesai "
                              "(bilah kemajuan), lalu tulis PDF ke --out."),
    public_url: str = PUBLIC_URL_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Memberi nomor, membuat dan mendaftarkan surat setiap klaim yang diputuskan dan belum bersurat (dapat
    dilanjutkan), atas nama pengguna yang disebut; beberapa jalannya sekaligus berbagi pekerjaan."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.db import database_url
    from beasiswa.letters.register import LetterRegister

    day = parse_day(date, "--date")
    public_url = public_url_of(public_url)
    key = None
    if claim is not None:
        try:
            key = ClaimRef.parse(claim, "--claim")
        except ValueError as exc:
            fail(str(exc))
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} bukan folder")
    if queue and not broker:
        fail("--queue: --broker URL (atau BEASISWA_BROKER_URL) diperlukan, mis. redis://127.0.0.1:6379/0")
    if queue and key is not None:
        fail(f"--claim: {claim} dibuat langsung, tanpa --queue")
    engine = open_database(db)
    as_ = acting(engine, as_, "letters render")
    issuers = _issuers(engine, as_)
    if queue:
        run_queued(engine, issuers, day, broker, out, wait, public_url)
        return
    _warn_if_slow_or_misfit()
    register = LetterRegister(engine, issuers=issuers)
    if key is not None:
        _render_one(register, key, out, day, public_url)
        return
    _render_all(register, database_url(db), out, day, workers, public_url)


def _issuers(engine, names: list[str]) -> dict[str, str]:
    """Each named user checked (registered, active, allowed to issue letters), by office: the first named for
    an office issues its letters. A refusal exits 1 before anything is written."""
    from beasiswa.access.trail import actor  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    issuers: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            for name in names:
                user = actor(conn, name)
                check(user, Action.ISSUE_LETTER, user.office, "surat")
                issuers.setdefault(user.office, user.name)
    except Refusal as refusal:
        fail(f"letters render: [{refusal.code}]: {refusal.message}", 1)
    return issuers


def _render_one(register, key, out: Path, day: dt.date, public_url: str) -> None:
    from beasiswa.letters.batch import LetterIssuer, quiet_renderer_warnings  # lazy: WeasyPrint, as above

    quiet_renderer_warnings()
    issuer = LetterIssuer(register, out, public_url=public_url)
    issued, failed, _ = issuer.run([key], day, rewrite=True)
    if failed:
        fail(f"{failed[0].task}: {failed[0].code}: {failed[0].message}", 1)
    letter = issued[0]
    how = "dinomori sekarang" if letter.numbered else "dinomori sebelumnya, ditulis ulang"
    typer.echo(f"{letter.number}: surat {KIND_SHOWN.get(letter.kind, letter.kind)} untuk "
               f"{letter.case_id}/{letter.claim_id} ({how}) "
               f"-> {letter.path}")


def _render_all(register, url: str, out: Path, day: dt.date, workers: int | None, public_url: str) -> None:
    # lazy: WeasyPrint, which `beasiswa decide` starts without, and Rich's progress bars
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from beasiswa.letters.batch import default_workers, pending_tasks, render_batch

    chunks = pending_tasks(register, offices=register.issuers)
    total = sum(len(chunk) for chunk in chunks)
    others = sum(len(chunk) for chunk in pending_tasks(register)) - total
    left = (f"; {others} surat kantor lain ditinggalkan untuk penggunanya" if others else "")
    if not total:
        typer.echo(f"tidak ada surat untuk dibuat: setiap klaim yang diputuskan di {', '.join(sorted(register.issuers))} "
                   f"sudah bersurat{left}")
        return
    workers = workers or default_workers()
    issued, failed, skipped = [], [], []
    columns = (TextColumn("surat"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr(), transient=True) as progress:
        bar = progress.add_task("letters", total=total)

        def done(result):
            issued.extend(result.issued)
            failed.extend(result.failed)
            skipped.extend(result.skipped)
            progress.advance(bar, len(result.issued) + len(result.failed) + len(result.skipped))

        render_batch(url, out, chunks, day, workers, on_chunk=done, issuers=register.issuers, public_url=public_url)
    written = [i for i in issued if i.written]
    numbered = sum(1 for i in written if i.numbered)
    finished = len(written) - numbered
    elsewhere = len(issued) - len(written) + len(skipped)
    typer.echo(f"{len(written)} surat ditulis ke {out} oleh {min(workers, len(chunks))} proses: {numbered} "
               f"dinomori sekarang"
               + (f", {finished} dinomori oleh jalannya sebelumnya dan diselesaikan sekarang" if finished else "")
               + (f"; {elsewhere} dikerjakan jalannya lain pada saat yang sama" if elsewhere else "") + left)
    for failure in failed:
        typer.echo(f"  ditolak {failure.task}: {failure.code}: {failure.message}")
    if failed:
        raise typer.Exit(1)


@letters_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., metavar="PDF", help="PDF sebuah surat."),
    db: str = DB_OPTION,
) -> None:
    """Memeriksa PDF surat terhadap register: asli (status keluar 0), diubah atau tidak dikenal (status keluar 1),
    dan alasannya."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.letters.register import LetterRegister
    from beasiswa.letters.verify import UnreadableLetter, read_letter, verify_letter

    try:
        pdf = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: tidak dapat dibaca: {exc.strerror or exc}")
    try:
        letter = read_letter(pdf, str(file))
    except UnreadableLetter as exc:
        fail(str(exc))
    register = LetterRegister(open_database(db))
    result = verify_letter(letter, register.lookup, register.problems_of)
    typer.echo(f"{VERDICT_SHOWN[result.verdict.value]}: {file}" + (f" (surat {result.number})" if result.number else ""))
    for reason in result.reasons:
        typer.echo(f"  {reason}")
    if not result.genuine:
        raise typer.Exit(1)


@letters_app.command("samples")
def samples_command(
    letters: Path = typer.Option(Path("out/letters"), "--letters", metavar="FOLDER", help="Tempat PDF surat berada."),
    out: Path = typer.Option(Path("out"), "--out", metavar="FOLDER", help="Tempat PNG ditulis."),
    db: str = DB_OPTION,
) -> None:
    """Halaman pertama surat pertama tiap jenis sebagai PNG (pdftoppm), untuk melihat tata letaknya."""
    from beasiswa.letters.samples import SampleError, write_samples  # lazy: SQLAlchemy, as above

    if out.exists() and not out.is_dir():
        fail(f"--out: {out} bukan folder")
    try:
        samples = write_samples(open_database(db), letters, out)
    except SampleError as exc:
        fail(str(exc))
    if not samples:
        typer.echo("belum ada surat terdaftar: jalankan `beasiswa letters render` dulu")
    for sample in samples:
        typer.echo(f"{sample.png}: halaman 1 dari {sample.number} ({KIND_SHOWN.get(sample.kind, sample.kind)})")
