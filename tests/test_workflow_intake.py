"""Intake of case files and sheets into the workflow: each case taken whole or refused whole naming the row
and field, the other cases going in; a file that can't be read refused whole; nothing partial ever left
behind; the same file again changes nothing; a registered case gains only its new claims."""

import csv
import json

import attrs
import pytest
from openpyxl import Workbook
from sqlalchemy import text

from beasiswa.casefile import case_to_json, dumps
from beasiswa.intake.sheets import COLUMNS, case_rows, write_template
from beasiswa.model import Document, Level
from beasiswa.workflow.intake import take_in_file, take_in_files
from builders import write_xlsx
from ledger_support import write_case
from workflow_support import (
    FIRST_CLAIM_DOCUMENTS,
    audit_rows,
    case,
    child,
    claim,
    count,
    date,
    participant,
    payout,
    ref,
    state_of,
    taken,
    wf_sqlite,  # noqa: F401 - fixture
)

TABLES = ("cases", "children", "claims", "family_totals", "level_usage", "journal", "audit_trail")
AS_ANI = lambda _case: "ani"  # noqa: E731


def snapshot(w) -> dict[str, int]:
    return {table: count(w, table) for table in TABLES}


def two_children(case_id: str):
    return case(case_id=case_id,
                children=[child(), child("anak-2", born=date(2012, 3, 2), female=False)],
                claims=[claim(), claim("klaim-2", child="anak-2", level=Level.SMP,
                                       documents=FIRST_CLAIM_DOCUMENTS - {Document.BANK_ACCOUNT})])


def rows_of(*cases) -> list[dict]:
    return [row for a_case in cases for row in case_rows(case_to_json(a_case))]


def write_csv(path, rows):
    write_template(path, rows)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sheet_registers_its_cases_and_decides_every_claim_with_a_summary(wf_sqlite, tmp_path, suffix):
    rows = rows_of(two_children("KC-PLG-2025-000001"), case(case_id="KC-PLG-2025-000002"))
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"intake{suffix}", rows)
    summary = take_in_file(wf_sqlite, path, AS_ANI)
    assert summary.ok
    assert (summary.cases_taken, summary.claims_taken, summary.cases_refused) == (2, 3, 0)
    assert dict(summary.outcomes) == {"approved": 2, "returned": 1}
    assert count(wf_sqlite, "claims") == 3


def test_a_case_file_with_history_is_registered_with_its_history_in_the_journal(wf_sqlite, tmp_path):
    a_case = case(history=[payout("anak-1", "2023/2024", "SMP")])
    summary = take_in_file(wf_sqlite, write_case(tmp_path / "case.json", a_case), AS_ANI)
    assert (summary.cases_taken, dict(summary.outcomes)) == (1, {"approved": 1})
    assert count(wf_sqlite, "journal") == 1


def test_a_case_with_an_invalid_row_is_refused_whole_naming_row_and_column_and_leaves_nothing(wf_sqlite, tmp_path):
    rows = rows_of(case(case_id="KC-PLG-2025-000001"), two_children("KC-PLG-2025-000002"))
    rows[2]["level"] = "SMU"
    summary = take_in_file(wf_sqlite, write_csv(tmp_path / "intake.csv", rows), AS_ANI)
    assert (summary.cases_taken, summary.cases_refused, summary.claims_refused) == (1, 1, 2)
    [refused] = [line for line in summary.lines if line.result.refusal]
    assert refused.unit.where == "baris 3–4"
    assert refused.result.refusal.message.startswith("baris 4, kolom level: 'SMU' bukan jenjang sekolah")
    with wf_sqlite.engine.connect() as conn:
        assert conn.execute(text("SELECT case_id FROM cases")).scalars().all() == ["KC-PLG-2025-000001"]
        assert conn.execute(text("SELECT COUNT(*) FROM audit_trail WHERE case_id = 'KC-PLG-2025-000002'")).scalar() == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_formula_in_a_cell_refuses_its_case_and_is_never_evaluated(wf_sqlite, tmp_path, suffix):
    rows = rows_of(case(case_id="KC-PLG-2025-000001"))
    rows[0]["contribution_months"] = "=40+8"
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"intake{suffix}", rows)
    summary = take_in_file(wf_sqlite, path, AS_ANI)
    assert summary.cases_refused == 1
    assert "baris 2, kolom contribution_months: '=40+8' adalah rumus" in summary.lines[0].result.refusal.message
    assert count(wf_sqlite, "cases") == 0


def test_a_duplicated_row_refuses_its_case_naming_both_rows(wf_sqlite, tmp_path):
    rows = rows_of(case(case_id="KC-PLG-2025-000001"), case(case_id="KC-PLG-2025-000002"))
    rows.insert(1, dict(rows[0]))
    summary = take_in_file(wf_sqlite, write_csv(tmp_path / "intake.csv", rows), AS_ANI)
    assert (summary.cases_taken, summary.cases_refused) == (1, 1)
    assert summary.lines[0].result.refusal.message == "baris 3, kolom claim_id: 'klaim-1' sudah ada di baris 2"


def test_a_csv_that_is_not_utf8_is_refused_whole_and_nothing_is_taken(wf_sqlite, tmp_path):
    path = tmp_path / "intake.csv"
    with path.open("w", encoding="latin-1", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        row = rows_of(case(case_id="KC-PLG-2025-000001"))[0]
        writer.writerow({**row, "participant_name": "Budi Santoso Pèrez"})
    [summary] = take_in_files(wf_sqlite, [path], AS_ANI)
    assert "bukan teks UTF-8" in summary.error and "CSV UTF-8" in summary.error
    assert snapshot(wf_sqlite)["cases"] == 0


def test_a_case_file_that_is_not_utf8_is_refused_whole(wf_sqlite, tmp_path):
    path = tmp_path / "case.json"
    path.write_bytes(dumps(case_to_json(case(participant=participant(name="Budi Pèrez")))).encode("latin-1"))
    summary = take_in_file(wf_sqlite, path, AS_ANI)
    assert "bukan teks UTF-8" in summary.error
    assert count(wf_sqlite, "cases") == 0


@pytest.mark.parametrize("name, content", [("empty.csv", b""), ("empty.json", b"  \n"), ("header-only.csv", None),
                                           ("empty.xlsx", "xlsx")])
def test_an_empty_file_is_refused_whole_saying_so(wf_sqlite, tmp_path, name, content):
    path = tmp_path / name
    if content is None:
        write_csv(path, [])
    elif content == "xlsx":
        Workbook().save(path)
    else:
        path.write_bytes(content)
    summary = take_in_file(wf_sqlite, path, AS_ANI)
    assert summary.error is not None and ("empty" in summary.error or "no rows" in summary.error)
    assert snapshot(wf_sqlite)["cases"] == 0


def test_a_file_of_another_kind_is_refused_naming_what_is_taken(wf_sqlite, tmp_path):
    path = tmp_path / "intake.txt"
    path.write_text("case_id\n", encoding="utf-8")
    assert "bukan berkas penerimaan (.json berkas kasus, .csv atau .xlsx lembar penerimaan)" in \
        take_in_file(wf_sqlite, path, AS_ANI).error


def test_an_invalid_case_file_is_refused_naming_the_field(wf_sqlite, tmp_path):
    data = case_to_json(case())
    data["claims"][0]["level"] = "SMU"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "claims[0].level: 'SMU' bukan jenjang sekolah" in take_in_file(wf_sqlite, path, AS_ANI).error


def test_taking_in_the_same_files_again_changes_nothing(wf_sqlite, tmp_path):
    sheet = write_csv(tmp_path / "intake.csv", rows_of(two_children("KC-PLG-2025-000001")))
    case_file = write_case(tmp_path / "case.json",
                           case(case_id="KC-PLG-2025-000002", history=[payout("anak-1", "2023/2024", "SMP")]))
    take_in_files(wf_sqlite, [sheet, case_file], AS_ANI)
    before = snapshot(wf_sqlite)
    again = take_in_files(wf_sqlite, [sheet, case_file], AS_ANI)
    assert [(s.cases_taken, s.cases_unchanged, s.claims_taken, s.claims_unchanged) for s in again] == [
        (0, 1, 0, 2), (0, 1, 0, 1)]
    assert snapshot(wf_sqlite) == before


def test_a_case_given_twice_in_one_batch_is_taken_once(wf_sqlite):
    a_case = case()
    results = wf_sqlite.take_in_all([(a_case, "ani"), (a_case, "ani")])
    assert [r.status for r in results] == ["new", "unchanged"]


def test_a_registered_case_gains_a_new_child_and_claim_from_a_later_sheet(wf_sqlite, tmp_path):
    taken(wf_sqlite, case())
    later = case(children=[child("anak-2", born=date(2012, 3, 2), female=False)],
                 claims=[claim("klaim-2", child="anak-2", level=Level.SMP)])
    summary = take_in_file(wf_sqlite, write_csv(tmp_path / "later.csv", rows_of(later)), AS_ANI)
    [line] = summary.lines
    assert (line.result.status, [t.claim_id for t in line.result.taken]) == ("added", ["klaim-2"])
    assert count(wf_sqlite, "level_usage") == 2 * 4
    with wf_sqlite.engine.connect() as conn:
        case_file = json.loads(conn.execute(text("SELECT case_file FROM cases")).scalar_one())
    assert [c["id"] for c in case_file["claims"]] == ["klaim-1", "klaim-2"]
    assert [c["id"] for c in case_file["children"]] == ["anak-1", "anak-2"]


def test_a_file_that_says_otherwise_about_a_registered_case_is_refused_naming_the_field(wf_sqlite):
    taken(wf_sqlite, case())
    other = case(participant=participant(arrears_months=4), claims=[claim("klaim-2", year="2024/2025")])
    result = wf_sqlite.take_in("ani", other)
    assert result.refusal.code == "CASE_DIFFERS"
    assert "participant.arrears_months: '4' berbeda dengan '0'" in result.refusal.message
    assert "beasiswa arrears" in result.refusal.message
    assert count(wf_sqlite, "claims") == 1


def test_the_same_file_again_after_the_arrears_were_recorded_settled_changes_nothing(wf_sqlite):
    withheld = case(participant=participant(arrears_months=4))
    taken(wf_sqlite, withheld)
    assert state_of(wf_sqlite, ref(withheld))["state"] == "pending"
    refusal, [step] = wf_sqlite.settle_arrears("ani", withheld.case_id, months=0)
    assert refusal is None and step.ok
    before = snapshot(wf_sqlite)
    again = wf_sqlite.take_in("ani", withheld)
    assert (again.status, again.refusal) == ("unchanged", None)
    assert snapshot(wf_sqlite) == before


def test_a_file_written_before_the_arrears_were_recorded_adds_its_new_claims_decided_on_the_record(wf_sqlite):
    withheld = case(participant=participant(arrears_months=4))
    taken(wf_sqlite, withheld)
    wf_sqlite.settle_arrears("ani", withheld.case_id, months=0)
    later = attrs.evolve(withheld, claims=[*withheld.claims, claim("klaim-2", year="2024/2025")])
    result = wf_sqlite.take_in("ani", later)
    assert result.status == "added" and [t.claim_id for t in result.taken] == ["klaim-2"]
    assert result.taken[0].outcome != "pending"  # decided on the arrears recorded (0), not the file's 4


def test_an_arrears_value_the_case_never_held_is_still_a_difference_naming_the_field(wf_sqlite):
    withheld = case(participant=participant(arrears_months=4))
    taken(wf_sqlite, withheld)
    wf_sqlite.settle_arrears("ani", withheld.case_id, months=0)
    result = wf_sqlite.take_in("ani", attrs.evolve(withheld, participant=participant(arrears_months=5)))
    assert result.refusal.code == "CASE_DIFFERS"
    assert "participant.arrears_months: '5' berbeda dengan '0'" in result.refusal.message


def test_a_later_claim_under_the_same_id_for_another_year_is_refused(wf_sqlite):
    taken(wf_sqlite, case())
    result = wf_sqlite.take_in("ani", case(claims=[claim(year="2024/2025", level=Level.SMP)]))
    assert result.refusal.code == "CASE_DIFFERS"
    assert "claims[0].academic_year: '2024/2025' berbeda dengan klaim klaim-1" in result.refusal.message


def test_a_case_the_database_refuses_in_a_batch_is_refused_alone_and_the_others_go_in(wf_sqlite):
    with wf_sqlite.engine.begin() as conn:
        conn.execute(text("CREATE TRIGGER refuse_one BEFORE INSERT ON cases WHEN NEW.case_id = 'KC-PLG-2025-000002' "
                          "BEGIN SELECT RAISE(ABORT, 'TEST_REFUSAL: this one is refused'); END"))
    cases = [case(case_id=f"KC-PLG-2025-00000{i}") for i in range(1, 4)]
    results = wf_sqlite.take_in_all([(c, "ani") for c in cases])
    assert [r.status for r in results] == ["new", "refused", "new"]
    assert results[1].refusal.code == "TEST_REFUSAL"
    with wf_sqlite.engine.connect() as conn:
        assert conn.execute(text("SELECT case_id FROM cases ORDER BY case_id")).scalars().all() == [
            "KC-PLG-2025-000001", "KC-PLG-2025-000003"]
        assert conn.execute(text("SELECT COUNT(*) FROM claims WHERE case_id = 'KC-PLG-2025-000002'")).scalar() == 0


def test_a_case_whose_history_breaks_the_ledgers_rules_is_refused_whole(wf_sqlite):
    too_many = case(history=[payout("anak-1", year, "SMA") for year in ("2021/2022", "2022/2023", "2023/2024",
                                                                         "2024/2025")])
    before = snapshot(wf_sqlite)
    result = wf_sqlite.take_in("ani", too_many)
    assert result.refusal.code == "LEVEL_YEARS_EXHAUSTED"
    assert snapshot(wf_sqlite) == {**before, "audit_trail": before["audit_trail"] + 1}  # the refusal's row only
    [row] = audit_rows(wf_sqlite)[before["audit_trail"]:]
    assert (row["asked_as"], row["action"], row["result"], row["refusal_code"]) == (
        "ani", "intake", "refused", "LEVEL_YEARS_EXHAUSTED")


def test_ten_thousand_rows_are_taken_in_and_taking_them_in_again_changes_nothing(wf_sqlite, tmp_path):
    cases = [two_children(f"KC-PLG-2025-{n:06d}") for n in range(5_000)]
    path = write_csv(tmp_path / "big.csv", rows_of(*cases))
    summary = take_in_file(wf_sqlite, path, AS_ANI)
    assert (summary.cases_taken, summary.claims_taken, summary.cases_refused) == (5_000, 10_000, 0)
    assert dict(summary.outcomes) == {"approved": 5_000, "returned": 5_000}
    before = snapshot(wf_sqlite)
    again = take_in_file(wf_sqlite, path, AS_ANI)
    assert (again.cases_unchanged, again.claims_unchanged, again.claims_taken) == (5_000, 10_000, 0)
    assert snapshot(wf_sqlite) == before
    assert state_of(wf_sqlite, ref(cases[-1], "klaim-2"))["state"] == "returned"



def test_the_intake_table_counts_a_registered_case_given_more_claims_apart_from_the_new_cases(wf_sqlite):
    """The demo's contract case, then the KC-PLG sheet that adds a claim to it: the sheet's row for that case
    counts under "tambah", so the new cases add up to the cases the batch holds."""
    from pathlib import Path

    from rich.console import Console

    from beasiswa.workflow.views import print_intake

    root = Path(__file__).resolve().parent.parent
    first = take_in_files(wf_sqlite, [root / "fixtures" / "cases" / "01-contoh-kontrak.json"], AS_ANI)
    again = take_in_files(wf_sqlite, [root / "fixtures" / "intake" / "kc-plg-2025-07.csv"], AS_ANI)
    assert (first[0].cases_new, first[0].cases_added) == (1, 0)
    assert (again[0].cases_new, again[0].cases_added) == (4, 1)
    console = Console(width=160, record=True)
    print_intake(console, first + again)
    total = next(line for line in console.export_text().splitlines() if line.strip().startswith("Jumlah")).split()
    assert total[1:3] == ["5", "1"]
