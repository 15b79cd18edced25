"""Pengguna in the browser, for admins: the users with role, office, active, locked and last sign-in; adding
one (with a one-time password the server makes and shows once); changing role and office; deactivating (their
sessions end at once); a new one-time password; their sessions and tokens, each to be ended. Every change
through the same service as `beasiswa users`, audited, and every refusal too, naming the field and value."""

import html
import re

import pytest
from sqlalchemy import update

from beasiswa.auth import TOKEN
from beasiswa.auth.passwords import new_one_time_password
from beasiswa.db.user_tables import users
from web_support import PASSWORD, database, page_token, sign_in, signed_in, signing, web  # noqa: F401
from workflow_support import audit_rows

ONE_TIME = re.compile(r'<p class="password"><code>([a-z2-9-]+)</code></p>')


def post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": page_token(client)})


def text(response) -> str:
    return html.unescape(response.text)


def row_of(page: str, name: str) -> str:
    found = re.search(rf'<tr[^>]*>\s*<td><a href="/pengguna/akun\?nama={name}">{name}</a></td>(.*?)</tr>', page, re.S)
    assert found, f"no row of {name}"
    return found.group(1)


def last(web) -> dict:
    return audit_rows(web.workflow)[-1]


def test_an_admin_lists_every_user_with_role_office_status_and_last_sign_in(web):
    signed_in(web, "ani")
    page = signed_in(web, "admin").get("/pengguna").text
    ani = row_of(page, "ani")
    assert "<td>petugas</td>" in ani and "<td>KC-PLG</td>" in ani and "aktif" in ani
    assert "1 Agustus 2025 16.00 WIB" in ani  # signed in at 09:00 UTC, on KC-PLG's clock
    assert "belum pernah" in row_of(page, "eko")


def test_a_locked_and_a_deactivated_user_are_marked_so(web):
    with web.workflow.engine.begin() as conn:
        conn.execute(update(users).where(users.c.name == "dedi").values(locked_until="2025-08-01T09:10:00.000000Z"))
    web.workflow.deactivate_user("admin", "eko")
    page = signed_in(web, "admin").get("/pengguna").text
    assert "terkunci" in row_of(page, "dedi") and "nonaktif" in row_of(page, "eko")
    web.clock.move(minutes=11)
    assert "terkunci" not in row_of(signed_in(web, "admin").get("/pengguna").text, "dedi")


def test_an_admin_adds_a_user_who_signs_in_with_the_one_time_password_shown_once_and_must_change_it(web):
    admin = signed_in(web, "admin")
    response = post(admin, "/pengguna", nama="hana", peran="officer", kantor="kc-mdn")
    assert response.status_code == 200
    assert "Pengguna ditambahkan: hana (petugas, KC-MDN)" in response.text
    password = ONE_TIME.search(response.text).group(1)
    assert response.headers["cache-control"] == "no-store"
    assert password not in admin.get("/pengguna").text and password not in str(audit_rows(web.workflow))
    assert [r["action"] for r in audit_rows(web.workflow)[-2:]] == ["user.add", "auth.password_reset"]
    hana = web.browser()
    assert sign_in(hana, "hana", password).headers["location"] == "/ganti-sandi"


@pytest.mark.parametrize("form, status, message", [
    ({"nama": "Hana Putri", "peran": "officer", "kantor": "KC-PLG"}, 400, "name: 'Hana Putri' bukan nama pengguna"),
    ({"nama": "hana", "peran": "kepala", "kantor": "KC-PLG"}, 400, "role: 'kepala' bukan peran"),
    ({"nama": "hana", "peran": "officer", "kantor": "KC PLG"}, 400, "office: 'KC PLG' bukan kode kantor"),
    ({"nama": "ani", "peran": "officer", "kantor": "KC-PLG"}, 409, "pengguna 'ani' sudah terdaftar"),
])
def test_adding_a_user_that_is_not_valid_is_refused_naming_the_field_and_audited(web, form, status, message):
    response = post(signed_in(web, "admin"), "/pengguna", **form)
    assert response.status_code == status
    assert message in text(response) and 'class="password"' not in response.text
    assert (last(web)["action"], last(web)["result"]) == ("user.add", "refused")


def test_an_admin_changes_a_users_role_and_office(web):
    admin = signed_in(web, "admin")
    response = post(admin, "/pengguna/ubah", nama="eko", peran="supervisor", kantor="KC-PLG")
    assert response.status_code == 303 and response.headers["location"] == "/pengguna/akun?nama=eko&pesan=diubah"
    page = admin.get(response.headers["location"]).text
    assert "Peran dan kantor diubah" in page and "pengawas · KC-PLG" in page
    assert (last(web)["action"], last(web)["after"]) == ("user.set", {"role": "supervisor", "office": "KC-PLG"})


@pytest.mark.parametrize("form, status, message", [
    ({"nama": "eko", "peran": "raja", "kantor": "KC-SBY"}, 400, "role: 'raja' bukan peran"),
    ({"nama": "eko", "peran": "officer", "kantor": "kc sby"}, 400, "office: 'KC SBY' bukan kode kantor"),
    ({"nama": "eko", "peran": "officer", "kantor": "KC-SBY"}, 400, "sudah demikian"),
    ({"nama": "siapa", "peran": "officer", "kantor": "KC-SBY"}, 404, "pengguna 'siapa' tidak terdaftar"),
    ({"nama": "admin", "peran": "auditor", "kantor": "KP"}, 409, "satu-satunya admin aktif"),
])
def test_a_change_of_role_or_office_that_is_refused_names_why_and_is_audited(web, form, status, message):
    response = post(signed_in(web, "admin"), "/pengguna/ubah", **form)
    assert response.status_code == status
    assert message in text(response)
    assert (last(web)["action"], last(web)["result"]) == ("user.set", "refused")


def test_deactivating_a_user_ends_their_sessions_at_once(web):
    ani = signed_in(web, "ani")
    assert ani.get("/").status_code == 200
    response = post(signed_in(web, "admin"), "/pengguna/nonaktifkan", nama="ani", yakin="ya")
    assert response.status_code == 303
    assert ani.get("/").headers["location"].startswith("/masuk")
    assert "user.deactivate" in [r["action"] for r in audit_rows(web.workflow)]


def test_deactivating_needs_the_box_ticked(web):
    response = post(signed_in(web, "admin"), "/pengguna/nonaktifkan", nama="ani")
    assert response.status_code == 400 and "yakin: belum dicentang" in text(response)
    assert signed_in(web, "ani").get("/").status_code == 200


def test_deactivating_the_last_admin_is_refused_and_audited(web):
    response = post(signed_in(web, "admin"), "/pengguna/nonaktifkan", nama="admin", yakin="ya")
    assert response.status_code == 409 and "satu-satunya admin aktif" in text(response)
    assert (last(web)["action"], last(web)["refusal_code"]) == ("user.deactivate", "LAST_ADMIN")


def test_a_new_one_time_password_is_shown_once_ends_the_users_sessions_and_must_be_changed(web):
    ani = signed_in(web, "ani")
    response = post(signed_in(web, "admin"), "/pengguna/sandi", nama="ani")
    assert response.status_code == 200
    password = ONE_TIME.search(response.text).group(1)
    assert "1 sesi/token diakhiri" in response.text
    assert ani.get("/").headers["location"].startswith("/masuk")
    assert sign_in(web.browser(), "ani", PASSWORD).status_code == 400
    assert sign_in(web.browser(), "ani", password).headers["location"] == "/ganti-sandi"
    assert last(web)["action"] == "auth.sign_in"


def test_an_admin_lists_a_users_sessions_and_tokens_and_ends_one(web):
    signed_in(web, "ani")
    token = web.auth.sign_in("ani", PASSWORD, web.clock(), kind=TOKEN, label="laptop ani")
    admin = signed_in(web, "admin")
    page = admin.get("/pengguna/akun?nama=ani").text
    assert "Sesi dan token yang berjalan (2)" in page and "token CLI" in page and "laptop ani" in page
    response = post(admin, "/pengguna/sesi/akhiri", nama="ani", sesi=str(token.session.id))
    assert response.status_code == 303 and response.headers["location"] == "/pengguna/akun?nama=ani&pesan=sesi"
    assert "Sesi dan token yang berjalan (1)" in admin.get(response.headers["location"]).text
    assert (last(web)["action"], last(web)["after"]["session"]) == ("auth.token_revoke", token.session.id)


@pytest.mark.parametrize("sesi, status, message", [("abc", 400, "sesi: 'abc' bukan nomor sesi"),
                                                   ("999999", 404, "sesi 999999: tidak terdaftar")])
def test_ending_a_session_that_is_not_one_is_refused_naming_it(web, sesi, status, message):
    response = post(signed_in(web, "admin"), "/pengguna/sesi/akhiri", nama="ani", sesi=sesi)
    assert response.status_code == status and message in text(response)


def test_an_unknown_users_page_is_not_found_and_a_missing_name_is_bad_input(web):
    admin = signed_in(web, "admin")
    response = admin.get("/pengguna/akun?nama=siapa")
    assert response.status_code == 404 and "pengguna 'siapa' tidak terdaftar" in text(response)
    assert admin.get("/pengguna/akun").status_code == 400


@pytest.mark.parametrize("path, form", [("/pengguna", {"nama": "hana", "peran": "admin", "kantor": "KP"}),
                                        ("/pengguna/ubah", {"nama": "ani", "peran": "admin", "kantor": "KP"}),
                                        ("/pengguna/nonaktifkan", {"nama": "budi", "yakin": "ya"}),
                                        ("/pengguna/sandi", {"nama": "budi"}),
                                        ("/pengguna/sesi/akhiri", {"nama": "budi", "sesi": "1"})])
def test_anyone_but_an_admin_is_refused_every_change_and_the_attempt_is_audited(web, path, form):
    response = post(signed_in(web, "ani"), path, **form)
    assert response.status_code == 403
    row = last(web)
    assert (row["action"], row["subject"], row["result"], row["refusal_code"], row["actor"]) == (
        "web.access", f"POST {path}", "refused", "ROLE", "ani")


def test_the_forms_have_labels_and_the_one_time_password_is_strong():
    password = new_one_time_password()
    assert len(password) == 23 and re.fullmatch(r"([a-z2-9]{5}-){3}[a-z2-9]{5}", password)
    assert new_one_time_password() != password


def test_the_add_form_and_the_users_forms_are_labelled(web):
    admin = signed_in(web, "admin")
    page = admin.get("/pengguna").text
    for field in ("nama", "peran", "kantor"):
        assert f'<label for="{field}">' in page
    account = admin.get("/pengguna/akun?nama=ani").text
    for field in ("peran", "kantor", "yakin"):
        assert f'<label for="{field}">' in account
