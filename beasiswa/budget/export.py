"""A what-if or a forecast as files: CSV (UTF-8, comma-separated, money in whole rupiah) and XLSX (money as
whole numbers with a thousands format, so a spreadsheet adds them), and the chart as SVG and PNG. Written into a
temporary folder beside the target and moved in once all are made: a failure leaves no half-written set."""

import csv
import os
import shutil
import tempfile
from pathlib import Path

from beasiswa.budget.tally import Forecast, WhatIf, format_count, percent

WHATIF_HEADER = ["kantor", "jenjang", "perkiraan_klaim", "sekarang_rp", "usulan_rp", "selisih_rp", "selisih_persen"]
FORECAST_HEADER = ["kantor", "jenjang", "klaim_proyeksi", "perkiraan_klaim", "perkiraan_rp"]


class ExportError(OSError):
    """The output folder can't take the files: the message names it."""


def whatif_rows(whatif: WhatIf) -> list[list]:
    rows = [[r.office, r.level_group, format_count(r.expected), r.baseline, r.reform, r.change,
             percent(r.change, r.baseline)] for r in whatif.rows]
    rows.append(["Jumlah", "", format_count(sum((r.expected for r in whatif.rows), 0)), whatif.baseline,
                 whatif.reform, whatif.change, percent(whatif.change, whatif.baseline)])
    return rows


def forecast_rows(forecast: Forecast) -> list[list]:
    rows = [[r.office, r.level_group, r.projected, format_count(r.expected), r.amount] for r in forecast.rows]
    rows.append(["Jumlah", "", forecast.total_projected, format_count(forecast.total_expected), forecast.total_amount])
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list], notes: list[str]) -> None:
    from openpyxl import Workbook  # lazy: openpyxl, only when a file is asked for

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
    for column, width in zip("ABCDEFG", (14, 10, 16, 18, 18, 18, 14)):
        ws.column_dimensions[column].width = width
    about = book.create_sheet("keterangan")
    for line in notes:
        about.append([line])
    book.save(path)


def write_all(out: Path, stem: str, files: dict[str, object]) -> list[Path]:
    """Write `files` (suffix -> text, bytes, or a callable writing to a path) as `out/stem.suffix`, all or
    nothing. Returns the paths written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=out))
    except OSError as exc:
        raise ExportError(f"--out: {out}: folder can't be made or written to ({exc.strerror or exc})") from exc
    written = []
    try:
        for suffix, content in files.items():
            target = temp / f"{stem}.{suffix}"
            if callable(content):
                content(target)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        for suffix in files:
            final = out / f"{stem}.{suffix}"
            os.replace(temp / f"{stem}.{suffix}", final)
            written.append(final)
    except OSError as exc:
        raise ExportError(f"--out: {out}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return written


def whatif_files(whatif: WhatIf, notes: list[str], svg: str, png: bytes) -> dict[str, object]:
    rows = whatif_rows(whatif)
    return {"csv": lambda p: _write_csv(p, WHATIF_HEADER, rows),
            "xlsx": lambda p: _write_xlsx(p, "whatif", WHATIF_HEADER, rows, notes),
            "svg": svg, "png": png}
