"""Every change (POST, PUT, PATCH, DELETE) of the web application carries the CSRF token of the browser's own
session (before sign-in, of its pre-session cookie), as the form field `csrf_token` or the header
`X-CSRF-Token`; without it, with a wrong one or with another session's, it is refused (403) and nothing
happens."""

import pytest

from beasiswa.web.access import ROUTES
from beasiswa.web.csrf import SAFE_METHODS
from web_support import (database, page_token, sign_in, signed_in, signing, token_of, visitor,  # noqa: F401
                         web, PASSWORD)

CHANGES = sorted(key for key in ROUTES if key[0] not in SAFE_METHODS)


def allowed_visitor(web, route):
    """A browser that may use the route: signed out (with the sign-in form's cookie) for a public one."""
    return visitor(web, "signed_out" if ROUTES[route].who == "public" else "ani")


def test_the_application_has_changes_to_protect():
    assert {("POST", "/masuk"), ("POST", "/keluar"), ("POST", "/ganti-sandi")} <= set(CHANGES)


@pytest.mark.parametrize("route", CHANGES, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("token", ["none", "empty", "wrong", "another_session"])
def test_a_change_without_its_sessions_token_is_refused(web, route, token):
    method, path = route
    client = allowed_visitor(web, route)
    data = {"nama": "ani", "sandi": PASSWORD, "sandi_lama": PASSWORD, "sandi_baru": "baru-dan-panjang-1",
            "sandi_ulang": "baru-dan-panjang-1"}
    if token == "empty":
        data["csrf_token"] = ""
    elif token == "wrong":
        data["csrf_token"] = "0" * 64
    elif token == "another_session":
        data["csrf_token"] = page_token(signed_in(web, "dedi"))
    response = client.request(method, path, data=data)
    assert response.status_code == 403, response.text
    assert "token keamanan formulir (CSRF)" in response.text
    assert client.get("/").status_code == (303 if ROUTES[route].who == "public" else 200)  # nothing happened


def test_the_token_in_the_header_is_taken_as_htmx_sends_it(web):
    client = signed_in(web, "ani")
    token = page_token(client)
    assert client.post("/keluar", headers={"X-CSRF-Token": "salah"}).status_code == 403
    response = client.post("/keluar", headers={"X-CSRF-Token": token})
    assert response.status_code == 303 and response.headers["location"] == "/masuk?sebab=keluar"


def test_every_page_carries_the_token_for_htmx_on_its_body(web):
    client = signed_in(web, "ani")
    page = client.get("/antrean").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{page_token(client)}"}}\'' in page


def test_a_sign_in_post_without_the_forms_cookie_is_refused(web):
    token = token_of(web.browser().get("/masuk"))  # the token of another browser's cookie
    response = web.browser().post("/masuk", data={"nama": "ani", "sandi": PASSWORD, "csrf_token": token})
    assert response.status_code == 403
