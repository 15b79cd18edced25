"""What every request of one application needs, made once by `create_app` and kept on `app.state.site`.

The clock is read at the edge, once a request (`access.Guard`), and passed to the services as `now`; tests
inject their own. The CSRF key is the application's: every worker of one server must hold the same one
(`serve` passes it through the environment).
"""

import datetime as dt
from collections.abc import Callable

import attrs
from jinja2 import Environment
from sqlalchemy.engine import Engine

from beasiswa.auth import Auth
from beasiswa.web.cookies import Cookies
from beasiswa.workflow.service import Workflow


@attrs.frozen
class Site:
    engine: Engine
    auth: Auth
    workflow: Workflow
    clock: Callable[[], dt.datetime]
    csrf_key: bytes
    cookies: Cookies
    public_base_url: str
    templates: Environment
    upload_limit: int = 20 * 1024 * 1024  # the largest intake upload, in bytes (`uploads.UploadLimit`)
    broker: str | None = None  # the Celery broker letter batches are sent to; None: the local process pool
