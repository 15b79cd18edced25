"""The day at the branch office in a real browser (Debian's chromium through Playwright), on the demo served live
(tests/browser_support.py): the admin adds an officer and a supervisor; the officer changes the one-time password,
uploads the KC-PLG sheet, reviews a claim and verifies it (its button, and more at once from the queue); the
supervisor approves and pays, renders the office's letters as a batch and downloads one; the public page tells
that letter genuine and an altered copy not; an auditor reads the journal's report and verifies it; an officer
of another office finds the claim's address a 404. Each screen is photographed (the `screens` folder; look at
them).

Lean on purpose: one browser for the session, one context (cookies) a person, few page loads.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from beasiswa.db import make_engine
from beasiswa.letters.canonical import short_digest
from beasiswa.letters.register import LetterRegister
from browser_support import AUDITOR, LAPTOP, ONE_TIME, PASSWORD, SHEET, TABLET

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


def new_person(browser: Browser, browser_context_args) -> Page:
    """A page in a context of its own: another person at another computer."""
    return browser.new_context(**browser_context_args).new_page()


def change_password(page: Page, old: str, new: str) -> None:
    expect(page).to_have_url(re.compile(r"/ganti-sandi$"))
    page.get_by_label("Kata sandi saat ini").fill(old)
    page.get_by_label("Kata sandi baru", exact=True).fill(new)
    page.get_by_label("Ulangi kata sandi baru").fill(new)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page.get_by_role("main")).to_contain_text("Kata sandi sudah diganti.")


def add_user(page: Page, name: str, role: str, office: str) -> str:
    """The one-time password the Pengguna screen shows once for the new user."""
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Peran").select_option(role)
    page.get_by_label("Kantor").fill(office)
    page.get_by_role("button", name="Tambah dan buat kata sandi sementara").click()
    shown = page.locator(".secret")
    expect(shown).to_contain_text(f"Pengguna ditambahkan: {name}")
    return shown.locator(".password code").inner_text().strip()


def test_the_day_at_the_branch_office_from_new_users_to_a_paid_claim_and_its_letter(
        browser: Browser, browser_context_args, page: Page, screens, demo, tmp_path):
    # The admin's first sign-in: the one-time password must be changed before anything else.
    sign_in(page, "admin", ONE_TIME)
    expect(page).to_have_url(re.compile(r"/ganti-sandi$"))
    expect(page.get_by_role("status")).to_contain_text("kata sandi sementara dari admin")
    screens(page, "ganti-sandi-pertama")
    page.goto("/")  # anything else leads back here until the password is changed
    change_password(page, ONE_TIME, NEW_ADMIN_PASSWORD)

    page.get_by_role("navigation").get_by_role("link", name="Pengguna").click()
    rina = add_user(page, "plg.rina", "officer", "KC-PLG")
    screens(page, "pengguna-sandi-sementara")
    budi = add_user(page, "plg.budi", "supervisor", "KC-PLG")
    assert rina != budi and len(rina) >= 12
    page.reload()
    expect(page.locator(".secret")).to_have_count(0)  # shown once

    # The new officer: a password of one's own, then the KC-PLG sheet.
    officer = new_person(browser, browser_context_args)
    sign_in(officer, "plg.rina", rina)
    change_password(officer, rina, "rina-petugas-palembang")
    screens(officer, "beranda-petugas")
    officer.get_by_role("navigation").get_by_role("link", name="Penerimaan berkas").click()
    officer.get_by_label(re.compile("Lembar penerimaan")).set_input_files(str(SHEET))
    officer.get_by_role("button", name="Unggah dan terima").click()
    expect(officer.get_by_role("main")).to_contain_text("KC-PLG-2025-000201")
    screens(officer, "penerimaan-hasil")

    # The queue: filters and search.
    officer.get_by_role("navigation").get_by_role("link", name="Antrean").click()
    expect(officer.locator("#hasil")).to_contain_text("KC-PLG-2025-000201/klaim-1")
    assert all(r.startswith("KC-PLG-") for r in rows(officer))
    screens(officer, "antrean")
    officer.get_by_label("Jenjang").select_option("SMP")  # HTMX: the results alone, the address kept in step
    expect(officer).to_have_url(re.compile(r"jenjang=SMP"))
    expect(officer.locator("#hasil tbody tr").filter(has_not_text="SMP")).to_have_count(0)
    officer.get_by_label("Jenjang").select_option("")
    search = officer.get_by_label("Cari NIK, KPJ atau nama")
    search.fill("1671040311090011")  # a child's NIK
    search.press("Enter")
    expect(officer.locator("#hasil td.id")).to_have_text(["KC-PLG-2025-000201/klaim-2"])
    search.fill("20240210001")  # the participant's KPJ: the case's two claims
    search.press("Enter")
    expect(officer.locator("#hasil td.id")).to_have_text(
        ["KC-PLG-2025-000201/klaim-1", "KC-PLG-2025-000201/klaim-2"])
    officer.set_viewport_size(TABLET)
    screens(officer, "antrean-tablet")
    officer.set_viewport_size(LAPTOP)

    # A claim reviewed and verified by its button; the rest of the office's decided claims from the queue.
    officer.get_by_role("link", name="KC-PLG-2025-000201/klaim-1").click()
    expect(officer).to_have_url(re.compile(r"/klaim/KC-PLG-2025-000201/klaim-1$"))
    expect(officer.get_by_role("main")).to_contain_text("Nabila Putri")
    screens(officer, "klaim")
    officer.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(officer.locator("#klaim")).to_contain_text("Klaim sudah diverifikasi")
    screens(officer, "klaim-diverifikasi")
    officer.goto("/antrean?status=decided")
    boxes = officer.locator("#hasil input[type=checkbox][name=klaim]")
    expect(boxes).not_to_have_count(0)
    for box in boxes.all():
        box.check()
    officer.get_by_role("button", name="Verifikasi yang dipilih").click()
    expect(officer.get_by_role("heading", name=re.compile(r"^Hasil memverifikasi"))).to_contain_text("0 ditolak")
    screens(officer, "antrean-verifikasi-massal")

    # The supervisor: approves from the queue (four eyes: not the verifier) and pays one claim.
    boss = new_person(browser, browser_context_args)
    sign_in(boss, "plg.budi", budi)
    change_password(boss, budi, "budi-pengawas-palembang")
    boss.goto("/antrean?status=verified")
    boxes = boss.locator("#hasil input[type=checkbox][name=klaim]")
    expect(boxes).not_to_have_count(0)
    for box in boxes.all():
        box.check()
    boss.get_by_role("button", name="Setujui yang dipilih").click()
    expect(boss.get_by_role("heading", name=re.compile(r"^Hasil menyetujui"))).to_contain_text("0 ditolak")
    screens(boss, "antrean-setujui-massal")
    boss.goto("/klaim/KC-PLG-2025-000201/klaim-1")
    boss.get_by_role("button", name="Bayarkan").click()
    expect(boss.locator("#klaim")).to_contain_text("Pembayaran sudah dicatat di jurnal.")
    screens(boss, "klaim-dibayar")

    # The office's letters as a batch, watched until done; one downloaded from Surat.
    boss.get_by_role("navigation").get_by_role("link", name="Surat").click()
    boss.get_by_role("link", name="Cetak massal").click()
    boss.get_by_role("button", name="Mulai kelompok surat").click()
    expect(boss).to_have_url(re.compile(r"/surat/batch/\d+"))
    expect(boss.get_by_role("heading", name="Selesai")).to_be_visible(timeout=60_000)
    screens(boss, "kelompok-surat")
    boss.goto("/surat?cari=KC-PLG-2025-000201")
    link = boss.locator("tr", has_text="klaim-1").get_by_role("link", name=re.compile(r"^Unduh PDF surat "))
    number = link.get_attribute("aria-label").removeprefix("Unduh PDF surat ")
    screens(boss, "surat")
    answer = boss.request.get(link.get_attribute("href"))  # the link's download, with the supervisor's cookies
    assert answer.ok and "attachment" in answer.headers["content-disposition"], re.findall(r"role=\"alert\">(.*?)</p>", answer.text(), re.S)
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(answer.body())

    # The public page: the downloaded letter genuine, one byte changed not.
    public = new_person(browser, browser_context_args)
    public.goto("/verifikasi")
    public.get_by_label("PDF surat").set_input_files(str(pdf))
    public.get_by_role("button", name="Periksa berkas").click()
    verdict = public.locator(".verdict")
    expect(verdict.get_by_role("heading")).to_have_text("ASLI")
    expect(verdict).to_contain_text(number)
    screens(public, "verifikasi-pdf-asli")
    altered = bytearray(pdf.read_bytes())
    at = altered.index(b"/ID [(") + 6
    altered[at] = ord("0") if altered[at] != ord("0") else ord("1")
    public.get_by_label("PDF surat").set_input_files(
        files=[{"name": "surat-diubah.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}])
    public.get_by_role("button", name="Periksa berkas").click()
    expect(verdict.get_by_role("heading")).to_have_text("DIUBAH")
    screens(public, "verifikasi-diubah")

    # The auditor: the journal's report and its verification.
    auditor = public
    sign_in(auditor, AUDITOR)
    auditor.get_by_role("navigation").get_by_role("link", name="Jurnal").click()
    expect(auditor.get_by_role("main")).to_contain_text("KC-PLG")
    screens(auditor, "jurnal")
    auditor.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(auditor.get_by_role("main")).to_contain_text("Rantai utuh")
    screens(auditor, "jurnal-verifikasi")

    # Another office's officer: the claim's address is a 404.
    other = new_person(browser, browser_context_args)
    sign_in(other, "sby.petugas")
    expect(other).to_have_url(re.compile(r"/$"))
    answer = other.goto("/klaim/KC-PLG-2025-000201/klaim-1")
    assert answer.status == 404
    screens(other, "klaim-kantor-lain")


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
