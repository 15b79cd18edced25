"""Pengguna (admins only): every user with role, office, active, locked, last sign-in; adding one; and for one
user (/pengguna/akun?nama=…) changing role and office, a new one-time password, deactivating, and their live
sessions and tokens, each of which can be ended.

Every change is a call of the service the command line's `beasiswa users` uses (`Workflow.add_user`,
`set_user`, `deactivate_user`; `Auth.set_one_time_password`, `sessions`, `revoke`), which checks the admin
again and audits the change, or the refusal (a role, an unknown user, a role or office not valid, naming the
field and the value). A request by another role is refused by the route table before it gets here, and
audited there (`access.Guard`).

The one-time password is made by the server (`auth.passwords.new_one_time_password`, 100 bits from
`secrets`) and shown to the admin once, on the answer to the request that set it, never again (the pages are
not cached: `no-store`). Not typed by the admin: a typed one is chosen by a person (guessable, reused, known
before it is set, and it travels in a form the browser may offer to remember); a generated one is strong by
construction, and the admin only passes it on. Either way the user must change it at the first sign-in.
"""

from urllib.parse import urlencode

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from beasiswa.access.roles import ROLE_NAMES, Role
from beasiswa.auth.passwords import new_one_time_password
from beasiswa.model import Refusal
from beasiswa.office_time import parse_stamp
from beasiswa.web.access import roles, route
from beasiswa.web.render import page
from beasiswa.workflow.queries import accounts

ADMIN = roles(Role.ADMIN)
STATUS = {"INVALID_USER": 400, "NO_CHANGE": 400, "PASSWORD_POLICY": 400, "BAD_INPUT": 400, "UNKNOWN_USER": 404,
          "SESSION_UNKNOWN": 404, "ROLE": 403, "INACTIVE": 403, "OFFICE": 403}
MESSAGES = {"diubah": "Peran dan kantor diubah; berlaku sejak permintaan berikutnya pengguna itu.",
            "nonaktif": "Pengguna dinonaktifkan; semua sesi dan tokennya diakhiri.",
            "sesi": "Sesi diakhiri."}
SESSION_KINDS = {"web": "peramban", "token": "token CLI"}


@route("GET", "/pengguna", ADMIN)
async def users_page(request: Request) -> Response:
    return await _list(request)


@route("POST", "/pengguna", ADMIN)
async def add_user(request: Request) -> Response:
    form = await request.form()
    name, role, office = (_field(form, f) for f in ("nama", "peran", "kantor"))
    site, admin, now = _site(request)
    password = new_one_time_password()

    def work():
        user = site.workflow.add_user(admin, name, role, office.upper())
        site.auth.set_one_time_password(admin, user.name, password, now)
        return user
    try:
        user = await run_in_threadpool(work)
    except Refusal as refusal:
        return await _list(request, error=refusal, asked={"nama": name, "peran": role, "kantor": office})
    return await _list(request, created=user, password=password)


@route("GET", "/pengguna/akun", ADMIN)
async def account_page(request: Request, nama: str = "") -> Response:
    if not nama.strip():
        return await _list(request, error=Refusal("BAD_INPUT", "nama: kosong; pilih pengguna dari daftar"))
    return await _account(request, nama.strip(), notice=MESSAGES.get(request.query_params.get("pesan", "")))


@route("POST", "/pengguna/ubah", ADMIN)
async def change_user(request: Request) -> Response:
    form = await request.form()
    name, role, office = (_field(form, f) for f in ("nama", "peran", "kantor"))
    site, admin, _ = _site(request)
    try:
        await run_in_threadpool(site.workflow.set_user, admin, name, role or None, office.upper() or None)
    except Refusal as refusal:
        return await _account_or_list(request, name, refusal)
    return _back(name, "diubah")


@route("POST", "/pengguna/nonaktifkan", ADMIN)
async def deactivate_user(request: Request) -> Response:
    form = await request.form()
    name = _field(form, "nama")
    site, admin, _ = _site(request)
    if _field(form, "yakin") != "ya":
        return await _account_or_list(request, name, Refusal(
            "BAD_INPUT", "yakin: belum dicentang; centang “Ya, nonaktifkan” untuk menonaktifkan pengguna ini"))
    try:
        await run_in_threadpool(site.workflow.deactivate_user, admin, name)
    except Refusal as refusal:
        return await _account_or_list(request, name, refusal)
    return _back(name, "nonaktif")


@route("POST", "/pengguna/sandi", ADMIN)
async def reset_password(request: Request) -> Response:
    form = await request.form()
    name = _field(form, "nama")
    site, admin, now = _site(request)
    password = new_one_time_password()
    try:
        ended = await run_in_threadpool(site.auth.set_one_time_password, admin, name, password, now)
    except Refusal as refusal:
        return await _account_or_list(request, name, refusal)
    return await _account(request, name, password=password,
                          notice=f"Kata sandi sementara ditetapkan; {len(ended)} sesi/token diakhiri." if ended
                          else "Kata sandi sementara ditetapkan.")


@route("POST", "/pengguna/sesi/akhiri", ADMIN)
async def revoke_session(request: Request) -> Response:
    form = await request.form()
    name, given = _field(form, "nama"), _field(form, "sesi")
    site, admin, now = _site(request)
    if not given.isdigit() or len(given) > 18:
        return await _account_or_list(request, name, Refusal("BAD_INPUT", f"sesi: {given!r} bukan nomor sesi"))
    try:
        owner = await run_in_threadpool(site.auth.revoke, admin, int(given), now)
    except Refusal as refusal:
        return await _account_or_list(request, name, refusal)
    return _back(owner, "sesi")


def _site(request: Request):
    return request.app.state.site, request.state.session.user.name, request.state.now


def _field(form, name: str) -> str:
    value = form.get(name)
    return value.strip()[:200] if isinstance(value, str) else ""


def _back(name: str, message: str) -> Response:
    return RedirectResponse("/pengguna/akun?" + urlencode({"nama": name, "pesan": message}), status_code=303)


def _status(refusal: Refusal | None) -> int:
    return 200 if refusal is None else STATUS.get(refusal.code, 409)


async def _list(request: Request, *, error: Refusal | None = None, asked: dict | None = None, created=None,
                password: str | None = None) -> Response:
    site, _, now = _site(request)
    rows = await run_in_threadpool(accounts, site.engine)
    context = {"rows": [(r, _locked(r, now)) for r in rows], "error": error, "asked": asked or {},
               "created": created, "password": password, "roles": list(Role), "role_names": ROLE_NAMES}
    return page(request, "pengguna.html", context, status=_status(error))


async def _account_or_list(request: Request, name: str, refusal: Refusal) -> Response:
    if not name:
        return await _list(request, error=Refusal(refusal.code, refusal.message)
                           if refusal.code != "UNKNOWN_USER" else Refusal("BAD_INPUT", "nama: kosong"))
    return await _account(request, name, error=refusal)


async def _account(request: Request, name: str, *, error: Refusal | None = None, notice: str | None = None,
                   password: str | None = None) -> Response:
    site, admin, now = _site(request)
    rows = await run_in_threadpool(accounts, site.engine)
    row = next((r for r in rows if r.name == name), None)
    if row is None:
        return await _list(request, error=error or Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar"))
    try:
        sessions = await run_in_threadpool(lambda: site.auth.sessions(admin, now, user_name=name))
    except Refusal as refusal:
        error, sessions = error or refusal, []
    context = {"account": row, "locked": _locked(row, now), "sessions": sessions, "error": error, "notice": notice,
               "password": password, "roles": list(Role), "role_names": ROLE_NAMES, "kinds": SESSION_KINDS,
               "own_account": name == admin}
    return page(request, "pengguna_akun.html", context, status=_status(error))


def _locked(row, now) -> bool:
    return row.locked_until is not None and parse_stamp(row.locked_until) > now
