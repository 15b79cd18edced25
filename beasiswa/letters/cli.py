"""`beasiswa letters …`: render the letters of decided claims in batches, and verify a letter's PDF.

Exit status: `render` 0 done, 1 some letter refused (the others were written), 2 bad input; `verify` 0 genuine,
1 altered or unknown, 2 the file cannot be read; `samples` 0 done, 2 a PDF or pdftoppm missing. The heavy imports (WeasyPrint) wait until a command runs.
"""

import datetime as dt
from pathlib import Path

import typer

from beasiswa.cli_options import DB_OPTION
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

VERDICT_SHOWN = {"genuine": "ASLI", "altered": "DIUBAH", "unknown": "TIDAK DIKENAL"}
KIND_SHOWN = {"award": "penetapan", "rejection": "penolakan", "return": "pengembalian berkas"}  # letters.toml [titles]

letters_app = typer.Typer(no_args_is_help=True, help="Surat resmi: membuatnya per kelompok, memverifikasi satu surat.")


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--date: {text!r} bukan tanggal (YYYY-MM-DD)")


def _warn_if_slow_or_misfit() -> None:
    from rich.console import Console

    from beasiswa.letters.render import SERIF, font_family_installed, harfbuzz_subsetting_available

    err = Console(stderr=True)
    if not harfbuzz_subsetting_available():
        err.print("[yellow]peringatan:[/] subsetting fon HarfBuzz (libharfbuzz-subset0) tidak termuat: tiap PDF "
                  "ditulis sekitar 7 kali lebih lambat; pasang dengan `make system-packages`", highlight=False)
    if font_family_installed(SERIF) is False:
        err.print(f"[yellow]peringatan:[/] fon {SERIF} (fonts-liberation2) tidak terpasang: surat disusun "
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
    db: str = DB_OPTION,
) -> None:
    """Memberi nomor, membuat dan mendaftarkan surat setiap klaim yang diputuskan dan belum bersurat (dapat
    dilanjutkan)."""
    from beasiswa.db import database_url
    from beasiswa.letters.register import ClaimKey, LetterRegister

    day = _day(date)
    key = None
    if claim is not None:
        try:
            key = ClaimKey.parse(claim)
        except ValueError as exc:
            _fail(str(exc))
    if out.exists() and not out.is_dir():
        _fail(f"--out: {out} bukan folder")
    engine = _engine(db)
    _warn_if_slow_or_misfit()
    register = LetterRegister(engine)
    if key is not None:
        _render_one(register, key, out, day)
        return
    _render_all(register, database_url(db), out, day, workers)


def _render_one(register, key, out: Path, day: dt.date) -> None:
    from beasiswa.letters.batch import LetterIssuer, quiet_renderer_warnings

    quiet_renderer_warnings()
    issuer = LetterIssuer(register, out)
    issued, failed = issuer.run([key], day, rewrite=True)
    if failed:
        _fail(f"{failed[0].task}: {failed[0].code}: {failed[0].message}", 1)
    letter = issued[0]
    how = "dinomori sekarang" if letter.numbered else "dinomori sebelumnya, ditulis ulang"
    typer.echo(f"{letter.number}: surat {KIND_SHOWN.get(letter.kind, letter.kind)} untuk "
               f"{letter.case_id}/{letter.claim_id} ({how}) "
               f"-> {letter.path}")


def _render_all(register, url: str, out: Path, day: dt.date, workers: int | None) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from beasiswa.letters.batch import default_workers, pending_tasks, render_batch

    chunks = pending_tasks(register)
    total = sum(len(chunk) for chunk in chunks)
    if not total:
        typer.echo("tidak ada surat untuk dibuat: setiap klaim yang diputuskan sudah bersurat")
        return
    workers = workers or default_workers()
    issued, failed = [], []
    columns = (TextColumn("surat"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task("letters", total=total)

        def done(result):
            issued.extend(result.issued)
            failed.extend(result.failed)
            progress.advance(bar, len(result.issued) + len(result.failed))

        render_batch(url, out, chunks, day, workers, on_chunk=done)
    numbered = sum(1 for i in issued if i.numbered)
    finished = len(issued) - numbered
    typer.echo(f"{len(issued)} surat ditulis ke {out} oleh {min(workers, len(chunks))} proses: {numbered} "
               f"dinomori sekarang"
               + (f", {finished} dinomori oleh jalannya sebelumnya dan diselesaikan sekarang" if finished else ""))
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
    from beasiswa.letters.register import LetterRegister
    from beasiswa.letters.verify import UnreadableLetter, read_letter, verify_letter

    try:
        pdf = file.read_bytes()
    except OSError as exc:
        _fail(f"{file}: tidak dapat dibaca: {exc.strerror or exc}")
    try:
        letter = read_letter(pdf, str(file))
    except UnreadableLetter as exc:
        _fail(str(exc))
    result = verify_letter(letter, LetterRegister(_engine(db)).lookup)
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
    from beasiswa.letters.samples import SampleError, write_samples

    if out.exists() and not out.is_dir():
        _fail(f"--out: {out} bukan folder")
    try:
        samples = write_samples(_engine(db), letters, out)
    except SampleError as exc:
        _fail(str(exc))
    if not samples:
        typer.echo("belum ada surat terdaftar: jalankan `beasiswa letters render` dulu")
    for sample in samples:
        typer.echo(f"{sample.png}: halaman 1 dari {sample.number} ({KIND_SHOWN.get(sample.kind, sample.kind)})")
