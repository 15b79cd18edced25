"""Jurnal in the web application: the report by level group and office per posting period with its chart, the
exceptions, verify with the heads kept outside the database (audited), and the journal to download as the CSV
or XLSX `beasiswa ledger export` writes; auditors read every office, supervisors their own, on the server.
On a journal of payouts and a reversal in two offices (each dialect)."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from audit_support import behind_the_back
from beasiswa.audit.anchors import read_heads
from beasiswa.db import make_engine
from beasiswa.db.user_tables import audit_trail
from beasiswa.ledger import Ledger
from beasiswa.ledger.exceptions import Finding, of_office
from beasiswa.ledger.export import EXPORT_COLUMNS
from beasiswa.model import Code, JournalCode
from beasiswa.web.charts import bar_chart
from ledger_support import APPROVER, LAW, MAKER
from letters_support import register_claims
from web_support import database, page_token, signed_in, signing, web  # noqa: F401 - fixtures


@pytest.fixture
def journal(web, database):
    """Two KC-PLG SMA payouts (Rp3.000.000 each), one of them reversed, and one KC-SBY payout: seq 1-4."""
    plg = register_claims(database, 2, 1, office="KC-PLG")
    sby = register_claims(database, 1, 1, office="KC-SBY")
    ledger = Ledger(make_engine(database), LAW)
    try:
        paid = [ledger.pay(k.case_id, k.claim_id, maker=MAKER, approver=APPROVER).entry for k in (*plg, *sby)]
        ledger.reverse(paid[0].seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    finally:
        ledger.engine.dispose()
    return database


def verifications(web) -> list:
    with web.workflow.engine.connect() as conn:
        return conn.execute(select(audit_trail).where(audit_trail.c.action == "ledger.verify")
                            .order_by(audit_trail.c.seq)).all()


def test_an_auditor_reads_the_report_by_level_group_and_office_with_its_totals_in_rupiah(web, journal):
    page = signed_in(web, "gita").get("/jurnal", params={"periode": "semua"})
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "KC-PLG" in text and "KC-SBY" in text
    # KC-PLG: two payouts, one reversed; KC-SBY: one payout; the whole journal's line.
    assert ('<td class="num">Rp0,00</td><td class="num">2</td> <td class="num">Rp6.000.000,00</td>'
            '<td class="num">1</td> <td class="num">Rp3.000.000,00</td><td class="num">Rp3.000.000,00</td>') in text
    assert "Jumlah seluruh jurnal" in text and ">Rp6.000.000,00</td></tr>" in text.replace(" </tr>", "</tr>")
    assert "seq 4" in text


def test_the_chart_is_drawn_on_the_server_as_inline_svg_with_no_script_or_inline_style(web, journal):
    page = signed_in(web, "gita").get("/jurnal").text
    assert '<svg class="chart" role="img" aria-label="Pembayaran bersih menurut kantor' in page
    assert "<script>" not in page and "<script " not in page.replace('<script src="/static/htmx.min.js"', "")
    assert "style=" not in page and "<style" not in page


def test_a_supervisor_reads_the_journal_of_his_office_whatever_the_address_asks(web, journal):
    page = signed_in(web, "budi").get("/jurnal", params={"kantor": "KC-SBY", "periode": "tahun"}).text
    assert "Jurnal pembayaran · KC-PLG" in page and "KC-SBY" not in page
    assert 'id="kantor"' not in page


def test_an_officer_may_not_open_the_journal(web, journal):
    assert signed_in(web, "ani").get("/jurnal").status_code == 403


def test_an_empty_journal_says_so(web):
    page = signed_in(web, "gita").get("/jurnal").text
    assert "masih kosong" in page and "<svg" not in page


def test_verify_without_anchors_says_ok_with_the_head_and_is_audited(web, journal):
    auditor = signed_in(web, "gita")
    response = auditor.post("/jurnal/verifikasi", data={"csrf_token": page_token(auditor), "jangkar": ""})
    assert response.status_code == 200
    heads = read_heads(web.workflow.engine)
    assert "<h2>OK</h2>" in response.text and f"Rantai utuh: 4 entri, hash ujung" in response.text
    assert heads.journal[1] in response.text
    [row] = verifications(web)
    assert row.actor == "gita" and row.result == "done" and row.after["ok"] is True and row.after["entries"] == 4
    assert row.note.startswith("verifikasi jurnal: OK; 4 entri")


def test_verify_checks_the_anchored_heads_pasted_as_an_anchor_line_or_seq_hash(web, journal):
    supervisor = signed_in(web, "budi")
    heads = read_heads(web.workflow.engine)
    pasted = f"# kept by the auditor\n{heads.line('2025-08-27T08:00:00.000000Z')}\n\n{heads.journal[0]}:{heads.journal[1]}"
    response = supervisor.post("/jurnal/verifikasi", data={"csrf_token": page_token(supervisor), "jangkar": pasted})
    assert response.status_code == 200
    assert "<h2>OK</h2>" in response.text and "Jangkar: OK, 4 ujung tercatat masih ada" in response.text
    [row] = verifications(web)
    assert row.actor == "budi" and row.after["anchors"] == 4 and row.after["anchors_lost"] == 0


def test_an_anchor_no_longer_in_the_chain_makes_the_verdict_broken(web, journal):
    auditor = signed_in(web, "gita")
    response = auditor.post("/jurnal/verifikasi", data={"csrf_token": page_token(auditor),
                                                        "jangkar": f"9:{'a' * 64}\n2:{'b' * 64}"})
    assert "<h2>RUSAK</h2>" in response.text and "Jangkar: 2 temuan dari 2" in response.text
    assert "jurnal: entri seq 9 dari jangkar baris 1 tidak ada lagi" in response.text
    assert verifications(web)[0].after["anchors_lost"] == 2


def test_a_broken_chain_is_told_with_its_seq_the_details_to_the_auditor_only(web, journal):
    behind_the_back(journal, "UPDATE journal SET amount = 2000000 WHERE seq = 3", drop=(("journal", "journal_no_update"),))
    for who, details in (("gita", True), ("budi", False)):
        client = signed_in(web, who)
        response = client.post("/jurnal/verifikasi", data={"csrf_token": page_token(client), "jangkar": ""})
        assert "<h2>RUSAK</h2>" in response.text and "Rantai rusak pada seq 3" in response.text
        assert ("seq 3: amount" in response.text) is details
    assert [r.after["broken_seq"] for r in verifications(web)] == [3, 3]


def test_an_anchor_that_cannot_be_read_is_refused_naming_the_line_and_nothing_is_audited(web, journal):
    auditor = signed_in(web, "gita")
    response = auditor.post("/jurnal/verifikasi", data={"csrf_token": page_token(auditor),
                                                        "jangkar": "\n12:bukan-hash"})
    assert response.status_code == 400
    assert "Jangkar: baris 2: &#39;12:bukan-hash&#39; bukan SEQ:HASH" in response.text
    assert verifications(web) == []


def test_verify_without_the_csrf_token_is_refused_and_not_audited(web, journal):
    response = signed_in(web, "gita").post("/jurnal/verifikasi", data={"jangkar": ""})
    assert response.status_code == 403 and "CSRF" in response.text
    assert verifications(web) == []


def test_the_exceptions_load_after_the_page_as_a_part_or_open_as_a_page(web, journal):
    auditor = signed_in(web, "gita")
    assert 'hx-get="/jurnal/pengecualian" hx-trigger="load"' in auditor.get("/jurnal").text
    part = auditor.get("/jurnal/pengecualian", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "Tidak ada pengecualian di entri 1–4" in part.text and "<html" not in part.text
    whole = auditor.get("/jurnal/pengecualian")
    assert "<html" in whole.text and "Tidak ada pengecualian" in whole.text


def test_a_supervisor_is_shown_the_findings_of_his_offices_cases_and_of_the_journal_as_a_whole(web, journal):
    found = [Finding(1, Code.AGE_LIMIT, "KC-PLG-2025-000001", "anak-1", "2025/2026", "", {}),
             Finding(3, Code.AGE_LIMIT, "KC-SBY-2025-000001", "anak-1", "2025/2026", "", {}),
             Finding(5, JournalCode.SEQUENCE_GAP, None, None, None, "", {})]
    assert [f.seq for f in of_office(web.workflow.engine, found, "KC-PLG")] == [1, 5]
    assert [f.seq for f in of_office(web.workflow.engine, found, "KC-SBY")] == [3, 5]


def test_the_journal_downloads_as_the_csv_the_export_command_writes_a_supervisor_his_offices(web, journal):
    response = signed_in(web, "gita").get("/jurnal/ekspor", params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="jurnal-seq4.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == EXPORT_COLUMNS and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    own = signed_in(web, "budi").get("/jurnal/ekspor", params={"format": "csv", "kantor": "KC-SBY"})
    assert 'filename="jurnal-KC-PLG-seq4.csv"' in own.headers["content-disposition"]
    offices = {r[EXPORT_COLUMNS.index("office")] for r in list(csv.reader(io.StringIO(own.text)))[1:]}
    assert offices == {"KC-PLG"}


def test_the_journal_downloads_as_xlsx_with_amounts_as_numbers(web, journal):
    response = signed_in(web, "gita").get("/jurnal/ekspor", params={"format": "xlsx", "kantor": "KC-SBY"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS and len(rows) == 2
    assert rows[1][EXPORT_COLUMNS.index("amount")] == 3_000_000


def test_an_export_format_that_is_not_one_is_refused_naming_it(web, journal):
    response = signed_in(web, "gita").get("/jurnal/ekspor", params={"format": "pdf"})
    assert response.status_code == 400 and "Format: &#39;pdf&#39; bukan format ekspor (csv, xlsx)" in response.text


def test_a_chart_is_svg_with_indonesian_thousands_and_no_inline_style():
    svg = bar_chart([{"p": "2025-07", "g": "SMA", "v": 3_000_000}, {"p": "2025-08", "g": "SD", "v": 1_500_000}],
                    category="p", value="v", series="g", label="uji <grafik>", category_title="Periode",
                    value_title="Rp", series_title="Jenjang")
    assert svg.startswith('<svg class="chart" role="img" aria-label="uji &lt;grafik&gt;"')
    assert "3.000.000" in svg and "style=" not in svg and "<style" not in svg
