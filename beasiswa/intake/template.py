"""The intake sheet's template, as offices download it: the header of every column and two example rows (one
case, two children), in CSV and in XLSX. Both front doors hand out these same bytes (`beasiswa
intake-template`, the web application's Penerimaan berkas); fixtures/intake/template.csv is the CSV, kept equal
by a test.

The XLSX is made reproducible (fixed document dates and zip entry times), so the same version gives the same
bytes wherever it is made. Its text columns are formatted as Text for the rows an office fills in, so a NIK or
a KPJ typed there keeps its digits (a number cell loses leading zeros and a 16-digit NIK its last digit, and
the reader refuses it).
"""

import csv
import datetime as dt
import io
import re
import zipfile

from beasiswa.intake.sheets import COLUMNS

_CASE = {
    "case_id": "KC-PLG-2025-000123", "office": "KC-PLG", "participant_kpj": "12345678901",
    "participant_nik": "1671011507800001", "participant_name": "Budi Santoso", "segment": "PU",
    "contribution_months": "48", "arrears_months": "0", "event_kind": "death", "event_date": "2023-03-14",
}
_DOCUMENTS = "bank_account;birth_certificate;claim_form;enrollment_letter;family_card;report_card"
EXAMPLE_ROWS = (
    {**_CASE, "child_id": "anak-1", "child_nik": "1671015505100003", "child_name": "Siti Aminah",
     "child_birth_date": "2010-05-15", "child_relation": "biological", "child_designated": "ya",
     "claim_id": "klaim-1", "academic_year": "2025/2026", "level": "SMA", "institution": "SMAN 3 Palembang",
     "submitted_on": "2025-07-21", "documents": _DOCUMENTS,
     "account_bank": "BRI", "account_number": "014201012345501", "account_holder": "Siti Aminah"},
    {**_CASE, "child_id": "anak-2", "child_nik": "1671010203120002", "child_name": "Andi Saputra",
     "child_birth_date": "2012-03-02", "child_relation": "biological",
     "claim_id": "klaim-2", "academic_year": "2025/2026", "level": "SMP", "institution": "SMPN 9 Palembang",
     "submitted_on": "2025-07-22", "documents": _DOCUMENTS},
)
FILE_NAMES = {"csv": "templat-penerimaan.csv", "xlsx": "templat-penerimaan.xlsx"}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_NUMBERS = {"contribution_months", "arrears_months"}
_TEXT_ROWS = 1000  # rows formatted as Text below the examples
_FIXED = dt.datetime(2025, 1, 1)


def template_csv() -> bytes:
    """The CSV template (UTF-8, comma-separated, CRLF as the csv module writes), as `write_template` makes it."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in COLUMNS} for row in EXAMPLE_ROWS)
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: one worksheet, the header on row 1, the examples below, text columns as Text."""
    from openpyxl import Workbook  # lazy: openpyxl, loaded only for the XLSX template

    book = Workbook()
    sheet = book.active
    sheet.title = "penerimaan"
    sheet.append(COLUMNS)
    for row in EXAMPLE_ROWS:
        sheet.append([int(row[c]) if c in _NUMBERS and row.get(c) else row.get(c) or None for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column) + 2)
        if column in _NUMBERS:
            continue
        for number in range(2, len(EXAMPLE_ROWS) + 2 + _TEXT_ROWS):
            sheet.cell(row=number, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    book.properties.creator = "beasiswa"
    book.properties.created = book.properties.modified = _FIXED
    raw = io.BytesIO()
    book.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same zip with fixed entry times and document dates (openpyxl stamps both with the moment of saving)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_dates(content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def _fixed_dates(core: bytes) -> bytes:
    stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", core)
