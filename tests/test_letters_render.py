"""Letters (rule book §7, issue 4): what each kind of letter states, built from a decided claim, and the PDF it
becomes: the right name, amount in figures and words, academic year, level, reasons and number; an award on
one A4 page; PDF/A-3b with the canonical data attached; a page that is not blank.

Each sample letter's pages are turned into PNGs in the test's temporary folder (pytest keeps the last runs'
folders, so a person can look at them there); `make demo` writes its own to out/."""

import datetime as dt
import io
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import jinja2
import pypdf
import pytest
import segno

from beasiswa.casefile import parse_case
from beasiswa.law import default_law
from beasiswa.letters import render as render_module
from beasiswa.letters.canonical import (
    ATTACHMENT_NAME,
    DEFAULT_PUBLIC_URL,
    canonical_bytes,
    canonical_data,
    digest,
    encode,
    parse_qr_text,
    qr_text,
    short_digest,
    verify_url,
)
from beasiswa.letters.content import (
    AwardLetter,
    Future,
    Outlook,
    LetterContentError,
    LetterNumber,
    RejectionLetter,
    ReturnLetter,
    build_letter,
    format_letter_number,
    letter_number,
    masked_account_number,
    readable_basis,
    told_reasons,
)
from beasiswa.letters.render import (
    TEMPLATES_DIR,
    LayoutFontWarning,
    LetterRenderer,
    LetterTemplateError,
    SlowFontSubsettingWarning,
    font_family_installed,
    harfbuzz_subsetting_available,
)
from beasiswa.letters.settings import DATA_DIR, LetterDataError, default_settings, load_settings
from beasiswa.letters.words import amount_in_words
from beasiswa.model import Code, Outcome, Reason
from beasiswa.rules import decide

LAW = default_law()
SETTINGS = default_settings()
TODAY = dt.date(2025, 8, 27)
FULL_SET = ["claim_form", "birth_certificate", "family_card", "enrollment_letter", "report_card", "bank_account"]
A4 = (595.28, 841.89)  # points


def case_file(**changes) -> dict:
    """The case-format contract's example: a daughter (Siti Aminah) of a participant dead of a cause not related
    to work, claiming SMA for 2025/2026 with every document; a son (Ahmad Fauzi) with no claim."""
    data = {
        "format": "beasiswa-case/1", "case_id": "KC-PLG-2025-000123", "office": "KC-PLG",
        "participant": {"kpj": "12345678901", "nik": "1671011507800001", "name": "Budi Santoso", "segment": "PU",
                        "contribution_months": 48, "arrears_months": 0},
        "event": {"kind": "death", "date": "2023-03-14"},
        "children": [
            {"id": "anak-1", "nik": "1671015505100003", "name": "Siti Aminah", "birth_date": "2010-05-15",
             "relation": "biological", "married_on": None, "employed_on": None, "designated": None},
            {"id": "anak-2", "nik": "1671011208120004", "name": "Ahmad Fauzi", "birth_date": "2012-08-12",
             "relation": "biological", "married_on": None, "employed_on": None, "designated": None},
        ],
        "history": [{"child": "anak-1", "academic_year": "2023/2024", "level": "SMP", "amount": 2000000}],
        "claims": [
            {"id": "klaim-1", "child": "anak-1", "academic_year": "2025/2026", "level": "SMA",
             "institution": "SMAN 3 Palembang", "submitted_on": "2025-07-21", "documents": FULL_SET},
        ],
    }
    for key, value in changes.items():
        if key == "claim":
            data["claims"][0].update(value)
        else:
            data[key] = value
    return data


def letter_for(data: dict, sequence: int = 123, day: dt.date = TODAY, settings=SETTINGS, claim: int = 0):
    a_case = parse_case(data)
    decision = decide(a_case, LAW).decisions[claim]
    number = letter_number(settings, a_case.office, sequence, day)
    return build_letter(a_case, decision, number, day, settings)


def born(data: dict, birth_date: str) -> dict:
    """The case with its first child (a daughter) born on `birth_date`, her NIK agreeing with it."""
    year, month, day = birth_date.split("-")
    data["children"][0].update(birth_date=birth_date, nik=f"167101{int(day) + 40:02d}{month}{year[2:]}0003")
    return data


ACCOUNT = {"bank": "Bank Sumsel Babel", "number": "1234567890", "holder": "Siti Aminah"}
# Siti Aminah is 18 on the letters' date (27 August 2025): of age, so written to by name (interpretation L1).
AWARD_TO_CHILD = born(case_file(claim={"payee": "child", "account": ACCOUNT}), "2007-05-15")
AWARD_TO_FAMILY = case_file()
# Two reasons: S2 is not covered, and the child already holds the SMA payout of 2025/2026 (history).
REJECTION = case_file(
    history=[{"child": "anak-1", "academic_year": "2025/2026", "level": "SMA", "amount": 3000000}],
    claim={"level": "S2", "institution": "Universitas Sriwijaya"})
RETURN = case_file(claim={"documents": ["claim_form", "birth_certificate", "family_card", "bank_account"]})
PENDING = case_file(participant={**case_file()["participant"], "arrears_months": 4})


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer()


def text_of(pdf: bytes) -> str:
    """The text of every page, each run of white space made one space (justified lines are spread out)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pixels(pdf: bytes, page: int = 1, dpi: int = 40) -> tuple[int, int, bytes]:
    """A page as raw RGB pixels, through pdftoppm's PPM (P6) output."""
    ppm = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"],
                         input=pdf, capture_output=True, check=True).stdout
    magic, width, height, maxval, raster = ppm.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), raster


def keep_png(pdf: bytes, name: str, folder: Path) -> Path:
    """The letter and its pages as PNGs in `folder` (a test's temporary folder, never the project's)."""
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(folder / f"{name}.pdf"), str(folder / name)], check=True)
    assert list(folder.glob(f"{name}*.png")), f"pdftoppm made no page of {name}.pdf"
    return folder / name


# ------------------------------------------------------------------------------------------- letter numbers

def test_a_letter_number_reads_classification_sequence_office_subject_month_and_year():
    assert format_letter_number("B", 123, "KC-PLG", "BSW", 8, 2025) == "B/0123/KC-PLG/BSW/08/2025"
    assert str(letter_number(SETTINGS, "KC-PLG", 123, TODAY)) == "B/0123/KC-PLG/BSW/08/2025"
    assert str(letter_number(SETTINGS, "KC-SBY", 7, dt.date(2026, 1, 2))) == "B/0007/KC-SBY/BSW/01/2026"


def test_a_letter_number_reads_back_to_its_parts():
    number = LetterNumber.parse("B/0123/KC-PLG/BSW/08/2025")
    assert (number.classification, number.sequence, number.office, number.subject, number.month,
            number.year) == ("B", 123, "KC-PLG", "BSW", 8, 2025)
    assert str(number) == "B/0123/KC-PLG/BSW/08/2025"


@pytest.mark.parametrize("text", ["B/123/KC-PLG/BSW/08/2025", "B/0123/KC-PLG/BSW/8/2025", "0123/KC-PLG/BSW/08/2025",
                                  "B/0123/KC-PLG/BSW/08/2025 ", "B/0000/KC-PLG/BSW/08/2025",
                                  "B/0123/KC-PLG/BSW/13/2025"])
def test_a_text_that_is_not_a_letter_number_is_refused(text):
    with pytest.raises(LetterContentError):
        LetterNumber.parse(text)


def test_sequences_run_from_0001_to_9999_in_four_digits():
    assert format_letter_number("B", 1, "KC-PLG", "BSW", 8, 2025) == "B/0001/KC-PLG/BSW/08/2025"
    assert format_letter_number("B", 9999, "KC-PLG", "BSW", 8, 2025) == "B/9999/KC-PLG/BSW/08/2025"
    for sequence in (0, 10_000):
        with pytest.raises(LetterContentError, match=f"sequence: must be a whole number from 1 to 9999.*{sequence}"):
            format_letter_number("B", sequence, "KC-PLG", "BSW", 8, 2025)


def test_a_number_of_another_office_or_another_month_is_refused():
    a_case = parse_case(AWARD_TO_FAMILY)
    decision = decide(a_case, LAW).decisions[0]
    with pytest.raises(LetterContentError, match="number: .*KC-SBY.*KC-PLG"):
        build_letter(a_case, decision, letter_number(SETTINGS, "KC-SBY", 1, TODAY), TODAY, SETTINGS)
    with pytest.raises(LetterContentError, match="not of the letter's month 09/2025"):
        build_letter(a_case, decision, letter_number(SETTINGS, "KC-PLG", 1, TODAY), dt.date(2025, 9, 1), SETTINGS)


# ------------------------------------------------------------------------------------------- content

def test_each_outcome_told_to_the_family_has_its_kind_of_letter():
    assert isinstance(letter_for(AWARD_TO_FAMILY), AwardLetter)
    assert isinstance(letter_for(REJECTION), RejectionLetter)
    assert isinstance(letter_for(RETURN), ReturnLetter)


def test_a_pending_claim_gets_no_letter_yet():
    a_case = parse_case(PENDING)
    (decision,) = decide(a_case, LAW).decisions
    assert decision.outcome is Outcome.PENDING
    with pytest.raises(LetterContentError, match="outcome: a pending decision gets no letter"):
        build_letter(a_case, decision, letter_number(SETTINGS, "KC-PLG", 1, TODAY), TODAY, SETTINGS)


def test_the_nik_is_printed_in_full_only_in_the_letter_to_the_child_who_holds_it():
    to_child = letter_for(AWARD_TO_CHILD)
    assert to_child.claim.child_nik == "1671015505070003"
    assert to_child.frame.addressee.lines == ("Sdri. Siti Aminah",)
    assert to_child.claim.child_reference == "Saudari"
    to_family = letter_for(AWARD_TO_FAMILY)
    assert to_family.claim.child_nik == "167101**********"
    assert to_family.frame.addressee.lines == ("Orang Tua/Wali dari Ananda Siti Aminah",)
    assert to_family.claim.child_reference == "Ananda Siti Aminah"


def test_a_letter_paid_to_a_guardian_goes_to_the_account_holder_with_the_nik_masked():
    data = case_file(claim={"payee": "guardian", "documents": [*FULL_SET, "guardian_id"],
                            "account": {**ACCOUNT, "holder": "Rahmawati"}})
    letter = letter_for(data)
    assert letter.frame.addressee.lines == ("Bapak/Ibu Rahmawati", "Wali dari Ananda Siti Aminah")
    assert letter.claim.child_nik == "167101**********"


def test_a_letter_for_a_living_participant_goes_to_the_participant():
    data = case_file(event={"kind": "work_accident_disability", "date": "2023-03-14"})
    letter = letter_for(data)
    assert letter.frame.addressee.lines == ("Bapak Budi Santoso", "Orang Tua dari Ananda Siti Aminah")
    assert letter.frame.addressee.salutation == "Bapak"
    assert letter.claim.child_nik == "167101**********"


def test_the_place_is_the_issuing_offices_city_unless_given():
    assert letter_for(AWARD_TO_FAMILY).frame.place == "Palembang"
    surabaya = case_file(office="KC-SBY")
    assert letter_for(surabaya).frame.office.officer_title == "Kepala Kantor Cabang Surabaya"


def test_a_return_letter_lists_exactly_the_documents_missing():
    letter = letter_for(RETURN)
    assert [m.document.value for m in letter.missing] == ["enrollment_letter", "report_card"]
    assert letter.other_reasons == ()


def test_a_return_letter_reads_the_missing_documents_of_a_decision_stored_with_their_codes():
    # Before the trace named documents in Indonesian it named the contract's codes; such decisions are in
    # databases already and their letters must still list what is missing.
    a_case = parse_case(RETURN)
    decision = decide(a_case, LAW).decisions[0]
    assert any("kurang: surat keterangan aktif dari sekolah, perguruan tinggi atau lembaga pelatihan; rapor"
               in step.detail for step in decision.trace)
    old = tuple(step._replace(detail=re.sub(r"kurang: .*$", "kurang: enrollment_letter, report_card", step.detail))
                if step.rule == "documents_are_complete" else step for step in decision.trace)
    letter = build_letter(a_case, attrs.evolve(decision, trace=old), letter_number(SETTINGS, a_case.office, 1, TODAY),
                          TODAY, SETTINGS)
    assert [m.document.value for m in letter.missing] == ["enrollment_letter", "report_card"]


def test_every_sample_office_has_a_letterhead_and_a_signing_officer():
    for code, city in [("KC-PLG", "Palembang"), ("KC-SBY", "Surabaya"), ("KC-MDN", "Medan"),
                       ("KC-MKS", "Makassar"), ("KC-BDG", "Bandung"), ("KC-JKT", "Jakarta")]:
        office = SETTINGS.office(code)
        assert office.city == city and office.officer_title and office.officer_name and office.address
    with pytest.raises(LetterDataError, match="office: 'KC-XYZ' has no letterhead"):
        SETTINGS.office("KC-XYZ")


def test_the_legal_basis_names_the_instruments_of_the_rule_book_in_order():
    expected = [
        ["Undang-Undang Nomor 40 Tahun 2004"],
        ["Undang-Undang Nomor 24 Tahun 2011"],
        ["Peraturan Pemerintah Nomor 44 Tahun 2015", "Peraturan Pemerintah Nomor 82 Tahun 2019",
         "Peraturan Pemerintah Nomor 49 Tahun 2023"],
        ["Peraturan Menteri Ketenagakerjaan Nomor 5 Tahun 2021",
         "Peraturan Menteri Ketenagakerjaan Nomor 1 Tahun 2025"],
    ]
    assert len(SETTINGS.legal_basis) == len(expected)
    for line, instruments in zip(SETTINGS.legal_basis, expected):
        assert line.startswith(instruments[0])
        assert all(instrument in line for instrument in instruments)


def test_letters_data_without_a_name_for_a_level_is_refused(tmp_path):
    for name in ("letters.toml", "offices.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    letters = tmp_path / "letters.toml"
    letters.write_text(re.sub(r"(?m)^S3 = .*\n", "", letters.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LetterDataError, match=r"school levels: unknown \[\], missing \['S3'\]"):
        load_settings(tmp_path)


# ------------------------------------------------------------------------------------------- canonical data

def test_the_canonical_data_is_the_same_bytes_for_the_same_letter_and_changes_with_any_fact():
    letter = letter_for(AWARD_TO_CHILD)
    data = canonical_bytes(letter)
    assert data == canonical_bytes(letter_for(AWARD_TO_CHILD))
    assert encode(json.loads(data)) == data
    assert json.loads(data)["amount"] == 3_000_000
    assert json.loads(data)["child"]["nik"] == "1671015505070003"
    other = attrs.evolve(letter, amount=3_000_001)
    assert digest(canonical_bytes(other)) != digest(data)


def test_the_canonical_data_of_a_letter_to_the_family_carries_the_masked_nik():
    assert canonical_data(letter_for(AWARD_TO_FAMILY))["child"]["nik"] == "167101**********"


def test_the_qr_code_is_the_verification_page_address_with_the_number_and_a_short_digest():
    full = digest(b"any letter data")
    url = verify_url("https://beasiswa.contoh.go.id/", "B/0123/KC-PLG/BSW/08/2025", full)
    assert url == f"https://beasiswa.contoh.go.id/verifikasi?nomor=B/0123/KC-PLG/BSW/08/2025&kode={full[:16]}"
    assert parse_qr_text(url) == ("B/0123/KC-PLG/BSW/08/2025", full[:16])


def test_the_qr_text_of_letters_printed_before_is_still_read():
    full = digest(b"any letter data")
    text = qr_text("B/0123/KC-PLG/BSW/08/2025", full)
    assert text == f"BPJSTK-BSW/1|B/0123/KC-PLG/BSW/08/2025|{full[:16]}"
    assert parse_qr_text(text) == ("B/0123/KC-PLG/BSW/08/2025", full[:16])
    with pytest.raises(ValueError, match="is not a beasiswa letter code"):
        parse_qr_text("https://example.org/B/0123")
    with pytest.raises(ValueError, match="is not a beasiswa letter code"):
        parse_qr_text("https://example.org/verifikasi?nomor=B/0123/KC-PLG/BSW/08/2025&kode=bukan-kode")


@pytest.mark.parametrize("url", ["ftp://contoh.go.id", "contoh.go.id", "https://contoh.go.id/?a=1", "https://"])
def test_a_public_address_that_is_not_plain_http_is_refused_naming_it(url):
    with pytest.raises(ValueError, match="is not an http"):
        verify_url(url, "B/0123/KC-PLG/BSW/08/2025", digest(b"x"))
    with pytest.raises(ValueError, match="is not an http"):
        LetterRenderer(public_url=url)


# ------------------------------------------------------------------------------------------- rendering

def test_the_award_letter_states_name_amount_in_figures_and_words_year_level_account_and_number(renderer, tmp_path):
    letter = letter_for(AWARD_TO_CHILD)
    rendered = renderer.render(letter)
    text = text_of(rendered.pdf)
    assert "Nomor : B/0123/KC-PLG/BSW/08/2025 Palembang, 27 Agustus 2025" in text
    assert "Perihal : Penetapan Penerima Manfaat Beasiswa Pendidikan Anak" in text
    assert "Yth. Sdri. Siti Aminah di Tempat" in text
    assert "Nama anak : Siti Aminah NIK : 1671015505070003" in text
    assert "Nama peserta : Budi Santoso (KPJ 12345678901)" in text
    assert "Jenjang pendidikan : Sekolah Menengah Atas (SMA)" in text
    assert "Tahun ajaran : 2025/2026" in text
    assert "Besar manfaat : Rp3.000.000,00 (tiga juta rupiah)" in text
    assert "Rekening penerima : Bank Sumsel Babel nomor ******7890 atas nama Siti Aminah" in text
    assert "nomor 1234567890" not in text
    assert "Kepala Kantor Cabang Palembang, Ahmad Rizal Fahmi" in text
    for instrument in SETTINGS.legal_basis:
        assert instrument in text
    assert f"Kode verifikasi: {short_digest(rendered.data_digest)}" in text
    assert "Ahmad Fauzi" not in text  # the other child
    keep_png(rendered.pdf, "award", tmp_path)


def test_the_award_letter_to_the_family_masks_the_nik_and_names_no_account(renderer):
    text = text_of(renderer.pdf(letter_for(AWARD_TO_FAMILY)))
    assert "NIK : 167101********** " in text
    assert "1671015505100003" not in text
    assert "Rekening penerima : rekening pada buku tabungan yang dilampirkan dalam pengajuan klaim" in text


def test_an_award_letter_is_one_a4_page(renderer):
    for data in (AWARD_TO_CHILD, AWARD_TO_FAMILY,
                 case_file(office="KC-JKT", claim={"payee": "guardian", "documents": [*FULL_SET, "guardian_id"],
                                                    "account": {"bank": "Bank Rakyat Indonesia",
                                                                "number": "002101098765432",
                                                                "holder": "Rahmawati Kusumaningrum"}})):
        reader = pypdf.PdfReader(io.BytesIO(renderer.pdf(letter_for(data))))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def test_a_letter_says_what_an_interpretation_says_in_plain_words_and_keeps_the_regulation_as_cited():
    citation = "PP 82/2019, Lampiran: manfaat beasiswa; Interpretasi I4"
    assert readable_basis(citation, SETTINGS) == (
        "PP 82/2019, Lampiran: manfaat beasiswa; penafsiran BPJS Ketenagakerjaan: beasiswa diberikan mulai tahun "
        "ajaran yang sedang berjalan pada tanggal peristiwa")
    assert readable_basis("PP 82/2019 Pasal 25", SETTINGS) == "PP 82/2019 Pasal 25"
    assert readable_basis("PP 82/2019, batas usia, diterapkan juga pada PP 44/2015 (interpretasi P1)", SETTINGS) \
        == ("PP 82/2019, batas usia, diterapkan juga pada PP 44/2015 (penafsiran BPJS Ketenagakerjaan: syarat "
            "anak pada PP 44/2015 sama dengan syarat pada PP 82/2019: belum berusia 23 tahun, belum menikah, "
            "belum bekerja, dan bersekolah paling tinggi sampai S1 atau D4)")


def test_every_interpretation_of_the_law_has_plain_words_for_the_letters():
    assert sorted(SETTINGS.interpretations) == sorted(i.id for i in LAW.interpretations)


def test_a_citation_of_an_interpretation_without_plain_words_is_an_error_not_a_bare_id():
    with pytest.raises(LetterContentError, match="Interpretasi I99"):
        readable_basis("PP 82/2019; Interpretasi I99", SETTINGS)


def test_the_rejection_letter_states_every_reason_with_its_legal_basis_and_how_to_ask_again(renderer, tmp_path):
    letter = letter_for(REJECTION, sequence=124)
    assert len(letter.reasons) == 2
    text = text_of(renderer.pdf(letter))
    assert "B/0124/KC-PLG/BSW/08/2025" in text
    assert "Jenjang pendidikan : Program Magister (S2)" in text
    assert "tidak dapat disetujui" in text
    assert len(letter.told) == 2
    for reason in letter.told:
        assert re.sub(r"\s+", " ", reason.message) in text
        assert f"Dasar hukum: {reason.basis}." in re.sub(r"\s+", " ", text)
    assert "peninjauan kembali" in text and "dengan menyebutkan nomor surat ini" in text
    keep_png(renderer.pdf(letter), "rejection", tmp_path)


def test_the_return_letter_names_each_missing_document_and_how_to_resubmit(renderer, tmp_path):
    letter = letter_for(RETURN, sequence=125)
    text = text_of(renderer.pdf(letter))
    assert "Perihal : Pengembalian Berkas Klaim Manfaat Beasiswa Pendidikan Anak" in text
    assert "surat keterangan aktif dari sekolah, perguruan tinggi atau lembaga pelatihan;" in text
    assert "rapor atau transkrip nilai terakhir." in text
    assert "ajukan kembali klaim ini ke kantor cabang dengan menyebutkan nomor surat ini" in text
    assert "formulir pengajuan klaim" not in text  # submitted, so not asked for
    keep_png(renderer.pdf(letter), "return", tmp_path)


def test_the_pdf_is_pdf_a_3b_with_the_canonical_data_attached(renderer):
    letter = letter_for(AWARD_TO_CHILD)
    rendered = renderer.render(letter)
    reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
    assert reader.attachments[ATTACHMENT_NAME] == [canonical_bytes(letter)]
    assert digest(reader.attachments[ATTACHMENT_NAME][0]) == rendered.data_digest
    description = reader.xmp_metadata.rdf_root.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                                                                       "Description")
    ids = {(d.getAttributeNS("http://www.aiim.org/pdfa/ns/id/", "part"),
            d.getAttributeNS("http://www.aiim.org/pdfa/ns/id/", "conformance")) for d in description}
    assert ("3", "B") in ids
    assert rendered.pdf_digest == digest(rendered.pdf)


def test_the_same_letter_renders_to_the_same_pdf_bytes(renderer):
    letter = letter_for(AWARD_TO_CHILD)
    assert renderer.pdf(letter) == renderer.pdf(letter)


def test_the_qr_code_in_the_letter_encodes_its_verification_address(renderer):
    letter = letter_for(AWARD_TO_CHILD)
    data_digest = digest(canonical_bytes(letter))
    address = verify_url(DEFAULT_PUBLIC_URL, "B/0123/KC-PLG/BSW/08/2025", data_digest)
    assert renderer.qr_payload("B/0123/KC-PLG/BSW/08/2025", data_digest) == address
    expected = segno.make(address, error="m", mask=render_module.QR_MASK).svg_inline(scale=4, border=0)
    assert expected in renderer.html(letter)


def test_the_qr_code_read_from_the_printed_page_is_the_letters_verification_address(tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    letter = letter_for(AWARD_TO_CHILD)
    rendered = LetterRenderer(public_url="https://beasiswa.contoh.go.id").render(letter)
    png = tmp_path / "surat.png"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-", str(png.with_suffix(""))],
                   input=rendered.pdf, check=True)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(png)) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [f"https://beasiswa.contoh.go.id/verifikasi?nomor=B/0123/KC-PLG/BSW/08/2025"
                     f"&kode={short_digest(rendered.data_digest)}"]


def test_the_same_letter_under_another_public_address_is_another_pdf():
    letter = letter_for(AWARD_TO_CHILD)
    one = LetterRenderer(public_url="https://a.contoh.go.id").render(letter)
    other = LetterRenderer(public_url="https://b.contoh.go.id").render(letter)
    assert one.data == other.data and one.pdf != other.pdf
    assert LetterRenderer(public_url="https://a.contoh.go.id").render(letter).pdf == one.pdf


@pytest.mark.parametrize("data", [AWARD_TO_CHILD, REJECTION, RETURN], ids=["award", "rejection", "return"])
def test_a_rendered_page_is_not_blank(renderer, data):
    width, height, raster = pixels(renderer.pdf(letter_for(data)))
    dark = sum(1 for i in range(0, len(raster), 3) if raster[i] + raster[i + 1] + raster[i + 2] < 384)
    share = dark / (width * height)
    assert 0.02 < share < 0.5, f"{share:.3f} of the page is dark"


def test_the_letters_raise_no_weasyprint_warning(renderer, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        for data in (AWARD_TO_CHILD, REJECTION, RETURN):
            renderer.pdf(letter_for(data))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


# ------------------------------------------------------------------------------------------- templates

def _templates_with(tmp_path: Path, award: str) -> Path:
    shutil.copy(TEMPLATES_DIR / "letter.css", tmp_path / "letter.css")
    (tmp_path / "award.html").write_text(award, encoding="utf-8")
    return tmp_path


def test_a_template_asking_for_a_value_the_letter_lacks_is_an_error(tmp_path):
    renderer = LetterRenderer(_templates_with(tmp_path, "<p>{{ letter.claim.guardian_name }}</p>"))
    with pytest.raises(jinja2.UndefinedError, match="guardian_name"):
        renderer.html(letter_for(AWARD_TO_FAMILY))


def test_a_template_printing_an_absent_value_is_an_error_never_an_empty_line(tmp_path):
    renderer = LetterRenderer(_templates_with(tmp_path, "<p>Rekening: {{ letter.account }}</p>"))
    with pytest.raises(LetterTemplateError, match="every printed value must be present"):
        renderer.html(letter_for(AWARD_TO_FAMILY))


def test_names_are_escaped_in_the_html(renderer):
    data = case_file()
    data["children"][0]["name"] = "Siti <b>Aminah</b> & Co"
    html = renderer.html(letter_for(data))
    assert "Siti &lt;b&gt;Aminah&lt;/b&gt; &amp; Co" in html
    assert "<b>Aminah</b>" not in html


def test_harfbuzz_subsetting_is_installed_here_and_its_absence_is_warned_about(monkeypatch):
    assert harfbuzz_subsetting_available()
    monkeypatch.setattr(render_module, "harfbuzz_subsetting_available", lambda: False)
    with pytest.warns(SlowFontSubsettingWarning, match="libharfbuzz-subset0"):
        LetterRenderer()


def test_the_layout_serif_is_installed_here_and_its_absence_is_warned_about(monkeypatch):
    assert font_family_installed(render_module.SERIF)
    monkeypatch.setattr(render_module, "SERIF", "No Such Serif")
    with pytest.warns(LayoutFontWarning, match="'No Such Serif'"):
        LetterRenderer()


def test_the_amount_in_words_of_the_letter_is_that_of_the_words_module(renderer):
    text = text_of(renderer.pdf(letter_for(case_file(claim={"level": "PT", "institution": "Universitas Sriwijaya"}))))
    assert f"Rp12.000.000,00 ({amount_in_words(12_000_000)})" in text
    assert "(dua belas juta rupiah)" in text


def test_a_long_letter_keeps_its_closing_words_with_the_signature_on_one_page(renderer, tmp_path):
    data = case_file(
        history=[{"child": "anak-1", "academic_year": "2025/2026", "level": "SMA", "amount": 3000000}],
        claim={"level": "S2", "institution": "Universitas Sriwijaya", "documents": ["claim_form"]})
    data["children"][0].update(married_on="2024-01-06", employed_on="2024-02-01")
    letter = letter_for(data)
    assert len(letter.reasons) >= 4
    reader = pypdf.PdfReader(io.BytesIO(renderer.pdf(letter)))
    assert len(reader.pages) > 1
    last = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    assert "tidak sependapat dengan keputusan ini" in last  # the paragraph before the closing is with it
    assert "Demikian surat ini kami sampaikan." in last
    assert "Kepala Kantor Cabang Palembang, Ahmad Rizal Fahmi" in last
    keep_png(renderer.pdf(letter), "rejection-long", tmp_path)


# ------------------------------------------------------------------------------------------- what a family reads
# Issue 11: what the letters say about the future, to whom, the account, plain words, deadlines, one page end.

PP44_SIBLINGS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "cases"
                            / "09-pp44-sekaligus.json").read_text(encoding="utf-8"))


def test_a_pp_44_2015_award_says_the_benefit_is_paid_once_and_nothing_more_is_claimed(renderer):
    letter = letter_for(PP44_SIBLINGS, day=dt.date(2019, 12, 2))
    assert letter.outlook == Outlook(Future.ONE_TIME, scheme="PP 44/2015")
    text = text_of(renderer.pdf(letter))
    assert "Sesuai PP 44/2015, beasiswa pendidikan anak dibayarkan satu kali untuk setiap peserta" in text
    assert "tidak ada klaim beasiswa lagi untuk tahun ajaran berikutnya" in text
    assert "klaim diajukan kembali" not in text


def test_the_last_year_of_a_level_allowance_says_no_more_years_of_it():
    # SMA: 2023/2024 and 2024/2025 paid, 2025/2026 is the third and last of 3 years.
    data = case_file(history=[{"child": "anak-1", "academic_year": "2023/2024", "level": "SMA", "amount": 3000000},
                              {"child": "anak-1", "academic_year": "2024/2025", "level": "SMA", "amount": 3000000}])
    letter = letter_for(data)
    assert letter.outlook == Outlook(Future.LAST_YEAR, allowance="SMA", years=3, years_left=0)
    html = re.sub(r"\s+", " ", LetterRenderer().html(letter))
    assert ("Tahun ajaran 2025/2026 adalah tahun terakhir jatah SMA (3 tahun) untuk Ananda Siti Aminah; klaim untuk "
            "jenjang tersebut tidak dapat diajukan lagi.") in html
    assert "klaim diajukan kembali" not in html


def test_an_award_with_years_left_states_how_many_and_that_each_year_is_claimed_again():
    letter = letter_for(AWARD_TO_FAMILY)  # SMA, first of 3 years
    assert letter.outlook == Outlook(Future.YEARS_LEFT, allowance="SMA", years=3, years_left=2)
    html = re.sub(r"\s+", " ", LetterRenderer().html(letter))
    assert "Jatah SMA untuk Ananda Siti Aminah masih 2 tahun ajaran lagi (dari 3 tahun)." in html
    assert "Untuk setiap tahun ajaran berikutnya, klaim diajukan kembali" in html


def test_a_stage_of_a_level_group_is_told_when_it_is_the_tighter_allowance():
    # SD/MI: 5 of its 6 years paid; TK–SD has 8, of which 3 would remain, but SD has only this last one.
    history = [{"child": "anak-1", "academic_year": f"{y}/{y + 1}", "level": "SD", "amount": 1500000}
               for y in range(2020, 2025)]
    data = case_file(event={"kind": "death", "date": "2020-03-14"}, history=history,
                     claim={"level": "SD", "institution": "SDN 1 Palembang"})
    data["participant"]["contribution_months"] = 48
    assert letter_for(data).outlook == Outlook(Future.LAST_YEAR, allowance="SD/MI", years=6, years_left=0)


@pytest.mark.parametrize("day, to_child", [(dt.date(2025, 8, 14), False), (dt.date(2025, 8, 15), True)],
                         ids=["the day before the 18th birthday", "on the 18th birthday"])
def test_a_letter_goes_to_the_child_by_name_from_the_18th_birthday(day, to_child):
    data = born(case_file(claim={"payee": "child", "account": ACCOUNT}), "2007-08-15")
    data["guardian"] = "Rahmawati"
    addressee = letter_for(data, day=day).frame.addressee
    if to_child:
        assert addressee.lines == ("Sdri. Siti Aminah",) and addressee.salutation == "Saudari"
    else:
        assert addressee.lines == ("Bapak/Ibu Rahmawati", "Orang Tua/Wali dari Ananda Siti Aminah")


def test_the_age_of_majority_is_a_named_open_interpretation_with_its_citation():
    limit = SETTINGS.addressee.age_of_majority
    assert (limit.id, limit.value, limit.confidence) == ("L1", 18, "open")
    assert "UU 1/1974" in limit.citation and "UU 35/2014" in limit.citation


def test_a_letter_about_a_child_not_of_age_goes_to_the_guardian_the_case_names():
    data = case_file(guardian="Rahmawati")
    assert letter_for(data).frame.addressee.lines == ("Bapak/Ibu Rahmawati",
                                                      "Orang Tua/Wali dari Ananda Siti Aminah")


def test_a_letter_shows_the_address_the_case_gives_instead_of_di_tempat(renderer):
    data = case_file(guardian="Rahmawati", address=["Jalan Merdeka Nomor 12", "Palembang 30111"])
    text = text_of(renderer.pdf(letter_for(data)))
    assert ("Yth. Bapak/Ibu Rahmawati Orang Tua/Wali dari Ananda Siti Aminah Jalan Merdeka Nomor 12 "
            "Palembang 30111 Dengan hormat") in text
    assert "di Tempat" not in text
    assert "Yth. Orang Tua/Wali dari Ananda Siti Aminah di Tempat" in text_of(renderer.pdf(letter_for(case_file())))


def test_a_letter_to_a_child_of_age_uses_the_childs_own_address_when_given():
    data = born(case_file(address=["Jalan Merdeka Nomor 12", "Palembang 30111"]), "2003-01-10")
    data["children"][0]["address"] = ["Jalan Masjid Al Gazali, Indralaya", "Ogan Ilir 30662"]
    addressee = letter_for(data).frame.addressee
    assert addressee.lines == ("Sdri. Siti Aminah",)
    assert addressee.address == ("Jalan Masjid Al Gazali, Indralaya", "Ogan Ilir 30662")


def test_the_account_number_is_masked_to_its_last_four_digits():
    assert masked_account_number("1234567890") == "******7890"
    assert masked_account_number("00210987654321") == "**********4321"
    account = letter_for(AWARD_TO_CHILD).account
    assert (account.bank, account.number, account.holder) == ("Bank Sumsel Babel", "******7890", "Siti Aminah")
    assert json.loads(canonical_bytes(letter_for(AWARD_TO_CHILD)))["account"]["number"] == "******7890"


LONG_REJECTION = case_file(
    history=[{"child": "anak-1", "academic_year": "2025/2026", "level": "SMA", "amount": 3000000}],
    claim={"level": "S2", "institution": "Universitas Sriwijaya", "documents": ["claim_form"]})
LONG_REJECTION["children"][0].update(married_on="2024-01-06", employed_on="2024-02-01")


@pytest.mark.parametrize("data", [AWARD_TO_CHILD, AWARD_TO_FAMILY, REJECTION, RETURN, LONG_REJECTION, PP44_SIBLINGS,
                                  case_file(event={"kind": "death", "date": "2026-08-30"},
                                            claim={"submitted_on": "2026-09-01"})],
                         ids=["award-child", "award-family", "rejection", "return", "long", "pp44", "before-event"])
def test_no_letter_shows_an_interpretation_id_or_a_bare_abbreviation(renderer, data):
    a_case = parse_case(data)
    for decision in decide(a_case, LAW).decisions:
        if decision.outcome is Outcome.PENDING:
            continue
        day = max(TODAY, max(c.submitted_on for c in a_case.claims))
        letter = build_letter(a_case, decision, letter_number(SETTINGS, a_case.office, 1, day), day, SETTINGS)
        text = text_of(renderer.pdf(letter))
        assert not re.search(r"\((?:I|P|L)\d+\)|[Ii]nterpretasi [IPL]\d", text), text
        assert not re.search(r"\bJKK\b|\bJKM\b", text), text


def test_a_rejection_says_by_which_date_reconsideration_can_be_asked(renderer):
    letter = letter_for(REJECTION)
    assert letter.reconsider_by == dt.date(2025, 9, 26)  # 27 August 2025 + 30 days (interpretation L2)
    text = text_of(renderer.pdf(letter))
    assert "paling lambat tanggal 26 September 2025 (30 hari sejak tanggal surat ini)" in text
    assert json.loads(canonical_bytes(letter))["deadline"] == "2025-09-26"


def test_a_return_says_by_which_date_the_documents_are_brought(renderer):
    letter = letter_for(RETURN, day=dt.date(2025, 12, 15))
    assert letter.bring_by == dt.date(2026, 1, 14)  # interpretation L3
    assert "paling lambat tanggal 14 Januari 2026 (30 hari sejak tanggal surat ini)" in text_of(renderer.pdf(letter))


def test_the_deadlines_are_named_open_interpretations_with_their_citations():
    for limit, ident in ((SETTINGS.reconsideration.time_limit, "L2"), (SETTINGS.resubmission.time_limit, "L3")):
        assert (limit.id, limit.value, limit.confidence) == (ident, 30, "open") and limit.citation


def test_the_pp_44_2015_siblings_already_paid_reasons_are_told_once_as_already_paid(renderer):
    a_case = parse_case(PP44_SIBLINGS)
    decision = decide(a_case, LAW).decisions[1]
    assert {r.code.value for r in decision.reasons} == {"CHILD_LIMIT", "LUMP_SUM_PAID", "FAMILY_CAP_REACHED"}
    letter = build_letter(a_case, decision, letter_number(SETTINGS, "KC-PLG", 2, dt.date(2020, 7, 27)),
                          dt.date(2020, 7, 27), SETTINGS)
    (told,) = letter.told
    assert told.message.startswith("Beasiswa menurut PP 44/2015 sebesar Rp12.000.000,00 dibayarkan satu kali")
    assert told.codes == (Code.CHILD_LIMIT, Code.LUMP_SUM_PAID, Code.FAMILY_CAP_REACHED)
    assert told.basis == ("PP 44/2015, Jaminan Kecelakaan Kerja dan Jaminan Kematian: beasiswa pendidikan anak "
                          "Rp12.000.000,00 untuk setiap peserta, sekali")
    assert [r["code"] for r in json.loads(canonical_bytes(letter))["reasons"]] == [
        "CHILD_LIMIT", "LUMP_SUM_PAID", "FAMILY_CAP_REACHED"]  # the data keeps every reason decided
    text = text_of(renderer.pdf(letter))
    assert "karena alasan berikut:" in text and len(pypdf.PdfReader(io.BytesIO(renderer.pdf(letter))).pages) == 1


def test_reasons_with_the_same_message_are_told_once_with_both_bases():
    reasons = (Reason(Code.AGE_LIMIT, "Sama.", "PP 82/2019, batas usia"),
               Reason(Code.AGE_LIMIT, "Sama.", "PP 82/2019, batas usia; Interpretasi I1"),
               Reason(Code.MARRIED, "Lain.", "PP 82/2019, menikah"))
    told = told_reasons(reasons, SETTINGS)
    assert [t.message for t in told] == ["Sama.", "Lain."]
    assert told[0].basis == ("PP 82/2019, batas usia; penafsiran BPJS Ketenagakerjaan: usia anak dihitung pada hari "
                             "pertama tahun ajaran yang diajukan")
    # A host code absent: nothing is told within it.
    alone = told_reasons((Reason(Code.FAMILY_CAP_REACHED, "Batas.", "PP 82/2019"),), SETTINGS)
    assert [t.codes for t in alone] == [(Code.FAMILY_CAP_REACHED,)]


def test_letters_data_telling_a_reason_within_an_unknown_code_is_refused(tmp_path):
    for name in ("letters.toml", "offices.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / "letters.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('LUMP_SUM_PAID = ["CHILD_LIMIT"',
                                                             'LUMP_SUM_PAID = ["CHILD_LIMITS"'), encoding="utf-8")
    with pytest.raises(LetterDataError, match="told_within.LUMP_SUM_PAID: 'CHILD_LIMITS' is not a reason code"):
        load_settings(tmp_path)


def test_an_award_whose_decision_has_no_trace_says_nothing_of_the_years_after_it():
    a_case = parse_case(AWARD_TO_FAMILY)
    decision = attrs.evolve(decide(a_case, LAW).decisions[0], trace=())
    letter = build_letter(a_case, decision, letter_number(SETTINGS, "KC-PLG", 1, TODAY), TODAY, SETTINGS)
    assert letter.outlook == Outlook(Future.UNTOLD)
    html = re.sub(r"\s+", " ", LetterRenderer().html(letter))
    assert "Manfaat tersebut dibayarkan melalui transfer ke rekening pada buku tabungan yang dilampirkan. </p>" in html


def test_letters_render_refuses_a_public_address_that_is_not_one_naming_the_option(tmp_path):
    from ledger_support import beasiswa

    result = beasiswa("letters", "render", "--as", "plg.pengawas", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                      env={"BEASISWA_PUBLIC_URL": "beasiswa.contoh.go.id"})
    assert result.returncode == 2
    assert "--public-url: 'beasiswa.contoh.go.id' bukan alamat http(s)" in result.stderr
    assert not (tmp_path / "x.db").exists()
