"""Today's screens in a real browser (Debian's chromium through Playwright), on the demo served live
(tests/browser_support.py): the admin's first sign-in, an officer's Beranda and Antrean, the public letter check,
and an officer of another office. Each screen is photographed (the `screens` folder; look at them).

Lean on purpose: one browser for the session, a new context (cookies) a test, few page loads. The claim page,
intake, letters, the journal, the audit trail and users extend this day when they land (issue 13).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from beasiswa.db import make_engine
from beasiswa.letters.canonical import short_digest
from beasiswa.letters.register import LetterRegister
from browser_support import ONE_TIME, PASSWORD, TABLET

pytestmark = pytest.mark.browser

NEW_ADMIN_PASSWORD = "admin-kantor-pusat-2025"
LETTER = "B/0001/KC-PLG/BSW/08/2025"


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()


def rows(page: Page) -> list[str]:
    """The claims the queue's table lists now (CASE/CLAIM)."""
    return page.locator("#hasil td.id").all_inner_texts()


def test_the_admin_signs_in_with_the_one_time_password_and_must_choose_a_new_one_first(page: Page, screens):
    sign_in(page, "admin", ONE_TIME)
    expect(page).to_have_url(re.compile(r"/ganti-sandi$"))
    expect(page.get_by_role("status")).to_contain_text("kata sandi sementara dari admin")
    screens(page, "ganti-sandi-pertama")
    page.goto("/")  # anything else leads back here until the password is changed
    expect(page).to_have_url(re.compile(r"/ganti-sandi$"))
    page.get_by_label("Kata sandi saat ini").fill(ONE_TIME)
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW_ADMIN_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(NEW_ADMIN_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page).to_have_url(re.compile(r"/\?pesan=sandi$"))
    expect(page.get_by_role("main")).to_contain_text("Kata sandi sudah diganti.")
    screens(page, "beranda-admin")


def test_an_officer_sees_the_beranda_and_the_antrean_filters_it_and_searches_by_name_nik_and_kpj(page: Page, screens):
    sign_in(page, "plg.petugas")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("main")).to_contain_text("KC-PLG")
    screens(page, "beranda-petugas")

    page.get_by_role("navigation").get_by_role("link", name="Antrean").click()
    expect(page).to_have_url(re.compile(r"/antrean$"))
    expect(page.locator("#hasil")).to_contain_text("KC-PLG-2025-000201/klaim-1")
    assert all(r.startswith("KC-PLG-") for r in rows(page))
    screens(page, "antrean")

    page.get_by_label("Jenjang").select_option("SMP")  # HTMX: the results alone, the address kept in step
    expect(page).to_have_url(re.compile(r"jenjang=SMP"))
    expect(page.locator("#hasil tbody tr").filter(has_not_text="SMP")).to_have_count(0)
    expect(page.locator("#hasil tbody tr")).not_to_have_count(0)
    page.get_by_label("Jenjang").select_option("")
    expect(page).not_to_have_url(re.compile(r"jenjang=SMP"))

    search = page.get_by_label("Cari NIK, KPJ atau nama")
    search.fill("nabila")
    search.press("Enter")
    expect(page.locator("#hasil td.id")).to_have_text(["KC-PLG-2025-000201/klaim-1"])
    expect(page.locator("#hasil")).to_contain_text("Nabila Putri")
    search.fill("1671040311090011")  # a child's NIK
    search.press("Enter")
    expect(page.locator("#hasil td.id")).to_have_text(["KC-PLG-2025-000201/klaim-2"])
    expect(page.locator("#hasil")).to_contain_text("Rafi Gunawan")
    search.fill("20240210001")  # the participant's KPJ: the case's two claims
    search.press("Enter")
    expect(page.locator("#hasil td.id")).to_have_text(["KC-PLG-2025-000201/klaim-1", "KC-PLG-2025-000201/klaim-2"])
    screens(page, "antrean-cari-kpj")

    page.set_viewport_size(TABLET)
    screens(page, "antrean-tablet")


def test_the_public_page_tells_a_genuine_letter_by_number_and_code_and_by_its_pdf_and_an_altered_one(
        page: Page, screens, demo):
    engine = make_engine(demo.database_url)
    try:
        entry = LetterRegister(engine).lookup(LETTER)
    finally:
        engine.dispose()
    pdf = (demo.letters / (LETTER.replace("/", "_") + ".pdf")).read_bytes()

    page.goto("/verifikasi")
    page.get_by_label("Nomor surat").fill(LETTER)
    page.get_by_label("Kode verifikasi").fill(short_digest(entry.data_digest))
    page.get_by_role("button", name="Periksa", exact=True).click()
    verdict = page.locator(".verdict")
    expect(verdict.get_by_role("heading")).to_have_text("ASLI")
    expect(verdict).to_contain_text("KC-PLG")
    screens(page, "verifikasi-nomor-asli")

    page.get_by_label("PDF surat").set_input_files(
        files=[{"name": "surat.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.get_by_role("button", name="Periksa berkas").click()
    expect(verdict.get_by_role("heading")).to_have_text("ASLI")
    expect(verdict).to_contain_text(LETTER)

    altered = bytearray(pdf)
    at = altered.index(b"/ID [(") + 6  # one byte of the file changed: its SHA-256 is not the registered one
    altered[at] = ord("0") if altered[at] != ord("0") else ord("1")
    page.get_by_label("PDF surat").set_input_files(
        files=[{"name": "surat-diubah.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}])
    page.get_by_role("button", name="Periksa berkas").click()
    expect(verdict.get_by_role("heading")).to_have_text("DIUBAH")
    expect(verdict).to_contain_text("isi PDF bukan yang terdaftar")
    screens(page, "verifikasi-pdf-diubah")


def test_an_officer_of_another_office_sees_none_of_the_first_offices_claims_whatever_the_address_asks(
        page: Page, screens):
    sign_in(page, "sby.petugas")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/antrean?kantor=KC-PLG&status=paid")
    listed = rows(page)
    assert listed and all(r.startswith("KC-SBY-") for r in listed)
    expect(page.locator("#hasil")).to_contain_text("kantor KC-SBY")
    screens(page, "antrean-kantor-lain")
    page.goto("/antrean?kantor=KC-PLG&cari=Nabila")
    expect(page.locator("#hasil")).to_contain_text("Tidak ada klaim yang cocok")
    assert rows(page) == []
