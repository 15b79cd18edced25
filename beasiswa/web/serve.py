"""The application as each of uvicorn's workers builds it (`beasiswa web`): `uvicorn.run` takes it by its import
string, `beasiswa.web.serve:app_from_environment`, with the settings in the environment the command set
(a worker is a new process; the environment is what it inherits). BEASISWA_DATABASE_URL names the database the
command checked; BEASISWA_WEB_KEY (hex) is the CSRF key every worker must share; BEASISWA_BROKER_URL, if set,
the Celery broker letter batches are sent to.
"""

import os

from fastapi import FastAPI

from beasiswa.db import database_url, make_engine
from beasiswa.web.app import create_app

SECURE_ENV = "BEASISWA_WEB_SECURE_COOKIES"
PUBLIC_URL_ENV = "BEASISWA_WEB_PUBLIC_URL"
KEY_ENV = "BEASISWA_WEB_KEY"
BROKER_ENV = "BEASISWA_BROKER_URL"


def app_from_environment() -> FastAPI:
    key = os.environ.get(KEY_ENV)
    return create_app(make_engine(database_url(None)), secure_cookies=os.environ.get(SECURE_ENV) == "1",
                      public_base_url=os.environ.get(PUBLIC_URL_ENV, "http://127.0.0.1:8000"),
                      csrf_key=bytes.fromhex(key) if key else None, broker=os.environ.get(BROKER_ENV) or None)
