"""Kelompok surat in the web application (issue 14): a supervisor starts a batch of the office's letters, which
runs (no broker configured: on the server's process pool, in the background) while the page polls its progress
every 2 s, stops polling once done, and serves each letter's PDF as registered. An auditor reads it; a
supervisor of another office does not find it; a wrong date is refused naming the field."""

import hashlib
import time

from builders import case, claim
from ledger_support import sql
from web_support import database, page_token, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import taken, url_of


def poll(client, path):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        response = client.get(path, headers={"HX-Request": "true", "HX-Target": "kemajuan"})
        assert response.status_code == 200, response.text
        if "hx-trigger" not in response.text:
            return response
        time.sleep(0.5)
    raise AssertionError(f"{path} still running")


def test_a_supervisor_starts_a_batch_and_watches_it_finish_with_its_pdfs(web):
    taken(web.workflow, case(claims=[claim("klaim-1"), claim("klaim-2")]))
    budi = signed_in(web, "budi")
    listing = budi.get("/surat/batch")
    assert 'name="tanggal"' in listing.text and "Mulai kelompok surat" in listing.text
    started = budi.post("/surat/batch", data={"tanggal": "2025-08-27", "csrf_token": page_token(budi)})
    assert started.status_code == 303, started.text
    path = started.headers["location"]
    first = budi.get(path)
    assert first.status_code == 200 and 'id="kemajuan"' in first.text
    done = poll(budi, path)
    assert "2 dari 2 surat diproses" in done.text and "Selesai" in done.text
    rows = sql(url_of(web.workflow), "SELECT l.file_name, f.pdf_sha256 FROM letters l JOIN letter_files f "
                                     "ON f.number = l.number ORDER BY l.sequence")
    assert len(rows) == 2
    for name, sha in rows:
        pdf = budi.get(f"{path}/pdf/{name}")
        assert pdf.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == sha
    assert "#1" in budi.get("/surat/batch").text
    assert signed_in(web, "gita").get(path).status_code == 200
    assert signed_in(web, "fajar").get(path).status_code == 404
    assert signed_in(web, "fajar").get(f"{path}/pdf/{rows[0][0]}").status_code == 404


def test_a_batch_with_a_date_that_is_not_one_is_refused_naming_the_field(web):
    budi = signed_in(web, "budi")
    refused = budi.post("/surat/batch", data={"tanggal": "27-08-2025", "csrf_token": page_token(budi)})
    assert refused.status_code == 400
    assert "Tanggal surat: &#39;27-08-2025&#39; bukan tanggal" in refused.text
    assert sql(url_of(web.workflow), "SELECT COUNT(*) FROM letter_batches")[0][0] == 0
