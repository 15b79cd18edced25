"""What the web application's tests share: the staffed database of the sign-in tests (tests/auth_support.py:
everyone's password is PASSWORD) on each dialect, the application over it with a clock the test moves, and a
browser (FastAPI's TestClient, redirects not followed) that signs in through the forms.

People (tests/workflow_support.py): `admin` (KP); in KC-PLG the officers `ani`, `dedi`, the supervisors `budi`,
`citra`; in KC-SBY the officer `eko`, the supervisor `fajar`; the auditor `gita` (KP).
"""

import datetime as dt
import re

import attrs
import pytest
from fastapi.testclient import TestClient

from beasiswa.auth import Auth
from beasiswa.web import create_app
from auth_support import CHEAP, PASSWORD, T0, database, signing  # noqa: F401 - fixtures

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# One of each role, and a user signed in with a one-time password (must change it first).
VISITORS = ("signed_out", "ani", "budi", "gita", "admin", "limited")
ONE_TIME = "sementara-dari-admin"


class Moment:
    """The application's clock: stands still until the test moves it."""

    def __init__(self, start: dt.datetime = T0):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def move(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@attrs.define
class Web:
    workflow: object
    auth: Auth
    app: object
    clock: Moment

    def browser(self, *, https: bool = False) -> TestClient:
        return TestClient(self.app, base_url="https://testserver" if https else "http://testserver",
                          follow_redirects=False)


def make_web(signing, **options) -> Web:
    w, auth = signing
    clock = Moment()
    app = create_app(w.engine, secure_cookies=options.pop("secure_cookies", False),
                     public_base_url="http://testserver", clock=clock, auth=auth, workflow=w, **options)
    return Web(w, auth, app, clock)


@pytest.fixture
def web(signing):
    return make_web(signing)


def token_of(response) -> str:
    found = CSRF.search(response.text)
    assert found, f"no csrf_token in the page {response.request.url}"
    return found.group(1)


def page_token(client: TestClient) -> str:
    """The CSRF token the client's pages carry: of its session if it has one, else of the sign-in form."""
    response = client.get("/ganti-sandi")
    if response.status_code != 200:
        response = client.get("/masuk")
    return token_of(response)


def sign_in(client: TestClient, name: str, password: str = PASSWORD):
    token = token_of(client.get("/masuk"))
    return client.post("/masuk", data={"nama": name, "sandi": password, "csrf_token": token})


def signed_in(web: Web, name: str, password: str = PASSWORD) -> TestClient:
    client = web.browser()
    response = sign_in(client, name, password)
    assert response.status_code == 303, response.text
    return client


def limited_user(web: Web, name: str = "hana", role: str = "officer", office: str = "KC-PLG") -> str:
    """A new user whose password the admin set: signing in, they must change it."""
    web.workflow.add_user("admin", name, role, office)
    web.auth.set_one_time_password("admin", name, ONE_TIME, web.clock())
    return name


def visitor(web: Web, who: str) -> TestClient:
    """A browser as one of VISITORS; a signed-out one has been to the sign-in form (it holds its cookie)."""
    if who == "signed_out":
        client = web.browser()
        client.get("/masuk")
        return client
    if who == "limited":
        return signed_in(web, limited_user(web), ONE_TIME)
    return signed_in(web, who)


__all__ = ["CHEAP", "CSRF", "Moment", "ONE_TIME", "PASSWORD", "T0", "VISITORS", "Web", "database", "limited_user",
           "make_web", "page_token", "sign_in", "signed_in", "signing", "token_of", "visitor", "web"]
