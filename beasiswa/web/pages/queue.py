"""Antrean: the claims waiting, oldest in their state first, with filters (state, level, days in the state,
office for auditors, mine for officers and supervisors), a search by NIK, KPJ or name, and pages of 50; each
claim links to its page (Klaim). Officers tick claims to verify them together, supervisors to approve them:
a result per claim (done, or refused with the rule), each claim run by the same command as its own button.

Office scoping is the server's, in one place: the workflow's queries list only what the reader may read
(`beasiswa.access.roles.office_to_read`: an officer's or a supervisor's own office whatever the address asks;
`kantor` is read for auditors). A filter that is not one (an unknown state, level or office, a number of days
that is not one) is a 400 naming the field and the value, never silently dropped. An HTMX request from the
filter form (target `hasil`) gets the results alone; any other request the whole page.
"""

import datetime as dt
from urllib.parse import urlencode

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.access.roles import ALLOWED, OFFICE_BOUND, Role, office_to_read
from beasiswa.model import ClaimRef, Level, State
from beasiswa.web.access import roles, route
from beasiswa.web.pages.home import MAX_DAYS
from beasiswa.web.render import days_since, page
from beasiswa.workflow.available import available_for_each
from beasiswa.workflow.errors import claim_not_found
from beasiswa.workflow.queries import OPEN_STATES, queue_page

PAGE_SIZE = 50
MAX_SEARCH = 100
# The action a role takes on ticked claims of the queue, and its route.
BULK = {Role.OFFICER: (Action.VERIFY, "/antrean/verifikasi", "Verifikasi yang dipilih"),
        Role.SUPERVISOR: (Action.APPROVE, "/antrean/setujui", "Setujui yang dipilih")}
MAX_BULK = 200


class BadFilter(ValueError):
    """A filter of the address that is not one: the message names the field and the value."""


@route("GET", "/antrean", roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR))
def queue_screen(request: Request) -> Response:
    site, session, now = request.app.state.site, request.state.session, request.state.now
    user, asked = session.user, request.query_params
    try:
        filters = parse_filters(asked, user)
    except BadFilter as exc:
        return _render(request, {**_asked(asked, user), "error": str(exc), "rows": [], "total": 0, "page": 1,
                                 "pages": 1, "first": 0, "last": 0, "previous": None, "next": None}, status=400)
    older_than = now - dt.timedelta(days=filters["lama"]) if filters["lama"] else None
    where = dict(states=[State(filters["status"])] if filters["status"] else None, office=filters["kantor"],
                 user=user if filters["milik"] else None, older_than=older_than, level=filters["jenjang"],
                 text=filters["cari"], reader=user)
    found = queue_page(site.engine, size=PAGE_SIZE, number=_positive(asked.get("halaman")), **where)
    total, number, rows = found.total, found.number, found.rows
    pages = max(1, -(-total // PAGE_SIZE))
    shown = {k: v for k, v in filters.items() if v not in (None, "", 0, False)}
    bulk = BULK.get(user.role)
    context = {
        "filters": filters, "error": None, "total": total,
        "rows": [(r, days_since(r.state_at, now), bool(bulk) and bulk[0] in actions)
                 for r, actions in zip(rows, available_for_each(user, rows) if bulk else [()] * len(rows))],
        "page": number, "pages": pages, "first": (number - 1) * PAGE_SIZE + 1 if rows else 0,
        "last": (number - 1) * PAGE_SIZE + len(rows),
        "previous": _address(shown, number - 1) if number > 1 else None,
        "next": _address(shown, number + 1) if number < pages else None,
    }
    return _render(request, context)


def _render(request: Request, context: dict, status: int = 200) -> Response:
    user = request.state.session.user
    bulk = BULK.get(user.role)
    context.update(states=list(State), open_states=[s for s in State if s in OPEN_STATES], levels=list(Level),
                   office_bound=user.role in OFFICE_BOUND, bulk=(bulk[1], bulk[2]) if bulk else None)
    partial = request.headers.get("hx-target") == "hasil" and not request.headers.get("hx-history-restore-request")
    response = page(request, "antrean_hasil.html" if partial else "antrean.html", context, status=status)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def parse_filters(asked, user) -> dict:
    """The filters as asked, each checked (BadFilter names the field and the value); the office is the one the
    user may read (`office_to_read`)."""
    status, level, days = asked.get("status", ""), asked.get("jenjang", ""), asked.get("lama", "").strip()
    try:
        status = State.parse(status, "status klaim", "status").value if status else ""
        level = Level.parse(level, "jenjang", "jenjang").value if level else ""
    except ValueError as exc:
        raise BadFilter(str(exc)) from None
    try:
        office = office_to_read(user, asked.get("kantor", ""))
    except ValueError:
        raise BadFilter(f"kantor: {asked.get('kantor')!r} bukan kode kantor (mis. KC-PLG)") from None
    if days and not (days.isascii() and days.isdigit() and int(days) <= MAX_DAYS):
        raise BadFilter(f"lama: {days!r} bukan jumlah hari (0 sampai {MAX_DAYS})")
    return {
        "status": status,
        "jenjang": level,
        "lama": int(days) if days else 0,
        "kantor": office,
        "milik": user.role in OFFICE_BOUND and asked.get("milik") == "1",
        "cari": asked.get("cari", "").strip()[:MAX_SEARCH],
    }


def _asked(asked, user) -> dict:
    """The filters as typed, to show them again in the form beside the message that refuses one."""
    return {"filters": {"status": asked.get("status", ""), "jenjang": asked.get("jenjang", ""),
                        "lama": asked.get("lama", ""), "kantor": asked.get("kantor", ""),
                        "milik": asked.get("milik") == "1", "cari": asked.get("cari", "")[:MAX_SEARCH]}}


def _positive(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _address(filters: dict, number: int) -> str:
    values = {k: ("1" if v is True else v) for k, v in filters.items()}
    return "/antrean?" + urlencode({**values, "halaman": number})


# ------------------------------------------------------------------------------------------------ bulk

@route("POST", "/antrean/verifikasi", roles(*ALLOWED[Action.VERIFY]))
async def bulk_verify(request: Request) -> Response:
    return await _bulk(request, Action.VERIFY, lambda w, as_, refs: w.verify(as_, refs))


@route("POST", "/antrean/setujui", roles(*ALLOWED[Action.APPROVE]))
async def bulk_approve(request: Request) -> Response:
    return await _bulk(request, Action.APPROVE, lambda w, as_, refs: w.approve(as_, refs))


async def _bulk(request: Request, action: Action, run) -> Response:
    """The ticked claims (`klaim`, CASE/CLAIM each) through one command as the session's user: a result per
    claim. Another office's claim is told as not registered (the service audits the attempt, OFFICE)."""
    site, user = request.app.state.site, request.state.session.user
    form = await request.form()
    texts = [t for t in form.getlist("klaim") if isinstance(t, str)]
    error, refs = None, []
    if not texts:
        error = "klaim: belum ada klaim yang dipilih; centang klaim di antrean lebih dulu"
    elif len(texts) > MAX_BULK:
        error = f"klaim: {len(texts)} dipilih, paling banyak {MAX_BULK} sekaligus"
    else:
        try:
            refs = list(dict.fromkeys(ClaimRef.parse(t, "klaim") for t in texts))
        except ValueError as exc:
            error = str(exc)
    if error:
        return _results(request, action, [], error=error, status=400)
    steps = await run_in_threadpool(run, site.workflow, user.name, refs)
    results = [(s, claim_not_found(s.ref) if s.refusal is not None and s.refusal.code == "OFFICE" else s.refusal)
               for s in steps]
    response = _results(request, action, results)
    response.headers["HX-Trigger"] = "antrean-berubah"
    return response


def _results(request: Request, action: Action, results: list, *, error: str | None = None,
             status: int = 200) -> Response:
    done = sum(1 for s, _ in results if s.ok)
    context = {"results": results, "done": done, "refused": len(results) - done, "error": error,
               "doing": ACTION_NAMES[action], "back": _back(request)}
    partial = request.headers.get("hx-target") == "massal"
    return page(request, "antrean_massal_isi.html" if partial else "antrean_massal.html", context, status=status)


def _back(request: Request) -> str:
    """The queue the claims were ticked in (its filters), from the address the browser came from."""
    referer = request.headers.get("referer", "")
    path = referer.split("://", 1)[-1].partition("/")[2]
    return "/" + path if path.startswith("antrean") and "/" not in path.split("?")[0][len("antrean"):] else "/antrean"
