"""Surat in the web application: the letter register of the user's office (every office for auditors), a letter's
own pages to read, its PDF to download, checked against the register; another office's letter by its address is
a 404 and the refused read is audited. On letters issued into a real register (each dialect)."""

import base64
import hashlib
import io
import re
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from beasiswa.db import make_engine
from beasiswa.db.user_tables import audit_trail
from beasiswa.letters.batch import LetterIssuer
from beasiswa.letters.batches import Batches, BatchWorker
from beasiswa.letters.register import LetterRegister
from beasiswa.letters.render import LetterRenderer
from beasiswa.model import ClaimRef
from ledger_support import sql
from letters_support import DAY, register_claims
from beasiswa.web import create_app
from web_support import Web, database, signed_in, signing, web  # noqa: F401 - fixtures

PUBLIC = "http://testserver"
ISSUERS = {"KC-PLG": "budi", "KC-SBY": "fajar"}
FIRST, SECOND, UNRENDERED = "B/0001/KC-PLG/BSW/08/2025", "B/0002/KC-PLG/BSW/08/2025", "B/0003/KC-PLG/BSW/08/2025"
SBY = "B/0001/KC-SBY/BSW/08/2025"


def address(number: str) -> str:
    return number.replace("/", "_")


@pytest.fixture(scope="module")
def renderer():
    return LetterRenderer(public_url=PUBLIC)


@pytest.fixture
def issued(web, database, tmp_path, renderer):
    """Two KC-PLG award letters and one of KC-SBY rendered and recorded; a third KC-PLG letter numbered only
    (its PDF never made). The register rows by number."""
    plg = register_claims(database, 3, 1, office="KC-PLG")
    sby = register_claims(database, 1, 1, office="KC-SBY")
    register = LetterRegister(make_engine(database), issuers=ISSUERS)
    try:
        done, failed, _ = LetterIssuer(register, tmp_path, renderer).run([*plg[:2], *sby], DAY)
        assert not failed and sorted(i.number for i in done) == sorted([FIRST, SECOND, SBY])
        assert register.number(plg[2], DAY).entry.number == UNRENDERED
        return {n: register.lookup(n) for n in (FIRST, SECOND, UNRENDERED, SBY)}
    finally:
        register.engine.dispose()


def refused_reads(web) -> list:
    with web.workflow.engine.connect() as conn:
        return conn.execute(select(audit_trail).where(audit_trail.c.action.like("letter.%"),
                                                      audit_trail.c.result == "refused")).all()


def test_an_officer_lists_the_letters_of_her_office_only_newest_first(web, issued):
    page = signed_in(web, "ani").get("/surat", params={"kantor": "KC-SBY"})  # the address asks for another office
    assert page.status_code == 200
    assert FIRST in page.text and SECOND in page.text and UNRENDERED in page.text
    assert SBY not in page.text
    assert page.text.index(UNRENDERED) < page.text.index(FIRST)  # the same day: the highest number first
    assert "Surat 1–3 dari 3" in page.text and "belum dibuat" in page.text


def test_an_auditor_lists_every_office_and_filters_by_office_kind_date_and_number(web, issued):
    auditor = signed_in(web, "gita")
    everything = auditor.get("/surat").text
    assert all(n in everything for n in (FIRST, SECOND, UNRENDERED, SBY))
    assert SBY in auditor.get("/surat", params={"kantor": "kc-sby"}).text
    assert FIRST not in auditor.get("/surat", params={"kantor": "KC-SBY"}).text
    assert "Tidak ada surat yang cocok" in auditor.get("/surat", params={"jenis": "rejection"}).text
    assert "Surat 1–4 dari 4" in auditor.get("/surat", params={"jenis": "award", "dari": "2025-08-27",
                                                               "sampai": "2025-08-27"}).text
    assert "Tidak ada surat" in auditor.get("/surat", params={"dari": "2025-08-28"}).text
    found = auditor.get("/surat", params={"cari": "0002/kc-plg"}).text
    assert SECOND in found and FIRST not in found


def test_a_date_that_is_not_one_is_refused_naming_the_field_and_the_value(web, issued):
    response = signed_in(web, "gita").get("/surat", params={"dari": "27-08-2025"})
    assert response.status_code == 400
    assert "Dari tanggal: &#39;27-08-2025&#39; bukan tanggal" in response.text


def test_a_letter_is_shown_as_the_pages_of_the_pdf_the_register_recorded(web, issued):
    response = signed_in(web, "budi").get(f"/surat/lihat/{address(FIRST)}")
    assert response.status_code == 200
    assert issued[FIRST].pdf_sha256 in response.text and "SHA-256-nya sama" in response.text
    assert "dibuat ulang dari register" in response.text  # a letter written to a folder: no PDF stored
    pages = re.findall(r'src="data:image/png;base64,([^"]+)"', response.text)
    assert len(pages) == 1
    image = Image.open(io.BytesIO(base64.b64decode(pages[0])))
    assert image.width == 827 and image.height in (1169, 1170)  # A4 at 100 dpi
    assert f'href="/surat/unduh/{address(FIRST)}"' in response.text


def test_the_pdf_downloaded_is_byte_for_byte_the_one_the_register_recorded(web, issued):
    response = signed_in(web, "ani").get(f"/surat/unduh/{address(FIRST)}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="B_0001_KC-PLG_BSW_08_2025.pdf"'
    assert hashlib.sha256(response.content).hexdigest() == issued[FIRST].pdf_sha256


def test_the_downloaded_letters_qr_code_opens_the_public_page_which_says_genuine(web, issued):
    zxingcpp = pytest.importorskip("zxingcpp")
    pdf = signed_in(web, "gita").get(f"/surat/unduh/{address(SBY)}").content
    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "-"], input=pdf, capture_output=True,
                         check=True).stdout
    [code] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert code.startswith(f"{PUBLIC}/verifikasi?nomor={SBY}&kode=")
    answer = web.browser().get(code.removeprefix(PUBLIC))
    assert answer.status_code == 200 and "ASLI" in answer.text


@pytest.mark.parametrize("where", ["lihat", "unduh"])
@pytest.mark.parametrize("who", ["ani", "budi"])
def test_another_offices_letter_by_its_address_is_not_found_and_the_attempt_is_audited(web, issued, who, where):
    response = signed_in(web, who).get(f"/surat/{where}/{address(SBY)}")
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text
    assert SBY not in response.text
    [row] = refused_reads(web)
    assert row.actor == who and row.refusal_code == "OFFICE" and row.subject == f"surat {SBY}"
    assert row.action == ("letter.read" if where == "lihat" else "letter.download")
    assert row.case_id == issued[SBY].case_id and "kantor KC-SBY" in row.refusal_message


def test_an_unknown_letter_is_not_found_and_nothing_is_audited(web, issued):
    assert signed_in(web, "ani").get("/surat/lihat/B_0999_KC-PLG_BSW_08_2025").status_code == 404
    assert signed_in(web, "gita").get("/surat/unduh/tidak-ada").status_code == 404
    assert refused_reads(web) == []


def test_a_letter_numbered_whose_pdf_was_never_made_is_previewed_as_such_and_not_downloaded(web, issued):
    officer = signed_in(web, "ani")
    preview = officer.get(f"/surat/lihat/{address(UNRENDERED)}")
    assert preview.status_code == 200 and "Pratinjau" in preview.text and "data:image/png" in preview.text
    assert "/surat/unduh/" not in preview.text
    download = officer.get(f"/surat/unduh/{address(UNRENDERED)}")
    assert download.status_code == 409 and "belum ada PDF untuk diunduh" in download.text


def test_a_copy_that_is_not_the_pdf_recorded_is_refused_naming_both_digests(web, issued):
    moved = Web(web.workflow, web.auth, create_app(web.workflow.engine, secure_cookies=False, clock=web.clock,
                                                   public_base_url="https://pindah.contoh.go.id",  # the QR's address
                                                   auth=web.auth, workflow=web.workflow), web.clock)
    response = signed_in(moved, "budi").get(f"/surat/unduh/{address(FIRST)}")
    assert response.status_code == 409
    assert issued[FIRST].pdf_sha256[:16] in response.text and "bukan PDF yang terdaftar" in response.text
    assert "alamat publik kode QR" in response.text


def made_by_a_batch(database, public_url: str) -> tuple[str, bytes]:
    """One KC-PLG letter made by a batch (its PDF stored), its QR code under `public_url`: its number and PDF."""
    register_claims(database, 1, 1, office="KC-PLG", prefix="2027")
    engine = make_engine(database)
    try:
        batches = Batches(engine)
        batch = batches.start("budi", "KC-PLG", DAY, "local", public_url)
        assert BatchWorker(engine).run(batch.id, batches.chunks(batch.id)[0])["done"] == 1
        [item] = batches.items(batch.id)
        return item.number, batches.pdf(item.number)
    finally:
        engine.dispose()


def test_a_letter_made_by_a_batch_is_served_as_stored_though_the_public_address_changed_since(web, database):
    number, stored = made_by_a_batch(database, "https://lama.contoh.go.id")  # the application's is another
    officer = signed_in(web, "ani")
    download = officer.get(f"/surat/unduh/{address(number)}")
    assert download.status_code == 200 and download.content == stored
    preview = officer.get(f"/surat/lihat/{address(number)}")
    assert preview.status_code == 200 and "disimpan saat surat dibuat" in preview.text
    assert len(re.findall(r'src="data:image/png;base64,', preview.text)) == 1


@pytest.mark.parametrize("where", ["lihat", "unduh"])
def test_a_stored_pdf_that_is_not_the_one_recorded_is_refused_naming_both_digests(web, database, where):
    number, stored = made_by_a_batch(database, PUBLIC)
    changed = stored.replace(b"%%EOF", b"%%EOF\n%", 1)
    sql(database, "UPDATE letter_pdfs SET pdf = :pdf WHERE number = :n", pdf=changed, n=number)
    response = signed_in(web, "budi").get(f"/surat/{where}/{address(number)}")
    assert response.status_code == 409
    assert "PDF yang tersimpan (SHA-256 " + hashlib.sha256(changed).hexdigest()[:16] in response.text
    assert hashlib.sha256(stored).hexdigest()[:16] in response.text and "bukan PDF yang terdaftar" in response.text


def test_officers_and_supervisors_are_offered_the_batch_run_auditors_are_not(web, issued):
    assert 'href="/surat/batch"' in signed_in(web, "ani").get("/surat").text
    assert "Cetak massal" not in signed_in(web, "gita").get("/surat").text


def test_the_menu_offers_surat_to_those_who_read_letters(web):
    assert 'href="/surat"' in signed_in(web, "ani").get("/").text
    assert 'href="/surat"' not in signed_in(web, "admin").get("/").text


def test_the_register_is_paged_by_fifty(web, database, tmp_path, renderer):
    keys = register_claims(database, 51, 1, office="KC-PLG", prefix="2026")
    register = LetterRegister(make_engine(database), issuers=ISSUERS)
    try:
        for key in keys:
            register.number(ClaimRef(key.case_id, key.claim_id), DAY)
    finally:
        register.engine.dispose()
    officer = signed_in(web, "ani")
    first = officer.get("/surat").text
    assert "Surat 1–50 dari 51" in first and 'href="/surat?kantor=KC-PLG&amp;halaman=2"' in first
    assert "Surat 51–51 dari 51" in officer.get("/surat", params={"halaman": "2"}).text
