"""Jejak audit in the browser: newest first, filtered by claim, case, user, action, result and days, in pages;
auditors read every office, supervisors their own office only whatever the address asks; officers and admins
not at all (and their attempt is itself a row); a filter that is not valid is refused naming the field and the
value, never dropped."""

import html
import re

import pytest

from beasiswa.web.pages import audit_trail
from builders import case
from web_support import database, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import audit_rows, sby


@pytest.fixture
def trail(web):
    """A KC-PLG case taken by ani and one of KC-SBY by eko, ani's claim verified, and an officer's refused
    attempt to verify a claim of the other office."""
    w = web.workflow
    assert w.take_in("ani", case(), "plg.csv").refusal is None
    assert w.take_in("eko", sby(case()), "sby.csv").refusal is None
    from beasiswa.model import ClaimRef
    [step] = w.verify("ani", [ClaimRef("KC-PLG-2025-000123", "klaim-1")])
    assert step.ok, step.refusal
    [refused] = w.verify("eko", [ClaimRef("KC-PLG-2025-000123", "klaim-1")])
    assert not refused.ok
    return web


def seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'<td class="num" data-label="Seq">(\d+)</td>', page)]


def subjects(page: str) -> set[str]:
    return set(re.findall(r'<td class="subject" data-label="Subjek">([^<]+)</td>', page))


def text(response) -> str:
    return html.unescape(response.text)


def test_an_auditor_reads_every_offices_rows_newest_first(trail):
    page = signed_in(trail, "gita").get("/jejak-audit").text
    shown = seqs(page)
    assert shown == sorted(shown, reverse=True)
    every = [r["seq"] for r in audit_rows(trail.workflow)]
    assert set(every) - set(shown) == set() or len(shown) == audit_trail.PAGE_SIZE
    assert {"case KC-SBY-2025-000123", "case KC-PLG-2025-000123"} <= subjects(page)


def test_a_supervisor_reads_only_rows_of_their_office_whatever_the_address_asks(trail):
    page = signed_in(trail, "fajar").get("/jejak-audit?kantor=KC-PLG&kasus=KC-PLG-2025-000123").text
    assert "Tidak ada baris jejak yang cocok" in page
    own = signed_in(trail, "fajar").get("/jejak-audit").text
    assert "case KC-SBY-2025-000123" in subjects(own) and not any("KC-PLG" in s for s in subjects(own))
    assert 'name="kantor"' not in own and "Hanya baris kantor KC-SBY" in own


def test_a_supervisor_sees_the_refusal_of_another_offices_officer_on_their_offices_claim(trail):
    page = text(signed_in(trail, "budi").get("/jejak-audit?hasil=ditolak"))
    assert "eko" in page and "<code>OFFICE</code>" in page
    assert subjects(page) == {"claim KC-PLG-2025-000123/klaim-1"}


@pytest.mark.parametrize("query, wanted", [
    ("klaim=KC-PLG-2025-000123/klaim-1", {"decide", "verify"}),
    ("kasus=KC-SBY-2025-000123", {"intake", "decide"}),
    ("pengguna=eko", {"intake", "decide", "verify", "auth.sign_in"}),
    ("tindakan=verify", {"verify"}),
    ("tindakan=auth.", {"auth.sign_in"}),
    ("hasil=ditolak", {"verify"}),
])
def test_each_filter_narrows_the_trail(trail, query, wanted):
    page = signed_in(trail, "gita").get(f"/jejak-audit?{query}").text
    actions = set(re.findall(r'<span class="code">([^<]+)</span>', page))
    assert actions and actions <= wanted | {"auth.sign_in"} and wanted - {"auth.sign_in"} <= actions


def test_a_range_of_days_takes_both_days_whole_and_nothing_outside(trail):
    client = signed_in(trail, "gita")
    assert seqs(client.get("/jejak-audit?dari=2025-08-01&sampai=2025-08-01").text)
    assert "Tidak ada baris jejak yang cocok" in client.get("/jejak-audit?dari=2025-08-02").text
    assert "Tidak ada baris jejak yang cocok" in client.get("/jejak-audit?sampai=2025-07-31").text


def test_a_supervisors_days_are_their_offices_days(trail):
    # 09:00 UTC on 1 August is 16:00 WIB the same day; KC-PLG reads WIB.
    client = signed_in(trail, "budi")
    assert seqs(client.get("/jejak-audit?dari=2025-08-01&sampai=2025-08-01").text)


@pytest.mark.parametrize("query, message", [
    ("hasil=gagal", "hasil: 'gagal' bukan hasil (selesai, ditolak)"),
    ("dari=2025-13-01", "dari: '2025-13-01' bukan tanggal (YYYY-MM-DD)"),
    ("sampai=kemarin", "sampai: 'kemarin' bukan tanggal (YYYY-MM-DD)"),
    ("dari=2025-08-02&sampai=2025-08-01", "sampai: '2025-08-01' sebelum dari '2025-08-02'"),
    ("klaim=KC-PLG-2025-000123", "klaim: 'KC-PLG-2025-000123' bukan ID_KASUS/ID_KLAIM"),
    ("tindakan=DROP%20TABLE", "tindakan: 'DROP TABLE' bukan nama tindakan"),
    ("kantor=kc%20plg", "kantor: 'KC PLG' bukan kode kantor"),
    ("halaman=0", "halaman: '0' bukan nomor halaman"),
    ("pengguna=" + "a" * 101, "pengguna: 'aaaaaaaaaaaaaaaaaaaa'… terlalu panjang (101 karakter, paling banyak 100)"),
])
def test_a_filter_that_is_not_valid_is_refused_naming_the_field_and_the_value(trail, query, message):
    response = signed_in(trail, "gita").get(f"/jejak-audit?{query}")
    assert response.status_code == 400
    assert message in text(response)
    assert not seqs(response.text)


def test_the_trail_comes_in_pages_with_links_that_keep_the_filters(trail, monkeypatch):
    monkeypatch.setattr(audit_trail, "PAGE_SIZE", 2)
    client = signed_in(trail, "gita")
    first = client.get("/jejak-audit?kasus=KC-PLG-2025-000123").text
    assert len(seqs(first)) == 2 and "Halaman 1 dari" in first
    link = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "kasus=KC-PLG-2025-000123" in link and "halaman=2" in link
    second = client.get(link).text
    assert seqs(second) and max(seqs(second)) < min(seqs(first))


@pytest.mark.parametrize("who", ["ani", "admin"])
def test_officers_and_admins_are_refused_and_their_attempt_is_audited(trail, who):
    response = signed_in(trail, who).get("/jejak-audit")
    assert response.status_code == 403
    [row] = [r for r in audit_rows(trail.workflow) if r["action"] == "web.access"]
    assert (row["actor"], row["subject"], row["result"], row["refusal_code"]) == (who, "GET /jejak-audit",
                                                                                  "refused", "ROLE")
    assert "hanya pengawas, auditor" in row["refusal_message"]


def test_the_form_keeps_the_filters_and_labels_every_field(trail):
    page = signed_in(trail, "gita").get("/jejak-audit?pengguna=eko&hasil=ditolak").text
    for field in ("klaim", "kasus", "pengguna", "tindakan", "hasil", "dari", "sampai", "kantor"):
        assert f'<label for="{field}">' in page
    assert 'value="eko"' in page and '<option value="ditolak" selected>' in page
