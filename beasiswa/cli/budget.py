"""`beasiswa forecast` and `beasiswa whatif`: next year's scholarships and what a reform would cost, from the
claims the database holds (beasiswa.budget holds the logic; these parse options and print).

Exit status: 0 done; 2 bad input (a year, a reform file the law refuses, an output folder), nothing written.
"""

from pathlib import Path

import typer
from rich.table import Table

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.database import open_database
from beasiswa.cli.options import DB_OPTION
from beasiswa.indonesian import format_rupiah
from beasiswa.law import LawError, default_law
from beasiswa.model import AcademicYear
from beasiswa.terminal import print_table

YEAR_OPTION = typer.Option(..., "--year", metavar="TAHUN", help="Tahun ajaran yang diperkirakan, mis. 2026/2027.")
ASSUMPTIONS = "beasiswa/budget/data/forecast.toml"


def _year(text: str) -> AcademicYear:
    try:
        return AcademicYear.parse(text)
    except ValueError as exc:
        fail(f"--year: {exc}")


def _law():
    try:
        return default_law()
    except LawError as exc:
        fail(f"data hukum: {exc}")


def _rp(amount: int) -> str:
    return format_rupiah(amount).removesuffix(",00")


def _intro(console, title: str, question) -> None:
    previous = AcademicYear(question.year.start_year - 1)
    console.print(f"[bold]{title}[/]", highlight=False)
    console.print(f"Dari {question.cases} kasus terdaftar: setiap anak dengan klaim disetujui {previous}, satu tahun "
                  f"lebih tua, pada jalur umum (asumsi dan alasannya: {ASSUMPTIONS}); diputuskan dengan aturan yang "
                  f"sebenarnya. Perkiraan: jumlah klaim dan rupiah berbobot angka putus sekolah dan tinggal kelas.",
                  highlight=False)


def forecast_command(year: str = YEAR_OPTION, db: str = DB_OPTION) -> None:
    """Perkiraan beasiswa tahun ajaran berikutnya: jumlah dan nilai per kantor dan jenjang, dari basis data."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.budget.service import forecast
    from beasiswa.budget.tally import format_count, month_label

    academic_year, law = _year(year), _law()
    engine = open_database(db)
    question, result = forecast(engine, academic_year, law)
    console = stdout()
    _intro(console, f"Perkiraan beasiswa tahun ajaran {academic_year}", question)
    table = Table(show_edge=False, box=None, header_style="bold")
    for name in ("Kantor", "Jenjang", "Klaim proyeksi", "Perkiraan klaim", "Perkiraan Rp"):
        table.add_column(name, justify="left" if name in ("Kantor", "Jenjang") else "right", no_wrap=True)
    for r in result.rows:
        table.add_row(r.office, r.level_group, str(r.projected), format_count(r.expected), _rp(r.amount))
    table.add_row("Jumlah", "", str(result.total_projected), format_count(result.total_expected),
                  _rp(result.total_amount), style="bold")
    print_table(console, table)
    capped = ", ".join(result.capped_families) or "tidak ada"
    console.print(f"Keluarga yang mencapai batas (keluarga atau per anak): {len(result.capped_families)} ({capped}).",
                  highlight=False)
    if result.refused:
        console.print("Klaim proyeksi yang tidak dibayar menurut aturan: " +
                      ", ".join(f"{code} {n}" for code, n in result.refused.items()) + ".", highlight=False)
    if result.peak_month:
        y, m, amount = result.peak_month
        console.print(f"Puncak bulanan yang diperkirakan: {month_label(y, m)}, {_rp(amount)} (bulan pengajuan tahun "
                      f"ini, setahun kemudian).", highlight=False)


def whatif_command(
    reform_file: Path = typer.Argument(..., metavar="USULAN.toml", help="Berkas usulan: nilai bertanggal dengan "
                                                                        "dasarnya (lihat fixtures/reforms/)."),
    year: str = YEAR_OPTION,
    db: str = DB_OPTION,
    out: Path = typer.Option(None, "--out", metavar="FOLDER", help="Tulis whatif.csv, .xlsx, .svg dan .png ke folder "
                                                                  "ini (semua atau tidak sama sekali)."),
) -> None:
    """Berapa biaya suatu usulan: klaim proyeksi yang sama diputuskan menurut ketentuan sekarang dan usulan."""
    # lazy: SQLAlchemy, altair and openpyxl, which `beasiswa decide` starts without
    from beasiswa.budget.service import whatif
    from beasiswa.budget.tally import format_count, percent
    from beasiswa.law.reform import read_reform

    academic_year, law = _year(year), _law()
    try:
        reform = read_reform(reform_file)
    except LawError as exc:
        fail(f"{reform_file}: {exc}" if str(reform_file.name) not in str(exc) else str(exc))
    engine = open_database(db)
    try:
        question, result = whatif(engine, academic_year, law, reform, reform_file.name)
    except LawError as exc:
        fail(str(exc))
    console = stdout()
    _intro(console, f"Usulan {reform.id}: {reform.title}, tahun ajaran {academic_year}", question)
    console.print(f"Dasar usulan: {reform.citation}", highlight=False)
    table = Table(show_edge=False, box=None, header_style="bold")
    for name in ("Kantor", "Jenjang", "Perkiraan klaim", "Sekarang Rp", "Usulan Rp", "Selisih Rp", "%"):
        table.add_column(name, justify="left" if name in ("Kantor", "Jenjang") else "right", no_wrap=True)
    for r in result.rows:
        table.add_row(r.office, r.level_group, format_count(r.expected), _rp(r.baseline), _rp(r.reform),
                      _rp(r.change), percent(r.change, r.baseline))
    table.add_row("Jumlah", "", format_count(sum((r.expected for r in result.rows), 0)), _rp(result.baseline),
                  _rp(result.reform), _rp(result.change), percent(result.change, result.baseline), style="bold")
    print_table(console, table)
    gains = [e for e in result.changed if e.gains]
    losses = [e for e in result.changed if not e.gains]
    console.print(f"Menjadi berhak karena usulan: {len(gains)} klaim; tidak lagi berhak: {len(losses)} klaim.",
                  highlight=False)
    for e in result.changed[:20]:
        codes = ", ".join(c.value for c in (e.baseline_codes if e.gains else e.reform_codes))
        console.print(f"  {'+' if e.gains else '-'} {e.claim.case_id} {e.claim.child} {e.claim.level.value}: "
                      f"{'sekarang ditolak' if e.gains else 'usulan menolak'} ({codes})", highlight=False)
    if out is not None:
        _export(out, reform, academic_year, result)


def _export(out: Path, reform, year, result) -> None:
    # lazy: altair and vl-convert, only when files are asked for
    from beasiswa.budget.chart import chart_png, chart_svg, whatif_chart
    from beasiswa.budget.export import ExportError, whatif_files, write_all

    chart = whatif_chart(result, f"{reform.title} · perkiraan tahun ajaran {year}")
    notes = [f"Usulan {reform.id}: {reform.title}", f"Dasar: {reform.citation}", f"Tahun ajaran {year}",
             "Rupiah utuh; perkiraan berbobot angka putus sekolah dan tinggal kelas (beasiswa/budget/data/forecast.toml)."]
    try:
        written = write_all(out, "whatif", whatif_files(result, notes, chart_svg(chart), chart_png(chart)))
    except ExportError as exc:
        fail(str(exc))
    stdout().print("Ditulis: " + ", ".join(str(p) for p in written), highlight=False)
