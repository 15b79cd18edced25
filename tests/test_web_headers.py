"""The security headers are on every response: pages, redirects, refusals, errors, static files."""

import pytest

from beasiswa.web.headers import CSP
from web_support import database, signing, signed_in, visitor, web  # noqa: F401 - fixtures

PATHS = ["/masuk", "/", "/antrean", "/ganti-sandi", "/tidak-ada", "/static/htmx.min.js", "/static/app.css"]


def assert_secure_headers(response) -> None:
    h = response.headers
    assert h["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert h["x-frame-options"] == "DENY"


@pytest.mark.parametrize("who", ["signed_out", "ani", "admin", "limited"])
@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(web, who, path):
    response = visitor(web, who).get(path)
    assert_secure_headers(response)


def test_a_refused_change_and_a_method_not_allowed_carry_them_too(web):
    client = signed_in(web, "ani")
    assert_secure_headers(client.post("/keluar"))  # 403: no CSRF token
    response = client.delete("/antrean")
    assert response.status_code == 405
    assert_secure_headers(response)


def test_pages_are_not_cached_and_static_files_may_be(web):
    client = signed_in(web, "ani")
    assert client.get("/antrean").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/static/htmx.min.js").headers


def test_behind_https_the_browser_is_told_to_stay_on_https(signing):
    from web_support import make_web
    client = make_web(signing, secure_cookies=True).browser(https=True)
    assert client.get("/masuk").headers["strict-transport-security"] == "max-age=31536000"


def test_the_pages_load_no_script_but_the_sites_own_and_no_inline_script_or_style(web):
    import re
    page = signed_in(web, "ani").get("/antrean").text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/htmx.min.js" defer>']
    assert "<style" not in page and " style=" not in page and " on" + "click=" not in page
    assert '<html lang="id">' in page


def test_htmx_is_served_from_the_package_with_its_licence(web):
    client = web.browser()
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200 and 'version:"2.0.11"' in script.text
    assert "Zero-Clause BSD" in client.get("/static/htmx.LICENSE").text
