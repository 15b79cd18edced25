"""Who may use each route of the web application: the route table checked against the matrix written here, and
every route requested by every role (and signed out, and by a user who must change a one-time password first),
each with the status its rule gives. A route added without an entry here fails; so does a rule loosened.

On SQLite only: the guard and the route table read no dialect, and the matrix is ~300 requests each on a fresh
database (a quarter of an hour on PostgreSQL); each page's own tests run on both."""

import re

import pytest

from beasiswa.web.access import PUBLIC, ROUTES, SESSION, SIGNED_IN, Rule, check_every_route_has_a_rule, roles, served
from beasiswa.access.roles import Role
from beasiswa.web.csrf import SAFE_METHODS
from builders import case
from web_support import VISITORS, page_token, signing, visitor, web  # noqa: F401 - fixtures
from ledger_support import sqlite_database


@pytest.fixture
def database(tmp_path):
    """This module's databases: SQLite (see above)."""
    return sqlite_database(tmp_path)

# The matrix: who may use each route. Public: anyone; session: any live session, also one that must change its
# password; signed_in: any role with its password changed; roles(...): those roles only.
MATRIX = {
    ("GET", "/masuk"): PUBLIC,
    ("POST", "/masuk"): PUBLIC,
    ("POST", "/keluar"): SESSION,
    ("GET", "/ganti-sandi"): SESSION,
    ("POST", "/ganti-sandi"): SESSION,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/antrean"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/verifikasi"): PUBLIC,
    ("POST", "/verifikasi"): PUBLIC,
    ("GET", "/penerimaan"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("POST", "/penerimaan"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("GET", "/penerimaan/templat.csv"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("GET", "/penerimaan/templat.xlsx"): roles(Role.OFFICER, Role.SUPERVISOR),
    # Officers and admins do not read the trail (beasiswa/web/pages/audit_trail.py says why).
    ("GET", "/jejak-audit"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/pengguna"): roles(Role.ADMIN),
    ("POST", "/pengguna"): roles(Role.ADMIN),
    ("GET", "/pengguna/akun"): roles(Role.ADMIN),
    ("POST", "/pengguna/ubah"): roles(Role.ADMIN),
    ("POST", "/pengguna/nonaktifkan"): roles(Role.ADMIN),
    ("POST", "/pengguna/sandi"): roles(Role.ADMIN),
    ("POST", "/pengguna/sesi/akhiri"): roles(Role.ADMIN),
    ("POST", "/antrean/verifikasi"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("POST", "/antrean/setujui"): roles(Role.SUPERVISOR),
    ("GET", "/klaim/{case_id}/{claim_id}"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("POST", "/klaim/{case_id}/{claim_id}/verifikasi"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("POST", "/klaim/{case_id}/{claim_id}/setujui"): roles(Role.SUPERVISOR),
    ("POST", "/klaim/{case_id}/{claim_id}/bayar"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("POST", "/klaim/{case_id}/{claim_id}/kembalikan"): roles(Role.OFFICER),
    ("POST", "/klaim/{case_id}/{claim_id}/ubah-putusan"): roles(Role.OFFICER),
    ("POST", "/klaim/{case_id}/{claim_id}/ajukan-ulang"): roles(Role.OFFICER),
    ("POST", "/klaim/{case_id}/{claim_id}/tunggakan"): roles(Role.OFFICER, Role.SUPERVISOR),
    ("POST", "/klaim/{case_id}/{claim_id}/peninjauan-kembali"): roles(Role.OFFICER),
    ("POST", "/klaim/{case_id}/{claim_id}/putus-ulang"): roles(Role.OFFICER),
    ("GET", "/surat/batch"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("POST", "/surat/batch"): roles(Role.SUPERVISOR),
    ("GET", "/surat/batch/{batch_id}"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/surat/batch/{batch_id}/pdf/{name}"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/anggaran"): roles(Role.AUDITOR, Role.SUPERVISOR),
    ("GET", "/anggaran/grafik.svg"): roles(Role.AUDITOR, Role.SUPERVISOR),
    ("GET", "/surat"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/surat/lihat/{kode}"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/surat/unduh/{kode}"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/jurnal"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("POST", "/jurnal/verifikasi"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/jurnal/pengecualian"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/jurnal/ekspor"): roles(Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/pembayaran"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/pembayaran/{name}"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
    ("GET", "/pembayaran/{name}/berkas"): roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR),
}
# What an allowed request sends, and the status it gets (a refused form is 400: the route was reached).
SAMPLES = {
    ("GET", "/masuk"): ({}, 200),
    ("POST", "/masuk"): ({"nama": "tidak-ada", "sandi": "salah-salah-salah"}, 400),
    ("POST", "/keluar"): ({}, 303),
    ("GET", "/ganti-sandi"): ({}, 200),
    ("POST", "/ganti-sandi"): ({"sandi_lama": "salah", "sandi_baru": "x", "sandi_ulang": "x"}, 400),
    ("GET", "/"): ({}, 200),
    ("GET", "/antrean"): ({}, 200),
    ("GET", "/verifikasi"): ({}, 200),
    ("POST", "/verifikasi"): ({}, 400),
    ("GET", "/penerimaan"): ({}, 200),
    ("POST", "/penerimaan"): ({}, 400),  # no file
    ("GET", "/penerimaan/templat.csv"): ({}, 200),
    ("GET", "/penerimaan/templat.xlsx"): ({}, 200),
    ("GET", "/jejak-audit"): ({}, 200),
    ("GET", "/pengguna"): ({}, 200),
    ("POST", "/pengguna"): ({"nama": "", "peran": "officer", "kantor": "KC-PLG"}, 400),
    ("GET", "/pengguna/akun"): ({}, 400),  # no name
    ("POST", "/pengguna/ubah"): ({"nama": "ani", "peran": "officer", "kantor": "KC-PLG"}, 400),  # nothing changes
    ("POST", "/pengguna/nonaktifkan"): ({"nama": "ani"}, 400),  # the box not ticked
    ("POST", "/pengguna/sandi"): ({"nama": "tidak-ada"}, 404),
    ("POST", "/pengguna/sesi/akhiri"): ({"nama": "ani", "sesi": "x"}, 400),
    # Nothing ticked: 400. The claim's routes on a KC-PLG claim just taken in (decided, approved): verifying it
    # is done (303); what its state does not allow is 409; a form without its fields, 400.
    ("POST", "/antrean/verifikasi"): ({}, 400),
    ("POST", "/antrean/setujui"): ({}, 400),
    ("GET", "/klaim/{case_id}/{claim_id}"): ({}, 200),
    ("POST", "/klaim/{case_id}/{claim_id}/verifikasi"): ({}, 303),
    ("POST", "/klaim/{case_id}/{claim_id}/setujui"): ({}, 409),
    ("POST", "/klaim/{case_id}/{claim_id}/bayar"): ({}, 409),
    ("POST", "/klaim/{case_id}/{claim_id}/kembalikan"): ({}, 400),
    ("POST", "/klaim/{case_id}/{claim_id}/ubah-putusan"): ({}, 400),
    ("POST", "/klaim/{case_id}/{claim_id}/ajukan-ulang"): ({}, 400),
    ("POST", "/klaim/{case_id}/{claim_id}/tunggakan"): ({}, 400),
    ("POST", "/klaim/{case_id}/{claim_id}/peninjauan-kembali"): ({}, 409),
    ("POST", "/klaim/{case_id}/{claim_id}/putus-ulang"): ({}, 409),
    ("GET", "/surat/batch"): ({}, 200),
    ("POST", "/surat/batch"): ({}, 200),  # nothing due: the list again, saying so
    ("GET", "/surat/batch/{batch_id}"): ({}, 404),  # no such batch
    ("GET", "/surat/batch/{batch_id}/pdf/{name}"): ({}, 404),
    ("GET", "/anggaran"): ({}, 200),
    ("GET", "/anggaran/grafik.svg"): ({}, 400),  # no reform chosen: the route was reached
    ("GET", "/surat"): ({}, 200),
    ("GET", "/surat/lihat/{kode}"): ({}, 404),  # the address names no letter (tests/test_web_letters.py reads them)
    ("GET", "/surat/unduh/{kode}"): ({}, 404),
    ("GET", "/jurnal"): ({}, 200),
    ("POST", "/jurnal/verifikasi"): ({"jangkar": ""}, 200),
    ("GET", "/jurnal/pengecualian"): ({}, 200),
    ("GET", "/jurnal/ekspor"): ({}, 200),
    ("GET", "/pembayaran"): ({}, 200),
    ("GET", "/pembayaran/{name}"): ({}, 404),  # no such batch (tests/test_web_payments.py reads them)
    ("GET", "/pembayaran/{name}/berkas"): ({}, 404),
}
# The claim the claim's routes are asked about (taken in by `ani` when a test needs it).
A_CASE = case()
CLAIM_PATH = {"case_id": A_CASE.case_id, "claim_id": "klaim-1"}
ROLE_OF = {"ani": Role.OFFICER, "budi": Role.SUPERVISOR, "gita": Role.AUDITOR, "admin": Role.ADMIN,
           "limited": Role.OFFICER}


def expected(rule: Rule, who: str, allowed_status: int) -> tuple[int, str | None]:
    """(status, where a redirect goes) for `who` on a route with `rule`."""
    if rule.who == "public":
        return allowed_status, None
    if who == "signed_out":
        return 303, "/masuk?sebab=masuk"
    if who == "limited" and rule.who != "session":
        return 303, "/ganti-sandi"
    if rule.roles and ROLE_OF[who] not in rule.roles:
        return 403, None
    return allowed_status, None


def test_the_route_table_is_the_matrix_every_route_listed_with_who_may_use_it(web):
    assert ROUTES == MATRIX
    assert served(web.app.routes) == set(MATRIX), "a route without an entry in the matrix, or one not served"
    assert set(SAMPLES) == set(MATRIX)


def test_a_route_served_without_a_rule_is_found_added_or_included(web):
    from fastapi import APIRouter

    check_every_route_has_a_rule(web.app)
    web.app.add_api_route("/tanpa-aturan", lambda: "", methods=["GET"])
    with pytest.raises(RuntimeError, match="route GET /tanpa-aturan: no rule in the route table"):
        check_every_route_has_a_rule(web.app)
    included = make_web_app(web)
    router = APIRouter()
    router.add_api_route("/lain", lambda: "", methods=["POST"])
    included.include_router(router, prefix="/bagian")
    with pytest.raises(RuntimeError, match="route POST /bagian/lain: no rule in the route table"):
        check_every_route_has_a_rule(included)


def make_web_app(web):
    from beasiswa.web import create_app
    return create_app(web.workflow.engine, secure_cookies=False, public_base_url="http://testserver")


@pytest.mark.parametrize("who", VISITORS)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_every_route_answers_every_visitor_as_the_matrix_says(web, route, who):
    method, path = route
    data, allowed_status = SAMPLES[route]
    if "{case_id}" in path:
        assert web.workflow.take_in("ani", A_CASE, "test").refusal is None
        path = path.format(**CLAIM_PATH)
    client = visitor(web, who)
    if method in SAFE_METHODS:
        response = client.request(method, path)
    else:
        response = client.request(method, path, data={**data, "csrf_token": page_token(client)})
    status, location = expected(MATRIX[route], who, allowed_status)
    assert response.status_code == status, response.text
    if location is not None:
        assert response.headers["location"] == location


def test_a_refused_role_reads_why_in_indonesian(web):
    response = visitor(web, "admin").get("/antrean")
    assert response.status_code == 403
    assert "Akses ditolak" in response.text and "tidak berhak membuka halaman ini" in response.text


def test_the_menu_shows_only_the_screens_the_role_may_open(web):
    assert 'href="/antrean"' in visitor(web, "ani").get("/").text
    assert 'href="/antrean"' not in visitor(web, "admin").get("/").text
    menus = {who: set(re.findall(r'<li><a href="([^"]+)"', visitor(web, who).get("/").text))
             for who in ("ani", "budi", "gita", "admin")}
    assert menus == {"ani": {"/", "/antrean", "/penerimaan", "/surat", "/pembayaran"},
                     "budi": {"/", "/antrean", "/penerimaan", "/surat", "/jurnal", "/pembayaran", "/anggaran",
                              "/jejak-audit"},
                     "gita": {"/", "/antrean", "/surat", "/jurnal", "/pembayaran", "/anggaran", "/jejak-audit"},
                     "admin": {"/", "/pengguna"}}


def test_a_refused_role_is_audited_with_the_method_and_path_asked(web):
    from workflow_support import audit_rows

    visitor(web, "gita").get("/pengguna")
    row = audit_rows(web.workflow)[-1]
    assert (row["actor"], row["action"], row["subject"], row["result"], row["refusal_code"]) == (
        "gita", "web.access", "GET /pengguna", "refused", "ROLE")


def test_an_htmx_request_without_a_session_is_sent_to_sign_in_by_header(web):
    response = web.browser().get("/antrean", headers={"HX-Request": "true", "HX-Target": "hasil"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/masuk?sebab=masuk"
