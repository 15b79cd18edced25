"""`beasiswa payments …`: an office's bank transfer files. `export` writes the office's posted payouts not yet
sent, one file per payee bank (ISO 20022 pain.001 or the bank's CSV layout), recorded with their SHA-256;
`batches` and `show` list them; `verify` recomputes every stored file's SHA-256 (and checks files handed in).
Each as a signed-in user (`--as`), through the workflow's service (role, office, the audit trail).

Exit status: 0 done; 1 refused (role, office, an unknown user) or `verify` found a mismatch (the batch named);
2 bad input (an office, a bank, a date, an output folder), nothing written; 3 the database stayed busy.
"""

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from beasiswa.access.roles import check_office
from beasiswa.cli.console import fail, stdout
from beasiswa.cli.identity import acting_one
from beasiswa.cli.options import AS_OPTION, DB_OPTION
from beasiswa.cli.service import refusable, workflow
from beasiswa.indonesian import TRANSFER_STATUS_NAMES, format_date, format_rupiah
from beasiswa.office_time import format_moment, office_zone
from beasiswa.payments.batch import bank_label
from beasiswa.terminal import print_table

payments_app = typer.Typer(no_args_is_help=True, help="Pembayaran ke rekening: berkas transfer bank (pain.001 atau "
                                                       "CSV bank), daftar kelompoknya dan pemeriksaan hash-nya.")

BAD_INPUT = ("UNKNOWN_BANK", "VALUE_DATE")


def office_option(text: str) -> str:
    """An --office given (KC-PLG), checked; bad input names the option and the value."""
    try:
        return check_office(text.strip().upper())
    except ValueError as exc:
        fail(f"--office: {exc}")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} bukan tanggal (TTTT-BB-HH, mis. 2025-08-04)")


def _out(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: {str(path)!r} tidak dapat dibuat ({exc.strerror})")
    if not path.is_dir():
        fail(f"--out: {str(path)!r} bukan folder")
    return path


def _batches_table(rows, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, box=None, header_style="bold")
    for name in ("Kelompok", "Bank", "Format", "Transfer", "Jumlah", "Dikirim", "Berhasil", "Kembali", "SHA-256"):
        table.add_column(name, justify="right" if name in ("Transfer", "Jumlah", "Dikirim", "Berhasil", "Kembali")
                         else "left", no_wrap=True)
    for r in rows:
        table.add_row(r.batch_id, bank_label(r.bank), r.file_format, str(r.count), format_rupiah(int(r.total)),
                      str(r.exported), str(r.settled), str(r.returned), r.sha256[:16] + "…")
    return table


@payments_app.command("export")
def export_command(
    office: str = typer.Option(..., "--office", metavar="KANTOR", help="Kantor yang membayar, mis. KC-PLG."),
    bank: str = typer.Option(None, "--bank", metavar="BANK",
                             help="Hanya pembayaran ke bank ini (sandi bank atau nama, mis. 014 atau BCA)."),
    value_date: str = typer.Option(None, "--value-date", metavar="TANGGAL",
                                   help="Tanggal efektif transfer (TTTT-BB-HH; bawaan: hari kelompok)."),
    day: str = typer.Option(None, "--date", metavar="TANGGAL",
                            help="Hari kantor kelompok, yang memberi nomornya (TTTT-BB-HH; bawaan: hari ini di kantor "
                                 "itu), mis. untuk contoh yang diulang pada tanggalnya sendiri."),
    out: Path = typer.Option(Path("transfer"), "--out", metavar="FOLDER", help="Folder berkas transfer."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menulis berkas transfer bank untuk pembayaran kantor yang sudah dibukukan dan belum dikirim: satu kelompok
    per bank penerima, bernomor per kantor per hari (TRF/KANTOR/TTTTBBHH/001), isinya dan SHA-256-nya dicatat;
    tercatat di jejak audit. Ekspor ulang tanpa pembayaran baru menulis berkas yang sama dari catatan."""
    office = office_option(office)
    when = _date(value_date, "--value-date")
    folder = _out(out)
    today = _date(day, "--date") or dt.datetime.now(office_zone(office)).date()  # the office's day, at the edge
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments export")
    done = refusable(lambda: w.export_transfers(as_, office, today, bank=bank, value_date=when),
                     bad_input=BAD_INPUT)
    for row in done.batches:
        (folder / row.file_name).write_bytes(bytes(row.content))
    console = stdout()
    if done.new:
        console.print(f"{len(done.new)} kelompok transfer baru kantor {office} ({format_date(today)}).")
    else:
        console.print(f"Tidak ada pembayaran baru untuk dikirim kantor {office}; berkas hari ini ditulis ulang "
                      f"dari catatan." if done.batches else f"Tidak ada pembayaran baru untuk dikirim kantor {office}.")
    if done.batches:
        print_table(console, _batches_table(done.batches, f"Berkas di {folder}"))
    if done.skipped:
        table = Table(title="Tidak diekspor (perbaiki rekening klaimnya)", title_justify="left", show_edge=False,
                      box=None, header_style="bold")
        for name in ("Seq", "Klaim", "Jumlah", "Alasan"):
            table.add_column(name, justify="right" if name in ("Seq", "Jumlah") else "left")
        for s in done.skipped:
            table.add_row(str(s.payout_seq), f"{s.case_id}/{s.claim_id}", format_rupiah(s.amount), s.reason)
        print_table(console, table)


@payments_app.command("batches")
def batches_command(
    office: str = typer.Option(None, "--office", metavar="KANTOR",
                               help="Kantor (auditor: bawaan semua kantor; petugas dan pengawas: kantornya)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Daftar kelompok transfer: jumlah, total, hash, dan status transfernya (dikirim, berhasil, dikembalikan)."""
    asked = office_option(office) if office else None
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments batches")
    rows = refusable(lambda: w.transfer_batches(as_, asked))
    console = stdout()
    if not rows:
        console.print("Belum ada kelompok transfer.")
        return
    print_table(console, _batches_table(rows, f"{len(rows)} kelompok transfer"))


@payments_app.command("show")
def show_command(
    batch: str = typer.Argument(..., metavar="KELOMPOK", help="Nomor kelompok, mis. TRF/KC-PLG/20250804/001."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Satu kelompok transfer dan transfernya (nomor rekening utuh untuk petugas dan pengawas kantornya)."""
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments show")
    row, transfers, _whole = refusable(lambda: w.transfer_batch(as_, batch.strip()))
    console = stdout()
    console.print(f"{row.batch_id}: bank {bank_label(row.bank)}, {row.file_format}, berkas {row.file_name}",
                  highlight=False)
    console.print(f"tanggal efektif {format_date(row.value_date)}; dibuat {format_moment(row.created_at, row.office)}"
                  f" oleh {row.created_by}; {row.count} transfer, {format_rupiah(int(row.total))}", highlight=False)
    console.print(f"SHA-256 {row.sha256}", highlight=False)
    table = Table(show_edge=False, box=None, header_style="bold")
    for name in ("End-to-end", "Klaim", "Pemilik rekening", "Rekening", "Jumlah", "Status"):
        table.add_column(name, justify="right" if name == "Jumlah" else "left", no_wrap=name != "Pemilik rekening")
    for t in transfers:
        table.add_row(t.end_to_end_id, f"{t.case_id}/{t.claim_id}", t.account_holder,
                      t.account_number, format_rupiah(int(t.amount)),
                      TRANSFER_STATUS_NAMES.get(t.status, t.status))
    print_table(console, table)


@payments_app.command("verify")
def verify_command(
    files: list[Path] = typer.Option(None, "--file", metavar="BERKAS",
                                     help="Berkas transfer (mis. salinan yang diunggah ke bank) yang dicocokkan "
                                          "dengan kelompok bernama sama; boleh berulang."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menghitung ulang SHA-256 setiap berkas transfer yang tersimpan dan mencocokkannya dengan yang dicatat saat
    ekspor (juga jumlah dan totalnya); status keluar 1 menyebut kelompok yang tidak cocok."""
    given = []
    for path in files or []:
        try:
            given.append((str(path), path.read_bytes()))
        except OSError as exc:
            fail(f"--file: {str(path)!r} tidak dapat dibaca ({exc.strerror})")
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments verify")
    checked, found = refusable(lambda: w.verify_transfers(as_, given))
    console = stdout()
    for f in found:
        console.print(f"TIDAK COCOK {f.batch_id}: {f.message}", highlight=False, soft_wrap=True)
    if found:
        raise typer.Exit(1)
    console.print(f"COCOK: {checked} kelompok transfer" + (f", {len(given)} berkas" if given else ""))
