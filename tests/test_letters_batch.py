"""Letters in batches and their verification (issue 4), on SQLite and PostgreSQL, through the command line:
`letters render` letters every decided claim once, with workers racing, and finishes what a killed run left;
`letters verify` tells a genuine letter from an altered one and from one of another database."""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time

import pypdf
import pytest

from beasiswa.letters.canonical import ATTACHMENT_NAME
from ledger_support import ROOT, beasiswa, database, sql  # noqa: F401 - fixture
from letters_support import DAY, as_issuers, issuing, register_claims, register_fixtures, register_rows, sequences_of


def render(url, out, *args, check=True):
    result = beasiswa("letters", "render", "--out", str(out), "--db", url, "--date", DAY.isoformat(), *as_issuers(),
                      *args)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def verify(url, path):
    return beasiswa("letters", "verify", str(path), "--db", url)


def assert_every_file_is_the_one_registered(rows, out):
    for row in rows:
        assert row.pdf_sha256 is not None, f"{row.number} was never recorded"
        assert hashlib.sha256((out / row.file_name).read_bytes()).hexdigest() == row.pdf_sha256, row.number


def assert_one_letter_per_claim(rows, keys):
    assert sorted((r.case_id, r.claim_id) for r in rows) == sorted((k.case_id, k.claim_id) for k in keys)


# ------------------------------------------------------------------------------------------ rendering


def test_four_workers_rendering_200_letters_get_200_distinct_consecutive_numbers(database, tmp_path):
    keys = register_claims(database, 25, 8)
    out = tmp_path / "letters"
    result = render(database, out, "--workers", "4")
    assert "200 surat ditulis" in result.stdout and "oleh 4 proses" in result.stdout
    rows = register_rows(database)
    assert len({r.number for r in rows}) == 200
    assert sequences_of(rows) == {("KC-PLG", 2025): list(range(1, 201))}
    assert_one_letter_per_claim(rows, keys)
    assert_every_file_is_the_one_registered(rows, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(r.file_name for r in rows)  # no temporary left


def test_a_second_run_finds_nothing_to_do_and_numbers_nothing(database, tmp_path):
    register_claims(database, 2, 2)
    render(database, tmp_path, "--workers", "2")
    again = render(database, tmp_path)
    assert "tidak ada surat untuk dibuat" in again.stdout
    assert sql(database, "SELECT last FROM letter_sequences")[0][0] == 4


def test_a_render_killed_part_way_and_run_again_letters_every_claim_once_and_no_number_twice(database, tmp_path):
    keys = register_claims(database, 8, 8)
    out = tmp_path / "letters"
    batch = subprocess.Popen([sys.executable, "-c", "from beasiswa.cli import app; app()", "letters", "render",
                              "--out", str(out), "--db", database, "--date", DAY.isoformat(), "--workers", "2",
                              *as_issuers()],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while sql(database, "SELECT COUNT(*) FROM letters")[0][0] < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(batch.pid, signal.SIGKILL)  # the command and its workers, at once, wherever they are
    batch.communicate()
    killed_at = len(register_rows(database))
    assert 10 <= killed_at < 64, "the run was not killed part way"

    result = render(database, out)
    rows = register_rows(database)
    assert len(rows) == 64 and f"{64 - killed_at} dinomori sekarang" in result.stdout
    assert sequences_of(rows) == {("KC-PLG", 2025): list(range(1, 65))}
    assert_one_letter_per_claim(rows, keys)
    assert_every_file_is_the_one_registered(rows, out)


def test_a_letter_numbered_before_a_crash_is_rendered_with_its_number_and_date_by_the_next_run(database, tmp_path):
    keys = register_claims(database, 1, 3)
    register = issuing(database)
    crashed = register.number(keys[1], DAY.replace(day=1))  # numbered, and the process died before the PDF
    assert register.unrendered() == [register.lookup(crashed.entry.number)]
    result = render(database, tmp_path)
    assert "1 dinomori oleh jalannya sebelumnya dan diselesaikan sekarang" in result.stdout
    entry = register.lookup(crashed.entry.number)
    assert entry.pdf_sha256 is not None and entry.letter_date == DAY.replace(day=1)
    assert [r.number for r in register_rows(database)] == [f"B/000{i}/KC-PLG/BSW/08/2025" for i in (1, 2, 3)]
    assert register.unrendered() == []


def test_one_claim_is_rendered_by_its_id_and_rendering_it_again_writes_the_same_bytes(database, tmp_path):
    register_claims(database, 1, 2)
    first = render(database, tmp_path, "--claim", "KC-PLG-2025-000001/klaim-2")
    assert first.stdout.startswith("B/0001/KC-PLG/BSW/08/2025: surat penetapan untuk KC-PLG-2025-000001/klaim-2 "
                                   "(dinomori sekarang)")
    path = tmp_path / "B_0001_KC-PLG_BSW_08_2025.pdf"
    pdf = path.read_bytes()
    path.unlink()
    again = render(database, tmp_path, "--claim", "KC-PLG-2025-000001/klaim-2")
    assert "(dinomori sebelumnya, ditulis ulang)" in again.stdout
    assert path.read_bytes() == pdf
    assert len(register_rows(database)) == 1


def test_a_claim_given_badly_or_pending_is_refused_naming_it(database, tmp_path):
    register_fixtures(database, ("07",))
    bad = render(database, tmp_path, "--claim", "klaim-1", check=False)
    assert bad.returncode == 2 and "'klaim-1' is not CASE_ID/CLAIM_ID" in bad.stderr
    pending = render(database, tmp_path, "--claim", "KC-SBY-2023-001204/klaim-1", check=False)
    assert pending.returncode == 1 and "CLAIM_PENDING" in pending.stderr
    assert register_rows(database) == []


def test_the_sample_cases_get_award_rejection_and_return_letters_and_pending_claims_none(database, tmp_path):
    cases = register_fixtures(database)
    render(database, tmp_path)
    rows = register_rows(database)
    decided = sql(database, "SELECT case_id, claim_id FROM claims WHERE outcome <> 'pending'")
    assert sorted((r.case_id, r.claim_id) for r in rows) == sorted(decided)
    assert {r.kind for r in rows} == {"award", "rejection", "return"}
    assert ("KC-SBY-2023-001204", "klaim-1") not in {(r.case_id, r.claim_id) for r in rows}
    offices = {c.office for c in cases}
    assert {office for office, _ in sequences_of(rows)} == offices
    assert all(s == list(range(1, len(s) + 1)) for s in sequences_of(rows).values())


def test_the_first_page_of_a_letter_of_each_kind_becomes_a_png_a_person_can_look_at(database, tmp_path):
    register_fixtures(database)
    render(database, tmp_path / "letters")
    result = beasiswa("letters", "samples", "--letters", str(tmp_path / "letters"), "--out", str(tmp_path / "png"),
                      "--db", database)
    assert result.returncode == 0, result.stdout + result.stderr
    pngs = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert pngs == ["contoh-surat-penetapan.png", "contoh-surat-pengembalian.png", "contoh-surat-penolakan.png"]
    for name in pngs:
        width, height, ink = png_ink(tmp_path / "png" / name)
        assert (width, abs(height - 1169) <= 1) == (827, True)  # A4 at 100 dpi (pdftoppm rounds the height up)
        assert 0.01 < ink < 0.5, f"{name}: {ink:.1%} of the page is ink"


def test_samples_of_letters_whose_pdfs_are_gone_are_refused_naming_the_letter(database, tmp_path):
    register_fixtures(database, ("01",))
    render(database, tmp_path / "letters")
    for pdf in (tmp_path / "letters").iterdir():
        pdf.unlink()
    result = beasiswa("letters", "samples", "--letters", str(tmp_path / "letters"), "--out", str(tmp_path / "png"),
                      "--db", database)
    assert result.returncode == 2
    assert "letter B/0001/KC-PLG/BSW/08/2025: its PDF" in result.stderr and "is missing" in result.stderr
    assert list((tmp_path / "png").iterdir()) == []


def png_ink(path):
    """Width, height and the share of pixels darker than light grey, read with Pillow (WeasyPrint's own dependency)."""
    from PIL import Image

    with Image.open(path) as image:
        grey = image.convert("L")
        dark = sum(count for level, count in enumerate(grey.histogram()) if level < 200)
        return grey.width, grey.height, dark / (grey.width * grey.height)


# ------------------------------------------------------------------------------------------ verifying


@pytest.fixture
def letter(database, tmp_path):
    """A genuine award letter of the contract's example case, rendered into tmp_path/letters."""
    register_fixtures(database, ("01",))
    out = tmp_path / "letters"
    render(database, out)
    (path,) = out.iterdir()
    return path


def test_a_genuine_letter_passes(database, letter):
    result = verify(database, letter)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"ASLI: {letter} (surat B/0001/KC-PLG/BSW/08/2025)")
    assert "terdaftar untuk klaim KC-PLG-2025-000123/klaim-1 (surat penetapan, bertanggal 27 Agustus 2025)" in result.stdout


def test_a_letter_with_one_byte_changed_is_altered(database, letter):
    pdf = bytearray(letter.read_bytes())
    at = pdf.index(b"/ID [(") + 6  # a digit of the file identifier: the PDF still reads, its bytes differ
    pdf[at] = ord("0") if pdf[at] != ord("0") else ord("1")
    letter.write_bytes(bytes(pdf))
    result = verify(database, letter)
    assert result.returncode == 1
    assert result.stdout.startswith("DIUBAH:")
    assert "isi PDF bukan yang terdaftar" in result.stdout
    assert "data terlampir sama dengan data yang terdaftar" in result.stdout


def test_a_letter_whose_attached_data_was_changed_is_altered_naming_the_fact(database, letter):
    reader = pypdf.PdfReader(letter)
    data = json.loads(reader.attachments[ATTACHMENT_NAME][0])
    data["amount"] = 30_000_000
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_attachment(ATTACHMENT_NAME, json.dumps(data).encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    forged = letter.with_name("forged.pdf")
    forged.write_bytes(buffer.getvalue())
    result = verify(database, forged)
    assert result.returncode == 1 and result.stdout.startswith("DIUBAH:")
    assert "amount (terdaftar 3000000, terlampir 30000000)" in result.stdout


def test_a_letter_of_another_database_is_unknown(database, letter, tmp_path):
    other = f"sqlite:///{tmp_path / 'other.db'}"
    beasiswa("db", "upgrade", "--db", other, check=True)
    register_fixtures(other, ("02", "06"))  # KC-SBY's first letters, and KC-PLG's B/0001 for another claim
    render(other, tmp_path / "other")
    sby = verify(database, tmp_path / "other" / "B_0001_KC-SBY_BSW_08_2025.pdf")
    assert sby.returncode == 1 and sby.stdout.startswith("TIDAK DIKENAL:")
    assert "B/0001/KC-SBY/BSW/08/2025 tidak ada dalam register basis data ini" in sby.stdout
    plg = verify(database, tmp_path / "other" / "B_0001_KC-PLG_BSW_08_2025.pdf")
    assert plg.returncode == 1 and plg.stdout.startswith("TIDAK DIKENAL:")
    assert "terdaftar di sini untuk klaim KC-PLG-2025-000123/klaim-1" in plg.stdout


def test_a_pdf_without_letter_data_is_unknown_and_a_file_that_is_no_pdf_is_unreadable(database, letter, tmp_path):
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(HTML(string="<p>Surat biasa</p>").write_pdf())
    result = verify(database, plain)
    assert result.returncode == 1 and result.stdout.startswith("TIDAK DIKENAL:")
    assert "bukan surat beasiswa" in result.stdout
    text = tmp_path / "note.pdf"
    text.write_text("not a pdf")
    unreadable = verify(database, text)
    assert unreadable.returncode == 2 and "bukan PDF" in unreadable.stderr
    missing = verify(database, tmp_path / "missing.pdf")
    assert missing.returncode == 2 and "tidak dapat dibaca" in missing.stderr
