"""Penerimaan berkas in the browser: an officer or a supervisor uploads a sheet or a case file and reads, case
by case, what was taken, what was already there and what was refused with its row and column; through the
same service as `beasiswa intake`, audited as it is; only their own office's cases; the upload's size checked
before its body is read; the template downloaded is the one the command line writes."""

import csv
import html
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from beasiswa.casefile import case_to_json, dumps
from beasiswa.intake.sheets import COLUMNS, read_sheet
from beasiswa.intake.template import template_csv, template_xlsx
from beasiswa.web.app import MAX_INTAKE_UPLOAD
from builders import case
from web_support import database, make_web, page_token, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import audit_rows, count, sby

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHEET = FIXTURES / "intake" / "kc-plg-2025-07.csv"


def upload(client, name: str, data: bytes, content_type: str = "text/csv"):
    return client.post("/penerimaan", data={"csrf_token": page_token(client)},
                       files={"berkas": (name, data, content_type)})


def rows_of(page: str) -> list[tuple[str, str, str]]:
    """(case, rows, result) of each line of the result table."""
    import re
    return re.findall(r'<td class="id">([^<]+)</td>\s*<td class="where">([^<]+)</td>\s*'
                      r'<td><span class="outcome o-\w+">([^<]+)</span>', page)


def with_a_bad_nik(text: str) -> bytes:
    """The KC-PLG sheet with the child's NIK of its row 4 (header = row 1) cut to 15 digits."""
    lines = list(csv.DictReader(io.StringIO(text)))
    lines[2]["child_nik"] = lines[2]["child_nik"][:15]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue().encode()


def test_an_officer_uploads_the_kc_plg_sheet_and_reads_every_case_taken_with_its_claims(web):
    client = signed_in(web, "ani")
    response = upload(client, SHEET.name, SHEET.read_bytes())
    assert response.status_code == 200, response.text
    cases = {c.case_id: c for c in read_sheet(SHEET)}
    assert [r[0] for r in rows_of(response.text)] == list(cases)
    assert {r[2] for r in rows_of(response.text)} == {"diterima (kasus baru)"}
    assert f"{len(cases)} kasus diterima ({len(cases)} baru, 0 ditambah klaim)" in response.text
    assert count(web.workflow, "claims") == sum(len(c.case.claims) for c in cases.values())


def test_the_same_sheet_again_changes_nothing_and_says_so_case_by_case(web):
    client = signed_in(web, "ani")
    upload(client, SHEET.name, SHEET.read_bytes())
    claims = count(web.workflow, "claims")
    again = upload(client, SHEET.name, SHEET.read_bytes())
    assert {r[2] for r in rows_of(again.text)} == {"tetap (sudah terdaftar)"}
    assert count(web.workflow, "claims") == claims


def test_a_refused_case_names_its_row_and_column_and_the_other_cases_go_in(web):
    client = signed_in(web, "ani")
    response = upload(client, "kc-plg-salah.csv", with_a_bad_nik(SHEET.read_text()))
    assert response.status_code == 200
    lines = rows_of(response.text)
    refused = [line for line in lines if line[2] == "tidak diterima"]
    assert refused == [("KC-PLG-2025-000201", "baris 3–4", "tidak diterima")]
    assert "<code>INVALID_ROWS</code>" in response.text and "baris 4, kolom child_nik" in response.text
    assert [line for line in lines if line[2] != "tidak diterima"] and count(web.workflow, "cases") == len(lines) - 1


def test_the_intake_is_audited_as_the_command_lines_with_the_uploads_name_as_its_source(web):
    upload(signed_in(web, "ani"), "juli.csv", SHEET.read_bytes())
    rows = [r for r in audit_rows(web.workflow) if r["action"] == "intake"]
    assert rows and {(r["actor"], r["note"], r["result"]) for r in rows} == {("ani", "juli.csv", "done")}


def test_an_officer_of_kc_sby_cannot_take_in_a_kc_plg_case_and_the_refusal_is_audited(web):
    response = upload(signed_in(web, "eko"), SHEET.name, SHEET.read_bytes())
    assert response.status_code == 200
    assert {r[2] for r in rows_of(response.text)} == {"tidak diterima"}
    assert "<code>OFFICE</code>" in response.text and "milik kantor KC-PLG" in response.text
    assert count(web.workflow, "cases") == 0
    refused = [r for r in audit_rows(web.workflow) if r["action"] == "intake"]
    assert refused and {(r["actor"], r["result"], r["refusal_code"]) for r in refused} == {("eko", "refused", "OFFICE")}


def test_an_xlsx_sheet_is_taken_as_the_csv_is(web):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = upload(signed_in(web, "budi"), "templat.xlsx", template_xlsx(), xlsx)
    assert rows_of(response.text) == [("KC-PLG-2025-000123", "baris 2–3", "diterima (kasus baru)")]
    assert count(web.workflow, "claims") == 2


def test_a_case_file_in_json_is_taken_as_one_case(web):
    data = dumps(case_to_json(sby(case()))).encode()
    response = upload(signed_in(web, "fajar"), "kasus.json", data, "application/json")
    assert rows_of(response.text) == [("KC-SBY-2025-000123", "-", "diterima (kasus baru)")]


def test_a_file_that_is_not_a_sheet_is_refused_whole_naming_it_and_nothing_is_taken(web):
    response = upload(signed_in(web, "ani"), "kosong.csv", b"case_id,office\n")
    assert response.status_code == 400
    assert "Berkas tidak diterima: kosong.csv: header: kolom tidak ada" in response.text
    assert "beasiswa-upload" not in response.text and count(web.workflow, "cases") == 0


@pytest.mark.parametrize("name", ["surat.pdf", "lembar"])
def test_a_file_of_another_kind_is_refused_naming_it(web, name):
    response = upload(signed_in(web, "ani"), name, b"%PDF-1.4")
    assert response.status_code == 415
    assert f"Berkas: {name!r} bukan lembar penerimaan (.csv, .xlsx) atau berkas kasus (.json)." in \
        html.unescape(response.text)


def test_an_upload_without_a_file_is_refused_naming_the_field(web):
    client = signed_in(web, "ani")
    response = client.post("/penerimaan", data={"csrf_token": page_token(client)})
    assert response.status_code == 400 and "Berkas: tidak ada berkas yang diunggah" in response.text


def test_a_folder_in_the_uploads_name_is_dropped(web):
    upload(signed_in(web, "ani"), "C:\\Users\\ani\\juli.csv", SHEET.read_bytes())
    assert {r["note"] for r in audit_rows(web.workflow) if r["action"] == "intake"} == {"juli.csv"}


# ------------------------------------------------------------------------------------------- the size limit
def test_the_default_limit_is_twenty_megabytes():
    assert MAX_INTAKE_UPLOAD == 20 * 1024 * 1024


def test_an_upload_larger_than_the_limit_is_refused_by_its_length_before_its_body_is_read(signing):
    web = make_web(signing, upload_limit=4096)
    client = signed_in(web, "ani")
    token = page_token(client)
    response = client.post("/penerimaan", data={"csrf_token": token},
                           files={"berkas": ("besar.csv", b"x" * 5000, "text/csv")})
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.text
    assert "lebih besar dari batas 4 KB untuk satu unggahan" in response.text
    assert response.headers["content-security-policy"]
    assert count(web.workflow, "cases") == 0


def test_an_upload_without_a_length_is_stopped_when_it_passes_the_limit(signing):
    web = make_web(signing, upload_limit=4096)
    client = signed_in(web, "ani")
    token = page_token(client)
    boundary = "batas"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"besar.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"x" * 10_000 + f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]
    response = client.post("/penerimaan", content=chunks(),
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413 and "Berkas terlalu besar" in response.text


def test_an_upload_within_the_limit_goes_through(signing):
    web = make_web(signing, upload_limit=SHEET.stat().st_size + 1024)
    assert upload(signed_in(web, "ani"), SHEET.name, SHEET.read_bytes()).status_code == 200


# ------------------------------------------------------------------------------------------- the template
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_downloaded_is_the_one_the_command_line_writes(web, tmp_path, kind):
    from beasiswa.cli import app

    response = signed_in(web, "ani").get(f"/penerimaan/templat.{kind}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="templat-penerimaan.{kind}"'
    target = tmp_path / f"templat.{kind}"
    result = CliRunner().invoke(app, ["intake-template", str(target)])
    assert result.exit_code == 0, result.output
    assert response.content == target.read_bytes() == (template_csv() if kind == "csv" else template_xlsx())


def test_the_csv_template_is_the_fixture_and_both_templates_read_as_one_case_of_two_claims(tmp_path):
    assert template_csv() == (FIXTURES / "intake" / "template.csv").read_bytes()
    for kind, data in (("csv", template_csv()), ("xlsx", template_xlsx())):
        path = tmp_path / f"t.{kind}"
        path.write_bytes(data)
        [only] = read_sheet(path)
        assert only.errors == () and len(only.case.claims) == 2


def test_the_command_line_refuses_a_template_of_another_kind_naming_it(tmp_path):
    from beasiswa.cli import app

    result = CliRunner().invoke(app, ["intake-template", str(tmp_path / "t.pdf")])
    assert result.exit_code == 2 and "harus berakhiran .csv atau .xlsx" in result.output


def test_the_page_offers_the_form_with_its_label_and_both_templates(web):
    page = signed_in(web, "budi").get("/penerimaan").text
    assert '<label for="berkas">' in page and 'enctype="multipart/form-data"' in page
    assert 'href="/penerimaan/templat.xlsx"' in page and 'href="/penerimaan/templat.csv"' in page
    assert "Hanya kasus kantor KC-PLG" in page
