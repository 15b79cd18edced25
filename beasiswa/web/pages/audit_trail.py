"""Jejak audit: the audit trail, newest first, 50 rows a page, filtered by claim, case, user, action, result
(done or refused) and a range of days; the query is the workflow's (`queries.trail_page`, beside the
`audit_entries` of `beasiswa audit`).

Who reads what (the route table says the same):
- auditors: every office's rows (and may narrow to one office);
- supervisors: their own office's rows only, whatever the address asks: a row is an office's when its case
  is, or, without a case, when its actor is of that office (`queries._audit_query`, as the CLI's trail
  shows each row's time on that office's clock);
- officers: not at all: the trail is the record the supervisors and auditors oversee them by, and holds their
  colleagues' sign-ins and refusals; an officer reads a claim's own history on the claim;
- admins: not at all: they manage users and read no claims, and the trail is where the admins' own acts are
  audited by others. The Pengguna page shows them what they need (locked, last sign-in, sessions).

The days `dari` and `sampai` (both included) are days on the clock of the office read (the supervisor's, the
auditor's chosen office; else UTC, as the head office reads it). A filter that is not valid is refused (400)
naming the field and the value, never dropped silently: an auditor must not read a wider trail than asked.
"""

import datetime as dt
import json
import re
from urllib.parse import urlencode

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.access.roles import OFFICE_BOUND, Role, office_to_read
from beasiswa.office_time import office_zone
from beasiswa.web.access import roles, route
from beasiswa.web.render import page
from beasiswa.workflow.queries import TrailFilter, trail_actions, trail_page

PAGE_SIZE = 50
MAX_TEXT = 100
RESULTS = {"selesai": "done", "ditolak": "refused"}
_ACTION = re.compile(r"[a-z_]+(\.[a-z_]*)?")
# The trail's own actions that are not a claim's (those are named by ACTION_NAMES).
OTHER_ACTIONS = {
    "intake.add": "menambah klaim kasus terdaftar", "arrears": "mencatat tunggakan",
    "ledger.record": "mencatat pembayaran",
    "letter.issue": "menerbitkan surat", "user.bootstrap": "membuat admin pertama", "user.add": "menambah pengguna",
    "user.deactivate": "menonaktifkan pengguna", "user.set": "mengubah peran/kantor pengguna",
    "auth.sign_in": "masuk", "auth.sign_out": "keluar", "auth.lockout": "terkunci",
    "auth.token_issue": "membuat token", "auth.token_revoke": "mencabut token",
    "auth.session_revoke": "mengakhiri sesi", "auth.sessions_end": "sesi diakhiri",
    "auth.password_change": "mengganti kata sandi", "auth.password_reset": "menetapkan kata sandi sementara",
    "web.access": "membuka halaman terlarang",
}


class BadFilter(ValueError):
    """A filter that is not valid; the message names the field and the value."""


def action_name(action: str) -> str:
    if action in OTHER_ACTIONS:
        return OTHER_ACTIONS[action]
    try:
        return ACTION_NAMES[Action(action)]
    except ValueError:
        return action


def changes(before, after) -> list[str]:
    """A row's before and after as short lines: 'state: decided → verified', 'office: KC-PLG' (a value only
    after), a long list or hash cut short."""
    before, after = (json.loads(v) if isinstance(v, str) else (v or {}) for v in (before, after))
    lines = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        shown = _short(new) if key not in before else f"{_short(old)} → {_short(new)}" if key in after else _short(old)
        lines.append(f"{key}: {shown}")
    return lines


def _short(value) -> str:
    if isinstance(value, list):
        text = ", ".join(map(str, value))
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = "-" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@route("GET", "/jejak-audit", roles(Role.SUPERVISOR, Role.AUDITOR))
async def trail(request: Request) -> Response:
    site, user = request.app.state.site, request.state.session.user
    asked = request.query_params
    try:
        shown, where, number = _filters(asked, user)
    except BadFilter as bad:
        return await _page(request, site, {"error": str(bad), "filters": _echo(asked, user), "rows": [], "total": 0,
                                           "page": 1, "pages": 1, "previous": None, "next": None}, 400)
    total, rows = await run_in_threadpool(trail_page, site.engine, where, limit=PAGE_SIZE,
                                          offset=(number - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in shown.items() if v}
    context = {"error": None, "filters": shown, "rows": rows, "total": total, "page": number, "pages": pages,
               "first": (number - 1) * PAGE_SIZE + 1 if rows else 0, "last": (number - 1) * PAGE_SIZE + len(rows),
               "previous": _address(kept, number - 1) if number > 1 else None,
               "next": _address(kept, number + 1) if number < pages else None}
    return await _page(request, site, context)


async def _page(request: Request, site, context: dict, status: int = 200) -> Response:
    user = request.state.session.user
    context.update(actions=await run_in_threadpool(trail_actions, site.engine), action_name=action_name,
                   changes=changes,
                   office_bound=user.role in OFFICE_BOUND, scope=office_to_read(user))
    return page(request, "jejak_audit.html", context, status=status)


def _text(asked, field: str) -> str:
    value = asked.get(field, "").strip()
    if len(value) > MAX_TEXT:
        raise BadFilter(f"{field}: {value[:20]!r}… terlalu panjang ({len(value)} karakter, paling banyak {MAX_TEXT})")
    return value


def _day(asked, field: str) -> dt.date | None:
    value = _text(asked, field)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _not_a_day(field, value)
    except ValueError:
        return _not_a_day(field, value)


def _not_a_day(field: str, value: str):
    raise BadFilter(f"{field}: {value!r} bukan tanggal (YYYY-MM-DD)")


def _filters(asked, user) -> tuple[dict, TrailFilter, int]:
    """The filters as shown again in the form, the query's filter, and the page number; BadFilter otherwise."""
    claim, case, actor, action = (_text(asked, f) for f in ("klaim", "kasus", "pengguna", "tindakan"))
    result, office = _text(asked, "hasil"), _text(asked, "kantor").upper()
    case_id = claim_id = None
    if claim:
        case_id, slash, claim_id = claim.partition("/")
        if not slash or not case_id or not claim_id:
            raise BadFilter(f"klaim: {claim!r} bukan ID_KASUS/ID_KLAIM (mis. KC-PLG-2025-000123/klaim-1)")
        if case and case != case_id:
            raise BadFilter(f"kasus: {case!r} bukan kasus klaim {claim!r}")
    case_id = case_id or case or None
    if action and not _ACTION.fullmatch(action):
        raise BadFilter(f"tindakan: {action!r} bukan nama tindakan (mis. verify, user.add, atau auth. untuk semua "
                        f"tindakan masuk)")
    if result and result not in RESULTS:
        raise BadFilter(f"hasil: {result!r} bukan hasil (selesai, ditolak)")
    try:
        office = office_to_read(user, office) or ""  # an officer's own, not the address's
    except ValueError:
        raise BadFilter(f"kantor: {office!r} bukan kode kantor (mis. KC-PLG)") from None
    since, until = _day(asked, "dari"), _day(asked, "sampai")
    if since and until and since > until:
        raise BadFilter(f"sampai: {until.isoformat()!r} sebelum dari {since.isoformat()!r}")
    page_text = _text(asked, "halaman") or "1"
    if not page_text.isdigit() or int(page_text) < 1 or len(page_text) > 6:
        raise BadFilter(f"halaman: {page_text!r} bukan nomor halaman (1, 2, …)")
    zone = office_zone(office or None)
    start = lambda day: dt.datetime.combine(day, dt.time(), zone)  # noqa: E731 - the day's first moment there
    where = TrailFilter(case_id=case_id, claim_id=claim_id or None, actor=actor or None, action=action or None,
                        result=RESULTS.get(result), since=start(since) if since else None,
                        until=start(until + dt.timedelta(days=1)) if until else None, office=office or None)
    shown = {"klaim": claim, "kasus": case, "pengguna": actor, "tindakan": action, "hasil": result,
             "dari": since.isoformat() if since else "", "sampai": until.isoformat() if until else "",
             "kantor": "" if user.role in OFFICE_BOUND else office}
    return shown, where, int(page_text)


def _echo(asked, user) -> dict:
    """The filters as typed, shown again beside the message that refuses one."""
    fields = ("klaim", "kasus", "pengguna", "tindakan", "hasil", "dari", "sampai", "kantor")
    shown = {f: asked.get(f, "")[:MAX_TEXT] for f in fields}
    if user.role in OFFICE_BOUND:
        shown["kantor"] = ""
    return shown


def _address(filters: dict, number: int) -> str:
    return "/jejak-audit?" + urlencode({**filters, "halaman": number})
