"""Antrean: the claims waiting, oldest in their state first, with filters (state, level, days in the state,
office for auditors, mine for officers and supervisors), a search by NIK, KPJ or name, and pages of 50.

Office scoping is the server's: an officer's or a supervisor's queue is their office's whatever the address
asks (`kantor` is read for auditors only). An HTMX request from the filter form (target `hasil`) gets the
results alone; any other request the whole page. Reads only, through the workflow's queries.
"""

import datetime as dt
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from beasiswa.access.roles import OFFICE_BOUND, Role, check_office
from beasiswa.model import Level
from beasiswa.web.access import roles, route
from beasiswa.web.pages.home import days_param
from beasiswa.web.render import days_since, page
from beasiswa.workflow.queries import OPEN_STATES, queue, queue_size
from beasiswa.workflow.states import State

PAGE_SIZE = 50
MAX_SEARCH = 100


@route("GET", "/antrean", roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))
def queue_page(request: Request) -> Response:
    site, session, now = request.app.state.site, request.state.session, request.state.now
    user, asked = session.user, request.query_params
    filters = _filters(asked, user)
    older_than = now - dt.timedelta(days=filters["lama"]) if filters["lama"] else None
    where = dict(states=[State(filters["status"])] if filters["status"] else None, office=filters["kantor"],
                 user=user if filters["milik"] else None, older_than=older_than, level=filters["jenjang"],
                 text=filters["cari"])
    total = queue_size(site.engine, **where)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(_positive(asked.get("halaman")), pages)
    rows = queue(site.engine, **where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    shown = {k: v for k, v in filters.items() if v not in (None, "", 0, False)}
    context = {
        "filters": filters, "rows": [(r, days_since(r.state_at, now)) for r in rows], "total": total,
        "page": number, "pages": pages, "first": (number - 1) * PAGE_SIZE + 1 if rows else 0,
        "last": (number - 1) * PAGE_SIZE + len(rows),
        "previous": _address(shown, number - 1) if number > 1 else None,
        "next": _address(shown, number + 1) if number < pages else None,
        "states": list(State), "open_states": [s for s in State if s in OPEN_STATES], "levels": list(Level),
        "office_bound": user.role in OFFICE_BOUND,
    }
    partial = request.headers.get("hx-target") == "hasil" and not request.headers.get("hx-history-restore-request")
    response = page(request, "antrean_hasil.html" if partial else "antrean.html", context)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def _filters(asked, user) -> dict:
    """The filters as asked, each kept only if it is valid (an unknown state or level is no filter)."""
    status = asked.get("status", "")
    level = asked.get("jenjang", "")
    office = asked.get("kantor", "").strip().upper()
    if user.role in OFFICE_BOUND:
        office = user.office  # the server's scope, not the address's
    else:
        try:
            office = check_office(office) if office else ""
        except ValueError:
            office = ""
    return {
        "status": status if status in State._value2member_map_ else "",
        "jenjang": level if level in Level._value2member_map_ else "",
        "lama": days_param(asked.get("lama"), 0),
        "kantor": office or None,
        "milik": user.role in OFFICE_BOUND and asked.get("milik") == "1",
        "cari": asked.get("cari", "").strip()[:MAX_SEARCH],
    }


def _positive(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _address(filters: dict, number: int) -> str:
    values = {k: ("1" if v is True else v) for k, v in filters.items()}
    return "/antrean?" + urlencode({**values, "halaman": number})
