"""`create_app`: the officers' web application on one database.

The clock is injectable (tests move it; the services get `now` from it, read once a request). `secure_cookies`
when the application is served over HTTPS (the cookies' Secure flag and `__Host-` names, HSTS).
`public_base_url` is the address people reach the application at (the public letter verification page's
links will be made from it). The CSRF key must be the same in every worker of one server (`serve`); without
one, a random key is made, fine for one process. `upload_limit`: the largest intake file (bytes), refused
before its body is read (`uploads`; so is a letter's PDF over 5 MB sent to /verifikasi). `broker`: the Celery
broker letter batches are sent to (none: the local process pool).
"""

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from beasiswa.auth import Auth
from beasiswa.db.uow import utc_now
from beasiswa.web import errors
from beasiswa.web import access
from beasiswa.web.cookies import Cookies
from beasiswa.web.headers import SecurityHeaders
# Importing the page modules registers their routes.
from beasiswa.web.pages import (audit_trail, batches, claim, forecast, home, intake, ledger, letters,  # noqa: F401
                                payments, queue, sign_in, users, verify)
from beasiswa.web.render import environment
from beasiswa.web.site import Site
from beasiswa.web.uploads import MIB, UploadLimit
from beasiswa.workflow.service import Workflow

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The largest intake file taken in one upload: a sheet of some 50 000 claims.
MAX_INTAKE_UPLOAD = 20 * MIB


def create_app(engine: Engine, *, secure_cookies: bool, public_base_url: str,
               clock: Callable[[], dt.datetime] = utc_now, csrf_key: bytes | None = None,
               auth: Auth | None = None, workflow: Workflow | None = None,
               upload_limit: int = MAX_INTAKE_UPLOAD, broker: str | None = None) -> FastAPI:
    app = FastAPI(title="Beasiswa", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = Site(engine=engine, auth=auth or Auth(engine), workflow=workflow or Workflow(engine, clock=clock),
                          clock=clock, csrf_key=csrf_key or secrets.token_bytes(32),
                          cookies=Cookies(secure_cookies), public_base_url=public_base_url.rstrip("/"),
                          templates=environment(), upload_limit=upload_limit, broker=broker or None)
    access.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    app.add_middleware(UploadLimit, limits={"/penerimaan": upload_limit, "/verifikasi": verify.MAX_FORM},
                       messages={"/verifikasi": verify.TOO_LARGE})  # inside the headers: its 413 has them
    app.add_middleware(SecurityHeaders, secure=secure_cookies)
    access.check_every_route_has_a_rule(app)
    return app
