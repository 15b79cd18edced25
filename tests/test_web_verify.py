"""The public letter verification page (/verifikasi): by number and the short digest beside the QR code, and by
uploading the PDF; signed out, on letters rendered into a real register (each dialect)."""

import io
import json

import anyio
import pypdf
import pytest
from fastapi.testclient import TestClient

from beasiswa.db import make_engine
from beasiswa.letters.batch import LetterIssuer
from beasiswa.letters.canonical import ATTACHMENT_NAME, DEFAULT_PUBLIC_URL, qr_text, short_digest, verify_url
from beasiswa.letters.render import LetterRenderer
from beasiswa.web import create_app
from beasiswa.web.pages.verify import MAX_FORM, MAX_UPLOAD
from ledger_support import database  # noqa: F401 - fixture
from letters_support import DAY, issuing, register_claims
from web_support import token_of

NUMBER = "B/0001/KC-PLG/BSW/08/2025"
UNKNOWN = "B/0999/KC-PLG/BSW/08/2025"


@pytest.fixture(scope="module")
def renderer():
    return LetterRenderer()


@pytest.fixture
def letter(database, tmp_path, renderer):
    """One award letter of KC-PLG numbered, rendered and recorded: (its PDF's bytes, its register row, the
    child's NIK in full)."""
    keys = register_claims(database, 1, 1)
    register = issuing(database)
    try:
        issued, failed, skipped = LetterIssuer(register, tmp_path, renderer).run(keys, DAY)
        assert not failed and not skipped and [i.number for i in issued] == [NUMBER]
        entry = register.lookup(NUMBER)
        case = register.case(entry.case_id)
        nik = case.child(case.claims[0].child).nik.value
    finally:
        register.engine.dispose()
    return (tmp_path / (NUMBER.replace("/", "_") + ".pdf")).read_bytes(), entry, nik


@pytest.fixture
def client(database):
    engine = make_engine(database)
    app = create_app(engine, secure_cookies=False, public_base_url="http://testserver")
    yield TestClient(app, base_url="http://testserver", follow_redirects=False)
    engine.dispose()


def upload(client, pdf: bytes, name: str = "surat.pdf", with_token: bool = True):
    data = {"csrf_token": token_of(client.get("/verifikasi"))} if with_token else {}
    return client.post("/verifikasi", data=data, files={"berkas": (name, pdf, "application/pdf")})


def test_the_page_opens_signed_out_with_both_forms(client):
    response = client.get("/verifikasi")
    assert response.status_code == 200
    assert 'action="/verifikasi"' in response.text and 'name="berkas"' in response.text
    assert 'name="nomor"' in response.text and 'name="kode"' in response.text


def test_a_registered_number_with_its_digest_is_genuine_and_shows_only_what_the_letter_carries(client, letter):
    pdf, entry, nik = letter
    response = client.get("/verifikasi", params={"nomor": NUMBER, "kode": short_digest(entry.data_digest)})
    assert response.status_code == 200
    assert "ASLI" in response.text and NUMBER in response.text and "27 Agustus 2025" in response.text
    assert nik[:6] + "*" * 10 in response.text
    assert nik not in response.text
    assert entry.case_id not in response.text


def test_the_qr_code_text_pasted_whole_is_read(client, letter):
    _pdf, entry, _nik = letter
    response = client.get("/verifikasi", params={"nomor": qr_text(NUMBER, entry.data_digest)})
    assert response.status_code == 200 and "ASLI" in response.text


def test_a_registered_number_with_another_digest_is_altered(client, letter):
    response = client.get("/verifikasi", params={"nomor": NUMBER, "kode": "0" * 16})
    assert response.status_code == 200
    assert "DIUBAH" in response.text and "ASLI" not in response.text
    assert "NIK anak" not in response.text


def test_a_number_not_in_the_register_is_unknown(client, letter):
    response = client.get("/verifikasi", params={"nomor": UNKNOWN, "kode": "0" * 16})
    assert response.status_code == 200
    assert "TIDAK DIKENAL" in response.text and UNKNOWN in response.text


def test_a_malformed_number_is_refused_naming_the_field_and_the_value(client):
    response = client.get("/verifikasi", params={"nomor": "B-12-KC", "kode": "0" * 16})
    assert response.status_code == 400
    assert "Nomor surat: &#39;B-12-KC&#39; tidak berbentuk B/0123/KC-PLG/BSW/08/2025." in response.text


def test_a_malformed_digest_is_refused_naming_the_field_and_the_value(client):
    response = client.get("/verifikasi", params={"nomor": NUMBER, "kode": "xyz"})
    assert response.status_code == 400
    assert "Kode verifikasi: &#39;xyz&#39; harus 16 karakter heksadesimal" in response.text


def test_the_genuine_pdf_uploaded_is_genuine(client, letter):
    pdf, _entry, nik = letter
    response = upload(client, pdf)
    assert response.status_code == 200, response.text
    assert "ASLI" in response.text and NUMBER in response.text
    assert nik not in response.text


def test_a_pdf_whose_bytes_were_changed_is_altered(client, letter):
    pdf = bytearray(letter[0])
    at = pdf.index(b"/ID [(") + 6
    pdf[at] = ord("0") if pdf[at] != ord("0") else ord("1")
    response = upload(client, bytes(pdf))
    assert response.status_code == 200
    assert "DIUBAH" in response.text and "isi PDF bukan yang terdaftar" in response.text


def with_data(pdf: bytes, data: dict) -> bytes:
    """The letter's pages with `data` attached in place of its own."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter()
    for each in reader.pages:
        writer.add_page(each)
    writer.add_attachment(ATTACHMENT_NAME, json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    forged = io.BytesIO()
    writer.write(forged)
    return forged.getvalue()


def test_a_pdf_with_other_attached_data_is_altered_naming_the_fact_but_not_its_registered_value(client, letter):
    pdf, entry, nik = letter
    data = json.loads(entry.data)
    registered_amount = data["amount"]
    data["amount"] = registered_amount * 10
    response = upload(client, with_data(pdf, data))
    assert response.status_code == 200
    assert "DIUBAH" in response.text and "data terlampir bukan data yang terdaftar" in response.text
    assert "berubah: amount" in response.text
    assert str(registered_amount) not in response.text and nik not in response.text


def test_a_pdf_claiming_a_number_registered_for_another_claim_is_unknown_without_naming_that_claim(client, letter):
    pdf, entry, _nik = letter
    data = {**json.loads(entry.data), "case": "KC-PLG-LAIN", "claim": "klaim-lain"}
    response = upload(client, with_data(pdf, data))
    assert response.status_code == 200
    assert "TIDAK DIKENAL" in response.text and "untuk klaim lain" in response.text
    assert entry.case_id not in response.text


def test_a_file_that_is_not_a_pdf_is_refused_naming_the_file(client):
    response = upload(client, b"bukan pdf sama sekali", name="foto.jpg")
    assert response.status_code == 422
    assert "Berkas PDF: foto.jpg: bukan PDF" in response.text


def test_an_upload_over_the_limit_is_refused_politely(client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * MAX_UPLOAD, name="besar.pdf")
    assert response.status_code == 413
    assert "Berkas PDF: &#39;besar.pdf&#39; lebih besar dari batas 5 MB" in response.text


def test_an_upload_whose_length_is_over_the_limit_is_refused_in_indonesian_before_its_body_is_read(database):
    engine = make_engine(database)
    app = create_app(engine, secure_cookies=False, public_base_url="http://testserver")
    sent = []

    async def receive():
        raise AssertionError("the body of an upload over the limit was read")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/verifikasi", "raw_path": b"/verifikasi", "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
             "headers": [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=batas"),
                         (b"content-length", str(MAX_FORM + 1).encode())]}
    anyio.run(app, scope, receive, send)
    engine.dispose()
    assert sent[0]["status"] == 413
    text = b"".join(m.get("body", b"") for m in sent[1:]).decode()
    assert "Berkas terlalu besar" in text and "Berkas PDF: lebih besar dari batas 5 MB" in text


def test_a_form_of_exactly_the_limit_is_read_and_its_file_refused_by_its_own_limit(client):
    token = token_of(client.get("/verifikasi"))
    head = (f"--batas\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--batas\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"besar.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    tail = b"\r\n--batas--\r\n"
    body = head + b"0" * (MAX_FORM - len(head) - len(tail)) + tail
    assert len(body) == MAX_FORM
    response = client.post("/verifikasi", content=body, headers={"content-type": "multipart/form-data; boundary=batas"})
    assert response.status_code == 413
    assert "Berkas PDF: &#39;besar.pdf&#39; lebih besar dari batas 5 MB" in response.text


def test_a_post_without_a_file_is_refused_naming_the_field(client):
    response = client.post("/verifikasi", data={"csrf_token": token_of(client.get("/verifikasi"))})
    assert response.status_code == 400
    assert "Berkas PDF: tidak ada berkas yang diunggah" in response.text


def test_an_upload_without_the_csrf_token_is_refused(client, letter):
    response = upload(client, letter[0], with_token=False)
    assert response.status_code == 403
    assert "CSRF" in response.text and "ASLI" not in response.text


def test_the_qr_code_printed_on_the_letter_opens_this_page_which_says_genuine(client, letter):
    zxingcpp = pytest.importorskip("zxingcpp")
    import subprocess
    from urllib.parse import urlsplit

    from PIL import Image

    pdf, _entry, _nik = letter
    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-"], input=pdf,
                         capture_output=True, check=True).stdout
    [code] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    address = urlsplit(code)
    assert f"{address.scheme}://{address.netloc}" == DEFAULT_PUBLIC_URL and address.path == "/verifikasi"
    response = client.get(f"{address.path}?{address.query}")
    assert response.status_code == 200 and "ASLI" in response.text and NUMBER in response.text


def test_the_qr_codes_address_pasted_whole_into_the_number_field_is_read(client, letter):
    _pdf, entry, _nik = letter
    response = client.get("/verifikasi", params={"nomor": verify_url("https://contoh.go.id", NUMBER, entry.data_digest)})
    assert response.status_code == 200 and "ASLI" in response.text
