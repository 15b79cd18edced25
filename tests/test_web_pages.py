"""Beranda and Antrean: what each role sees, the queue's filters, search and pages, and office scoping on the
server (an officer or a supervisor sees their own office's claims whatever the address asks)."""

import attrs
import pytest

from beasiswa.web.pages import queue as queue_page
from beasiswa.workflow import queries
from builders import case, child, claim, nik, participant
from web_support import database, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import sby

import datetime as dt


def plg(number: int, name: str = "Siti Aminah", level: str = "SMA"):
    """A KC-PLG case whose one claim is approved (decided, waiting for an officer)."""
    return case(case_id=f"KC-PLG-2025-{number:06d}", children=(child(name=name),), claims=(claim(level=level),),
                participant=participant(name=f"Peserta {number}"))


@pytest.fixture
def claims(web):
    """Three KC-PLG claims (one SMK) and one KC-SBY claim, all decided and waiting; taken in on 1 August 2025."""
    w = web.workflow
    for a_case, as_ in ((plg(1), "ani"), (plg(2, "Ahmad Fauzi"), "ani"), (plg(3, "Dewi Lestari", "SMK"), "ani"),
                        (sby(plg(4, "Rizki Pratama")), "eko")):
        result = w.take_in(as_, a_case, "test")
        assert result.refusal is None, result.refusal
    return web


def ids_in(page: str) -> list[str]:
    import re
    return re.findall(r'<td class="id"><a href="/klaim/([^"]+)">', page)


# ------------------------------------------------------------------------------------------- Beranda
def test_an_officers_beranda_counts_their_queue_and_their_offices_claims_by_state(claims):
    page = signed_in(claims, "ani").get("/").text
    assert "Klaim kantor KC-PLG menurut status" in page
    assert '<span class="count">3</span>\n    <span class="label">klaim menunggu tindakan Anda</span>' in page
    assert '<span class="state s-decided">diputuskan</span></a></th>\n        <td class="num">3</td>' in page


def test_an_auditors_beranda_counts_every_office_and_a_supervisors_queue_is_their_own(claims):
    auditor = signed_in(claims, "gita").get("/").text
    assert "Klaim semua kantor menurut status" in auditor and "menunggu tindakan Anda" not in auditor
    assert '<span class="state s-decided">diputuskan</span></a></th>\n        <td class="num">4</td>' in auditor
    supervisor = signed_in(claims, "budi").get("/").text
    assert '<span class="count">0</span>\n    <span class="label">klaim menunggu tindakan Anda</span>' in supervisor


def test_beranda_lists_the_claims_waiting_longer_than_the_days_asked(claims):
    client = signed_in(claims, "ani")
    assert "Tidak ada klaim terbuka yang menunggu lebih dari 14 hari." in client.get("/").text
    claims.clock.move(days=20)
    client = signed_in(claims, "ani")
    page = client.get("/?hari=14").text
    assert "3</span>\n    <span class=\"label\">klaim terbuka menunggu lebih dari 14 hari" in page
    assert ids_in(page) == ["KC-PLG-2025-000001/klaim-1", "KC-PLG-2025-000002/klaim-1", "KC-PLG-2025-000003/klaim-1"]
    assert "Tidak ada klaim terbuka yang menunggu lebih dari 30 hari." in client.get("/?hari=30").text


def test_an_admins_beranda_counts_users_and_shows_no_claims(claims):
    page = signed_in(claims, "admin").get("/").text
    assert "Pengguna" in page and "menurut status" not in page
    assert "<tr><th scope=\"row\">petugas</th><td class=\"num\">3</td><td class=\"num\">0</td></tr>" in page


# ------------------------------------------------------------------------------------------- Antrean
def test_an_officers_queue_is_their_offices_whatever_the_address_asks(claims):
    client = signed_in(claims, "ani")
    expected = ["KC-PLG-2025-000001/klaim-1", "KC-PLG-2025-000002/klaim-1", "KC-PLG-2025-000003/klaim-1"]
    assert ids_in(client.get("/antrean").text) == expected
    assert ids_in(client.get("/antrean?kantor=KC-SBY").text) == expected
    assert ids_in(signed_in(claims, "fajar").get("/antrean").text) == ["KC-SBY-2025-000004/klaim-1"]


def test_an_auditor_sees_every_office_and_may_filter_by_one(claims):
    client = signed_in(claims, "gita")
    assert len(ids_in(client.get("/antrean").text)) == 4
    assert ids_in(client.get("/antrean?kantor=kc-sby").text) == ["KC-SBY-2025-000004/klaim-1"]


@pytest.mark.parametrize("asked, named", [
    ("kantor=bukan kantor", "kantor: &#39;bukan kantor&#39; bukan kode kantor"),
    ("status=selesai", "status: &#39;selesai&#39; bukan status klaim (submitted, decided"),
    ("jenjang=bukan", "jenjang: &#39;bukan&#39; bukan jenjang (TK, PAUD"),
    ("lama=dua", "lama: &#39;dua&#39; bukan jumlah hari (0 sampai 3650)"),
    ("lama=3651", "lama: &#39;3651&#39; bukan jumlah hari"),
])
def test_a_filter_that_is_not_one_is_refused_naming_the_field_and_the_value(claims, asked, named):
    response = signed_in(claims, "gita").get(f"/antrean?{asked}")
    assert response.status_code == 400
    assert "Saringan tidak dapat dipakai: " + named in response.text
    assert ids_in(response.text) == []


def test_a_refused_filter_in_an_htmx_request_is_told_in_the_results(claims):
    response = signed_in(claims, "ani").get("/antrean?status=x", headers={"HX-Request": "true", "HX-Target": "hasil"})
    assert response.status_code == 400 and response.text.startswith('<section id="hasil"')
    assert "status: &#39;x&#39; bukan status klaim" in response.text


def test_the_days_filter_takes_its_boundary_3650_and_refuses_3651(claims):
    client = signed_in(claims, "ani")
    assert client.get("/antrean?lama=3650").status_code == 200
    assert client.get("/antrean?lama=3651").status_code == 400


def test_the_queue_filters_by_state_level_and_days_waiting(claims):
    client = signed_in(claims, "ani")
    assert ids_in(client.get("/antrean?jenjang=SMK").text) == ["KC-PLG-2025-000003/klaim-1"]
    assert ids_in(client.get("/antrean?status=verified").text) == []
    assert len(ids_in(client.get("/antrean?status=decided&jenjang=SMA").text)) == 2
    assert ids_in(client.get("/antrean?lama=1").text) == []
    claims.clock.move(days=2)
    client = signed_in(claims, "ani")
    assert len(ids_in(client.get("/antrean?lama=1").text)) == 3


def test_the_queue_searches_by_name_nik_and_kpj(claims):
    client = signed_in(claims, "ani")
    assert ids_in(client.get("/antrean?cari=fauzi").text) == ["KC-PLG-2025-000002/klaim-1"]
    assert ids_in(client.get("/antrean?cari=Peserta 3").text) == ["KC-PLG-2025-000003/klaim-1"]
    assert len(ids_in(client.get(f"/antrean?cari={nik(dt.date(2010, 5, 15))}").text)) == 3  # the children's NIK
    assert len(ids_in(client.get("/antrean?cari=12345678901").text)) == 3  # the participants' KPJ
    assert ids_in(client.get("/antrean?cari=Rizki").text) == []  # KC-SBY's child: not this office
    assert ids_in(client.get("/antrean?cari=100%25").text) == []


def test_a_search_matching_many_finds_the_same_claims_as_one_matching_few(claims, monkeypatch):
    client = signed_in(claims, "ani")
    asked = ["fauzi", "Peserta", f"{nik(dt.date(2010, 5, 15))}", "12345678901", "Rizki"]
    few = [ids_in(client.get(f"/antrean?cari={text}").text) for text in asked]
    monkeypatch.setattr(queries, "FEW_MATCHES", 0)  # every match "many": the claims tested against the matches
    assert [ids_in(client.get(f"/antrean?cari={text}").text) for text in asked] == few
    assert few[1] and few[2]


def test_a_name_finds_the_claims_of_a_participant_bearing_it_and_of_a_child_bearing_it_alone(claims, monkeypatch):
    w = claims.workflow
    family = attrs.evolve(plg(5, "Ani Santoso"), participant=participant(name="Budi Santoso"))
    alone = plg(6, "Rina Santoso")  # the participant is "Peserta 6"
    for a_case in (family, alone, sby(plg(7, "Joko Santoso"))):
        assert w.take_in("eko" if a_case.office == "KC-SBY" else "ani", a_case, "test").refusal is None
    client = signed_in(claims, "ani")
    found = ids_in(client.get("/antrean?cari=santoso").text)
    assert sorted(found) == ["KC-PLG-2025-000005/klaim-1", "KC-PLG-2025-000006/klaim-1"]
    monkeypatch.setattr(queries, "CHILDREN_LOOKED_UP", 0)  # more children than are looked up: "many"
    assert sorted(ids_in(client.get("/antrean?cari=santoso").text)) == sorted(found)


def test_mine_shows_what_awaits_the_user(claims):
    assert len(ids_in(signed_in(claims, "ani").get("/antrean?milik=1").text)) == 3
    assert ids_in(signed_in(claims, "budi").get("/antrean?milik=1").text) == []


def test_the_queue_comes_in_pages_that_keep_the_filters(claims, monkeypatch):
    monkeypatch.setattr(queue_page, "PAGE_SIZE", 2)
    client = signed_in(claims, "ani")
    first = client.get("/antrean?status=decided").text
    assert ids_in(first) == ["KC-PLG-2025-000001/klaim-1", "KC-PLG-2025-000002/klaim-1"]
    assert "Klaim 1–2 dari 3" in first and "Halaman 1 dari 2" in first
    assert 'href="/antrean?status=decided&amp;kantor=KC-PLG&amp;halaman=2"' in first
    second = client.get("/antrean?status=decided&kantor=KC-PLG&halaman=2").text
    assert ids_in(second) == ["KC-PLG-2025-000003/klaim-1"] and "Klaim 3–3 dari 3" in second
    assert ids_in(client.get("/antrean?halaman=99").text) == ["KC-PLG-2025-000003/klaim-1"]  # the last page
    assert ids_in(client.get("/antrean?halaman=x").text)[0] == "KC-PLG-2025-000001/klaim-1"


def test_an_htmx_filter_request_gets_the_results_alone(claims):
    client = signed_in(claims, "ani")
    response = client.get("/antrean?jenjang=SMK", headers={"HX-Request": "true", "HX-Target": "hasil"})
    assert response.text.startswith('<section id="hasil"') and "<html" not in response.text
    assert ids_in(response.text) == ["KC-PLG-2025-000003/klaim-1"]
    assert "HX-Request" in response.headers["vary"]


def test_the_queue_shows_the_claim_in_indonesian(claims):
    page = signed_in(claims, "ani").get("/antrean").text
    assert "disetujui" in page and "Rp3.000.000,00" in page and "sejak 1 Agustus 2025" in page
    assert "Siti Aminah" in page
