"""The auditors' commands of `beasiswa ledger`: `report`, `entitlement`, `exceptions` and `export`, registered on
the ledger's group in beasiswa.cli.ledger. beasiswa.ledger.report, entitlement, exceptions and export hold the
logic; these parse options and choose where the output goes (a table, CSV to standard output, or a file).

Exit status: 0 done; 1 `report` found a break in the chain or `exceptions` found one; 2 bad input.
"""

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.database import open_database
from beasiswa.cli.options import DB_OPTION
from beasiswa.law import default_law


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


OUT_OPTION = typer.Option(None, "--out", metavar="BERKAS", help="Tulis ke berkas ini (ditulis utuh, lalu diganti "
                                             "namanya); tanpa opsi ini CSV ke keluaran standar.")


def _tabular(fmt: str, out: Path | None, header, rows, sheet: str, extra_sheets=()) -> int:
    """Rows as CSV or XLSX to `out` (atomically), or CSV to standard output. Returns the row count."""
    # lazy: SQLModel, which `beasiswa decide` starts without
    from beasiswa.ledger.export import OutputError, atomic_path, write_csv, write_xlsx

    if out is None:
        return write_csv(sys.stdout, header, rows)
    try:
        with atomic_path(out) as temp:
            if fmt == "xlsx":
                return write_xlsx(temp, sheet, header, rows, extra_sheets)
            with temp.open("w", encoding="utf-8", newline="") as stream:
                return write_csv(stream, header, rows)
    except OutputError as exc:  # e.g. a folder that takes no new file (/proc): nothing was written
        fail(str(exc))
    except OSError as exc:
        fail(f"--out: {str(out)!r} cannot be written: {exc.strerror or exc}")


def _check_out(fmt: str, out: Path | None) -> None:
    from beasiswa.ledger.export import OutputError, check_output  # lazy: SQLModel, as in _tabular

    try:
        if out is not None:
            check_output(out)
        elif fmt == "xlsx":
            raise OutputError("--out: XLSX ditulis ke berkas: berikan --out BERKAS.xlsx")
    except OutputError as exc:
        fail(str(exc))


def report_command(
    by: str = typer.Option("level_group,academic_year,office", "--by",
                           metavar="DIMENSI", help="Kelompokkan menurut level_group (jenjang), academic_year (tahun "
                                "ajaran), office (kantor), dipisah koma; '' untuk seluruh jurnal."),
    period: str = typer.Option("month", "--period",
                               metavar="PERIODE", help="month (bulan) | year (tahun) | all (semua): bulan atau tahun "
                                    "kalender UTC dari posted_at (waktu posting, bukan tahun ajaran), atau satu periode."),
    format: TableFormat = typer.Option(TableFormat.table, "--format",
                                       help="table (untuk dibaca orang), csv atau xlsx."),
    out: Path = OUT_OPTION,
    check: bool = typer.Option(True, "--verify/--no-verify", help="Verifikasi rantai dulu (bawaan) dan laporkan "
                                                                  "entri yang diverifikasi."),
    payments: bool = typer.Option(False, "--payments", help="Juga pembayaran ke rekening: dibukukan, masuk berkas "
                                                             "transfer, berhasil dan dikembalikan bank (tabel)."),
    db: str = DB_OPTION,
) -> None:
    """Jumlah dan total per kelompok jenjang × tahun ajaran × kantor, per periode posting, dengan saldo awal +
    pembayaran − pembatalan = saldo akhir; diakhiri hash ujung untuk disimpan di luar basis data. Status keluar 1
    bila verifikasi menemukan kerusakan (laporan tetap dicetak)."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.ledger import verify
    from beasiswa.ledger.report import (ReportOptionError, build_report, check_period, head_line, journal_head,
                                        parse_dimensions, report_rows)
    from beasiswa.ledger.views import print_report

    try:
        dimensions, period = parse_dimensions(by), check_period(period)
    except ReportOptionError as exc:
        fail(str(exc))
    _check_out(format.value, out)
    engine = open_database(db)
    broken = False
    if check:
        verified = verify(engine)
        broken = not verified.ok
        seq, head_hash = (verified.entries, verified.head_hash) if verified.ok else journal_head(engine)
        status = "verifikasi OK" if verified.ok else f"verifikasi RUSAK: {verified.problems[0]}"
    else:
        (seq, head_hash), status = journal_head(engine), "tidak diverifikasi"
    report = build_report(engine, dimensions, period, seq)
    line = head_line(seq, head_hash, status)
    if format is TableFormat.table:
        print_report(stdout(), report)
        if payments:
            from beasiswa.workflow.payment_report import payment_lines

            print_payments(stdout(), dimensions, period, seq, payment_lines(engine, dimensions, period, seq))
        typer.echo(line)
    else:
        header, rows = report_rows(report)
        count = _tabular(format.value, out, header, rows, "laporan",
                         [("head", [("head_seq", seq), ("head_hash", head_hash), ("status", status)])])
        typer.echo(f"{count} baris ditulis ke {out}; {line}" if out else line, err=out is None)
    if broken:
        raise typer.Exit(1)


def print_payments(console, dimensions, period: str, seq: int, lines) -> None:
    """The payments view as a Rich table: per group and period, count and rupiah posted, in a batch, settled and
    returned."""
    from rich import box
    from rich.table import Table

    from beasiswa.ledger.report import LABELS, PERIOD_SHOWN, PERIOD_TITLES, rupiah

    table = Table(title=f"Pembayaran ke rekening{PERIOD_TITLES[period]}, entri 1–{seq}; jumlah dalam rupiah",
                  title_justify="left", box=box.SIMPLE_HEAD)
    for i, header in enumerate([*(LABELS[name] for name in dimensions), "Periode", "Dibukukan", "(Rp)",
                                "Dalam berkas", "(Rp)", "Berhasil", "(Rp)", "Dikembalikan", "(Rp)"]):
        table.add_column(header, justify="left" if i <= len(dimensions) else "right", no_wrap=True)
    for p in lines:
        table.add_row(*p.key, PERIOD_SHOWN.get(p.period, p.period), str(p.posted), rupiah(p.posted_amount),
                      str(p.batched), rupiah(p.batched_amount), str(p.settled), rupiah(p.settled_amount),
                      str(p.returned), rupiah(p.returned_amount))
    console.print(table, highlight=False, crop=False)
    if not lines:
        console.print("(belum ada pembayaran klaim)", highlight=False)


def entitlement_command(
    case_id: str = typer.Argument(..., metavar="ID_KASUS", help="Kasus yang terdaftar."),
    format: str = typer.Option("table", "--format", metavar="table|json", help="table (untuk dibaca orang) atau json."),
    db: str = DB_OPTION,
) -> None:
    """Per anak tahun yang terpakai per kelompok jenjang (juga tahap TK dan SD), yang dibayar dan sisa terhadap
    batas per anak; per keluarga batasnya, yang dibayar dan sisa: dari jurnal, total berjalannya dan hukum."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.db import database_url, redact
    from beasiswa.ledger.entitlement import UnknownCase, read_entitlement, to_json
    from beasiswa.ledger.views import print_entitlement

    if format not in ("table", "json"):
        fail(f"--format: {format!r} bukan format (table, json)")
    engine = open_database(db)
    try:
        entitlement = read_entitlement(engine, case_id, default_law())
    except UnknownCase as exc:
        fail(f"{exc} ({redact(database_url(db))})")
    if format == "json":
        typer.echo(json.dumps(to_json(entitlement), ensure_ascii=False, indent=2))
    else:
        print_entitlement(stdout(), entitlement)


def exceptions_command(
    format: str = typer.Option("table", "--format", metavar="table|csv", help="table (untuk dibaca orang) atau csv."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Entri yang tetap melanggar aturan (riwayat impor, perusakan): usia 23, menikah, bekerja, sebelum
    peristiwa, jenjang atau jumlah tidak sesuai hukum, tunjangan, batas anak, batas per anak atau keluarga, satu
    rekening pada beberapa keluarga, pembuat = penyetuju, celah nomor urut. Satu baris per temuan; status
    keluar 0 dengan "tidak ada pengecualian", 1 bila ada."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.ledger.exceptions import HEADER, find_exceptions, finding_rows
    from beasiswa.ledger.report import head_line, journal_head
    from beasiswa.ledger.views import print_findings

    if format not in ("table", "csv"):
        fail(f"--format: {format!r} bukan format (table, csv)")
    _check_out(format, out)
    engine = open_database(db)
    seq, head_hash = journal_head(engine)
    found = find_exceptions(engine, default_law(), seq)
    line = head_line(seq, head_hash, f"entri sampai seq {seq} diperiksa")
    if format == "csv":
        count = _tabular("csv", out, HEADER, finding_rows(found), "exceptions")
        typer.echo(f"{count} temuan ditulis ke {out}; {line}" if out else line, err=out is None)
    elif found:
        print_findings(stdout(), found)
        typer.echo(line)
    else:
        typer.echo(f"tidak ada pengecualian; {line}")
    if found:
        raise typer.Exit(1)


def export_command(
    format: FileFormat = typer.Option(FileFormat.csv, "--format", help="csv atau xlsx."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Seluruh jurnal dengan hash dan bita kanoniknya, urut seq (dialirkan). Sel teks yang diawali
    = + - @ tab atau CR diberi awalan ' (injeksi CSV); jumlah tetap angka."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.ledger.export import EXPORT_COLUMNS, journal_rows
    from beasiswa.ledger.report import head_line, journal_head

    _check_out(format.value, out)
    engine = open_database(db)
    seq, head_hash = journal_head(engine)
    count = _tabular(format.value, out, EXPORT_COLUMNS, journal_rows(engine, seq), "journal")
    line = head_line(seq, head_hash, "tidak diverifikasi; jalankan `beasiswa ledger verify`")
    typer.echo(f"{count} entri ditulis ke {out}; {line}" if out else line, err=out is None)
