"""Pages from the Jinja2 templates of the package (beasiswa/web/templates/), everything a person reads in
Indonesian: dates on the office's clock, rupiah, states and roles by their Indonesian names.

Autoescaping is on for every template: a name or a note typed by someone is text, never markup. Every page
gets the session (None when signed out), its CSRF token, and the navigation the session may use.
"""

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from beasiswa.access.roles import ROLE_NAMES, Role
from beasiswa.indonesian import OUTCOME_NAMES, format_date, format_rupiah
from beasiswa.office_time import format_moment, parse_stamp
from beasiswa.web.access import may
from beasiswa.workflow.states import STATE_NAMES, State

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# The menu: (label, path); each shown to whoever the route table lets use it.
MENU = (("Beranda", "/"), ("Antrean", "/antrean"), ("Penerimaan berkas", "/penerimaan"), ("Surat", "/surat"),
        ("Jurnal", "/jurnal"), ("Pembayaran", "/pembayaran"), ("Anggaran", "/anggaran"), ("Jejak audit", "/jejak-audit"),
        ("Pengguna", "/pengguna"))


# A child's relation to the participant as the case file names it (model.vocabulary.Relation), in Indonesian.
RELATION_NAMES = {"biological": "anak kandung", "step": "anak tiri", "adopted": "anak angkat"}


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(rupiah=format_rupiah, tanggal=format_date, waktu=format_moment, status=state_name,
                       peran=role_name, putusan=lambda outcome: OUTCOME_NAMES.get(outcome, outcome or "-"),
                       hubungan=lambda relation: RELATION_NAMES.get(relation, relation or "-"))
    return env


def state_name(state: State | str | None) -> str:
    return STATE_NAMES[State(state)] if state else "-"


def role_name(role: Role | str) -> str:
    return ROLE_NAMES[Role(role)]


def days_since(stamp: str, now: dt.datetime) -> int:
    """Whole days from a stored timestamp to `now` (how long a claim has waited in its state)."""
    return max(0, (now - parse_stamp(stamp)).days)


def page(request: Request, template: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
    site = request.app.state.site
    state = request.state
    session = getattr(state, "session", None)
    values = {"request": request, "session": session, "csrf_token": getattr(state, "csrf", ""),
              "menu": [(label, path) for label, path in MENU if session is not None and may(("GET", path), session)],
              "path": request.url.path}
    values.update(context or {})
    response = HTMLResponse(site.templates.get_template(template).render(values), status_code=status)
    fresh = getattr(state, "new_pre_session", None)
    if fresh:
        site.cookies.put(response, site.cookies.pre_session, fresh)
    return response
