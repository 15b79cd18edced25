"""Intake sheets: one row per claim in CSV or XLSX, each case taken whole or refused whole, every error
naming the row and the column as the office sees them."""

import copy
import csv
import datetime as dt

import pytest

from beasiswa.casefile import case_to_json, parse_case
from beasiswa.intake.sheets import COLUMNS, SheetError, case_rows, read_sheet, write_template
from builders import write_xlsx

CASE = {
    "format": "beasiswa-case/1", "case_id": "KC-PLG-2025-000123", "office": "KC-PLG",
    "participant": {"kpj": "12345678901", "nik": "1671011507800001", "name": "Budi Santoso", "segment": "PU",
                    "contribution_months": 48, "arrears_months": 0},
    "event": {"kind": "death", "date": "2023-03-14"},
    "children": [
        {"id": "anak-1", "nik": "1671015505100003", "name": "Siti Aminah", "birth_date": "2010-05-15",
         "relation": "biological", "married_on": None, "employed_on": None, "designated": True},
        {"id": "anak-2", "nik": "1671010203120002", "name": "Andi Saputra", "birth_date": "2012-03-02",
         "relation": "biological", "married_on": None, "employed_on": None, "designated": None},
    ],
    "history": [],
    "claims": [
        {"id": "klaim-1", "child": "anak-1", "academic_year": "2025/2026", "level": "SMA",
         "institution": "SMAN 3 Palembang", "submitted_on": "2025-07-21",
         "documents": ["bank_account", "birth_certificate", "claim_form", "enrollment_letter", "family_card",
                       "report_card"]},
        {"id": "klaim-2", "child": "anak-2", "academic_year": "2025/2026", "level": "SMP",
         "institution": "SMPN 9 Palembang", "submitted_on": "2025-07-22",
         "documents": ["bank_account", "birth_certificate", "claim_form", "enrollment_letter", "family_card",
                       "report_card"]},
    ],
}


def other_case(case_id="KC-PLG-2025-000124"):
    case = copy.deepcopy(CASE)
    case["case_id"] = case_id
    return case


def taken(sheet_cases):
    return {c.case_id: c for c in sheet_cases}


def test_a_csv_sheet_gives_the_same_case_as_its_case_file(tmp_path):
    path = tmp_path / "intake.csv"
    write_template(path, case_rows(CASE))
    [sheet_case] = read_sheet(path)
    assert sheet_case.errors == ()
    assert sheet_case.rows == (2, 3)
    assert case_to_json(sheet_case.case) == case_to_json(parse_case(CASE))


def test_a_semicolon_separated_csv_as_excel_writes_it_in_indonesia_is_read_too(tmp_path):
    path = tmp_path / "intake.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(case_rows(CASE))
    [sheet_case] = read_sheet(path)
    assert sheet_case.case is not None, sheet_case.errors


def test_an_xlsx_sheet_with_real_date_cells_and_whole_numbers_is_read(tmp_path):
    rows = case_rows(CASE)
    for row in rows:
        row["submitted_on"] = dt.datetime.fromisoformat(row["submitted_on"])
        row["event_date"] = dt.date.fromisoformat(row["event_date"])
        row["contribution_months"] = 48.0
    [sheet_case] = read_sheet(write_xlsx(tmp_path / "intake.xlsx", rows))
    assert case_to_json(sheet_case.case) == case_to_json(parse_case(CASE))


def test_a_case_with_an_invalid_row_is_refused_whole_while_the_other_cases_go_in(tmp_path):
    rows = case_rows(CASE) + case_rows(other_case())
    rows[3]["level"] = "SMU"
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    cases = taken(read_sheet(path))
    assert cases["KC-PLG-2025-000123"].case is not None
    refused = cases["KC-PLG-2025-000124"]
    assert refused.case is None
    assert refused.errors == ("baris 5, kolom level: 'SMU' bukan jenjang sekolah (TK, PAUD, SD, MI, SMP, MTS, SMA, "
                              "SMK, MA, PT, D1, D2, D3, D4, S1, PELATIHAN, S2, S3)",)


def test_rows_of_one_case_that_disagree_on_the_participant_refuse_the_case(tmp_path):
    rows = case_rows(CASE)
    rows[1]["participant_name"] = "Budi S."
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    [refused] = read_sheet(path)
    assert refused.case is None
    assert refused.errors == ("baris 3, kolom participant_name: 'Budi S.' berbeda dari 'Budi Santoso' di baris 2 "
                              "untuk kasus yang sama",)


def test_a_claim_id_given_twice_in_one_case_is_refused_naming_both_rows(tmp_path):
    rows = case_rows(CASE)
    rows.append(dict(rows[0]))
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    [refused] = read_sheet(path)
    assert refused.errors == ("baris 4, kolom claim_id: 'klaim-1' sudah ada di baris 2",)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_formula_in_a_cell_is_refused_never_evaluated(tmp_path, suffix):
    rows = case_rows(CASE)
    rows[0]["contribution_months"] = "=40+8"
    path = tmp_path / f"intake{suffix}"
    write_template(path, rows) if suffix == ".csv" else write_xlsx(path, rows)
    [refused] = read_sheet(path)
    assert "baris 2, kolom contribution_months: '=40+8' adalah rumus, isikan nilainya sendiri" in refused.errors


def test_a_nik_typed_as_a_number_is_refused_because_it_may_have_lost_digits(tmp_path):
    rows = case_rows(CASE)
    rows[0]["child_nik"] = 1671015505100003
    [refused] = read_sheet(write_xlsx(tmp_path / "intake.xlsx", rows))
    assert refused.errors[0].startswith("baris 2, kolom child_nik: 1671015505100003 adalah angka")


def test_an_invalid_nik_is_named_by_row_and_column(tmp_path):
    rows = case_rows(CASE)
    rows[1]["child_nik"] = "9971010203120002"
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    [refused] = read_sheet(path)
    assert refused.errors == ("baris 3, kolom child_nik: '9971010203120002' bukan NIK: kode provinsi 99 "
                              "tidak ada",)


def test_a_csv_that_is_not_utf8_is_refused_whole_with_how_to_save_it(tmp_path):
    path = tmp_path / "intake.csv"
    path.write_bytes(",".join(COLUMNS).encode() + "\nKC-PLG-1,Pal\xe9mbang\n".encode("latin-1"))
    with pytest.raises(SheetError, match=r"bukan teks UTF-8 \(byte \d+\), simpan lembar sebagai 'CSV UTF-8'"):
        read_sheet(path)


@pytest.mark.parametrize("content, message", [
    (b"", "berkasnya kosong"),
    (b"  \n", "berkasnya kosong"),
    (",".join(COLUMNS).encode() + b"\n", "tidak ada baris di bawah header"),
    (b"case_id,office\nKC-1,KC-PLG\n", "header: kolom tidak ada participant_kpj"),
    (",".join(COLUMNS + ["bonus"]).encode() + b"\n", "kolom tidak dikenal 'bonus'"),
])
def test_a_csv_that_is_not_an_intake_sheet_is_refused_whole(tmp_path, content, message):
    path = tmp_path / "intake.csv"
    path.write_bytes(content)
    with pytest.raises(SheetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_sheet(path)


def test_a_damaged_workbook_and_an_unknown_file_type_are_refused(tmp_path):
    (tmp_path / "intake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SheetError, match="bukan workbook XLSX yang dapat dibaca"):
        read_sheet(tmp_path / "intake.xlsx")
    (tmp_path / "intake.ods").write_bytes(b"")
    with pytest.raises(SheetError, match="'.ods' bukan lembar intake"):
        read_sheet(tmp_path / "intake.ods")


def test_a_sheet_of_ten_thousand_rows_is_read_whole(tmp_path):
    rows = []
    for n in range(5000):
        rows += case_rows(other_case(f"KC-PLG-2025-{n:06d}"))
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    cases = read_sheet(path)
    assert len(cases) == 5000
    assert sum(len(c.case.claims) for c in cases) == 10_000
    assert all(c.errors == () for c in cases)


def test_the_template_in_fixtures_has_exactly_the_columns_read():
    from pathlib import Path

    template = Path(__file__).parent.parent / "fixtures" / "intake" / "template.csv"
    with template.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == COLUMNS
    assert all(c.errors == () for c in read_sheet(template))


@pytest.mark.parametrize("bad_row", [0, 1])
def test_a_bad_date_in_one_row_of_a_case_is_named_in_its_own_row_not_as_a_difference(tmp_path, bad_row):
    rows = case_rows(CASE)
    assert len(rows) == 2
    rows[bad_row]["event_date"] = "2024-13-45"
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    [refused] = read_sheet(path)
    assert refused.case is None
    assert refused.errors == (f"baris {bad_row + 2}, kolom event_date: '2024-13-45' bukan tanggal (YYYY-MM-DD)",)
