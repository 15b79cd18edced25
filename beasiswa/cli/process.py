"""`beasiswa process`: the whole automated path for a batch (intake, verification and approval by two different
people when asked, payouts, letters, then the summary and the ledger report).

Exit status: 0 done; 1 something was refused; 2 bad input or a file that could not be read; 3 the database stayed
busy.
"""

import datetime as dt
import os
from pathlib import Path

import typer

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.database import open_database
from beasiswa.cli.identity import acting
from beasiswa.cli.intake import files_exist
from beasiswa.cli.options import DB_OPTION, MAX_WORKERS, PUBLIC_URL_OPTION, USER_ENV, parse_day, public_url_of
from beasiswa.cli.queue import BROKER_OPTION
from beasiswa.cli.service import busy


def letters_folder(out_dir: Path) -> None:
    """The letters' folder, made now if missing; exit 2 naming --out when it is a file or can't be made or
    written to."""
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out: {str(out_dir)!r} is a file, not a folder for the letters")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: {str(out_dir)!r} cannot be made: {exc.strerror}")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        fail(f"--out: {str(out_dir)!r} is not writable")


def process_command(
    files: list[Path] = typer.Argument(..., metavar="BERKAS...", help="Berkas kasus dan lembar penerimaan."),
    out_dir: Path = typer.Option(..., "--out", metavar="FOLDER", help="Tempat surat ditulis (PDF)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  metavar="NAMA", help="Yang menerima kasus (ulangi, satu per kantor); bawaan: --verify-as, "
                                                       "atau satu-satunya pengguna yang masuk."),
    verify_as: list[str] = typer.Option(None, "--verify-as", metavar="NAMA",
                                        help="Petugas yang memverifikasi, per kantor (ulangi)."),
    approve_as: list[str] = typer.Option(None, "--approve-as",
                                         metavar="NAMA", help="Pengawas yang menyetujui, membayar dan menerbitkan "
                                                              "surat, per kantor (ulangi)."),
    letter_date: str = typer.Option(None, "--date", metavar="TANGGAL",
                                    help="Tanggal surat (YYYY-MM-DD); bawaan: hari ini."),
    workers: int = typer.Option(None, "--workers", min=1, max=MAX_WORKERS, metavar="JUMLAH",
                                help="Jumlah proses pembuat surat (bawaan: satu per inti prosesor)."),
    queue: bool = typer.Option(False, "--queue", help="Buat surat lewat antrean tugas (pekerja Celery, "
                               "`beasiswa worker`), satu kelompok per kantor."),
    broker: str = BROKER_OPTION,
    public_url: str = PUBLIC_URL_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Seluruh jalur otomatis untuk satu kelompok: terima dan putuskan, verifikasi dan setujui bila diminta (dua
    orang berbeda), bukukan pembayaran, buat surat; lalu ringkasan dan laporan buku besar. Setiap pengguna yang
    disebut harus sudah masuk (`beasiswa login`, atau token-tokennya di BEASISWA_TOKEN, dipisah koma)."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.db import database_url
    from beasiswa.workflow.process import run_process

    if approve_as and not verify_as:
        fail("--approve-as memerlukan --verify-as: klaim diverifikasi sebelum disetujui")
    if queue and not broker:
        fail("--queue: --broker URL (atau BEASISWA_BROKER_URL) diperlukan, mis. redis://127.0.0.1:6379/0")
    day = parse_day(letter_date, "--date")
    public_url = public_url_of(public_url)
    letters_folder(out_dir)  # before anything is written: a batch must not stop after intake on its --out
    files_exist(files)
    engine = open_database(db)
    # Everyone named acts, so everyone signed in (BEASISWA_TOKEN may hold several secrets); none named: the one
    # user signed in takes the cases in.
    verify_as = acting(engine, verify_as, "process", "--verify-as") if verify_as else []
    approve_as = acting(engine, approve_as, "process", "--approve-as") if approve_as else []
    intake_users = acting(engine, as_, "process") if as_ or not verify_as else verify_as
    status = busy(lambda: run_process(engine, database_url(db), files, out_dir, intake_users, verify_as,
                                      approve_as, day, workers, stdout(), today=dt.date.today(),
                                      broker=broker if queue else None, public_url=public_url))
    if status:
        raise typer.Exit(status)
