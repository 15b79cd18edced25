"""Beranda: what a user sees first, by role.

- an officer or a supervisor: what awaits them (`queries.mine`), their office's claims by state, and the claims
  of their office waiting in their state longer than N days (`hari`, 14 unless asked), oldest first;
- an auditor: the same counts and waiting claims across all offices;
- an admin: the users by role, active and not (admins manage users and read no claims).
Each count links to the queue filtered so. Reads only, through the workflow's queries.
"""

import datetime as dt

from fastapi import Request
from starlette.responses import Response

from beasiswa.access.roles import Role, office_to_read
from beasiswa.web.access import SIGNED_IN, route
from beasiswa.web.render import days_since, page
from beasiswa.workflow.queries import OPEN_STATES, overview, queue
from beasiswa.workflow.states import State

DEFAULT_DAYS, MAX_DAYS = 14, 3650
OLDEST_SHOWN = 10
MESSAGES = {"sandi": "Kata sandi sudah diganti."}


def days_param(text: str | None, default: int = DEFAULT_DAYS) -> int:
    """A number of days from a query parameter, within 0..MAX_DAYS; the default when missing or not a number."""
    try:
        value = int(text) if text not in (None, "") else default
    except ValueError:
        return default
    return min(max(value, 0), MAX_DAYS)


@route("GET", "/", SIGNED_IN)
def home(request: Request, hari: str | None = None, pesan: str | None = None) -> Response:
    site, session, now = request.app.state.site, request.state.session, request.state.now
    user = session.user
    context = {"message": MESSAGES.get(pesan or ""), "days": days_param(hari)}
    if user.role is Role.ADMIN:
        people = site.workflow.list_users()
        context["users"] = {role: (sum(1 for u in people if u.role is role and u.active),
                                   sum(1 for u in people if u.role is role and not u.active)) for role in Role}
        return page(request, "beranda.html", context)
    since = now - dt.timedelta(days=context["days"])
    counted = overview(site.engine, user, since)
    context.update(
        office=office_to_read(user),
        mine=counted.mine,
        counts=counted.counts,
        open_states=[s for s in State if s in OPEN_STATES],
        waiting=counted.waiting,
        oldest=[(r, days_since(r.state_at, now)) for r in queue(site.engine, older_than=since, limit=OLDEST_SHOWN,
                                                                 reader=user)],
    )
    return page(request, "beranda.html", context)
