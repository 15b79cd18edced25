"""Signing in and out, and changing one's password.

- /masuk: a failed sign-in and a lockout read the same (the page never says whether a name exists; the lock's
  numbers are those of `beasiswa.auth.limits`); a deactivated user, who gave the right password, is told so.
  A success opens a new session (a new secret: the one the browser held before is ended, `previous`) and
  drops the pre-session cookie.
- /keluar ends the session. /ganti-sandi is the one page a session signed in with a one-time password may use;
  the change ends every session of the user and opens a new one, whose secret replaces the cookie.
"""

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from beasiswa.auth import LIMITS, WEB
from beasiswa.model import Refusal
from beasiswa.web.access import PUBLIC, SESSION, route
from beasiswa.web.render import page

FAILED = (f"Nama pengguna atau kata sandi salah, atau pengguna sedang terkunci. Setelah {LIMITS.max_failures} kali "
          f"gagal berturut-turut, pengguna terkunci selama {int(LIMITS.lockout.total_seconds() // 60)} menit; "
          f"coba lagi nanti atau minta admin mengatur ulang kata sandi.")
INACTIVE = "Pengguna ini sudah dinonaktifkan dan tidak dapat masuk. Hubungi admin kantor Anda."
NOTICES = {
    "masuk": "Silakan masuk terlebih dahulu.",
    "berakhir": (f"Sesi Anda berakhir: tidak dipakai {int(LIMITS.idle.total_seconds() // 60)} menit, atau sudah "
                 f"{int(LIMITS.absolute.total_seconds() // 3600)} jam sejak masuk. Silakan masuk lagi."),
    "diakhiri": "Sesi Anda sudah diakhiri (keluar, kata sandi diganti, atau dicabut admin). Silakan masuk lagi.",
    "nonaktif": INACTIVE,
    "keluar": "Anda sudah keluar.",
}
CHANGED = "Kata sandi sudah diganti."
MISMATCH = "Konfirmasi kata sandi baru: tidak sama dengan kata sandi baru."


@route("GET", "/masuk", PUBLIC)
def sign_in_form(request: Request, sebab: str | None = None) -> Response:
    return page(request, "masuk.html", {"notice": NOTICES.get(sebab or ""), "error": None, "name": ""})


@route("POST", "/masuk", PUBLIC)
async def sign_in(request: Request) -> Response:
    site = request.app.state.site
    form = await request.form()
    name, password = str(form.get("nama", "")).strip(), str(form.get("sandi", ""))
    try:
        opened = await run_in_threadpool(site.auth.sign_in, name, password, request.state.now, kind=WEB,
                                         previous=request.state.secret)
    except Refusal as refusal:
        error = INACTIVE if refusal.code == "INACTIVE" else FAILED
        return page(request, "masuk.html", {"notice": None, "error": error, "name": name}, status=400)
    response = RedirectResponse("/ganti-sandi" if opened.session.must_change_password else "/", status_code=303)
    site.cookies.put(response, site.cookies.session, opened.secret)
    site.cookies.drop(response, site.cookies.pre_session)
    return response


@route("POST", "/keluar", SESSION)
async def sign_out(request: Request) -> Response:
    site = request.app.state.site
    await run_in_threadpool(site.auth.sign_out, request.state.secret, request.state.now)
    response = RedirectResponse("/masuk?sebab=keluar", status_code=303)
    site.cookies.drop(response, site.cookies.session)
    return response


@route("GET", "/ganti-sandi", SESSION)
def change_password_form(request: Request) -> Response:
    return page(request, "ganti_sandi.html", {"error": None, "min_length": LIMITS.min_password_length})


@route("POST", "/ganti-sandi", SESSION)
async def change_password(request: Request) -> Response:
    site = request.app.state.site
    form = await request.form()
    current, new, again = (str(form.get(k, "")) for k in ("sandi_lama", "sandi_baru", "sandi_ulang"))
    if new != again:
        return _refused(request, MISMATCH)
    try:
        opened = await run_in_threadpool(site.auth.change_password, request.state.secret, current, new,
                                         request.state.now)
    except Refusal as refusal:
        return _refused(request, _sentence(refusal.message))
    response = RedirectResponse("/?pesan=sandi", status_code=303)
    site.cookies.put(response, site.cookies.session, opened.secret)
    return response


def _refused(request: Request, error: str) -> Response:
    return page(request, "ganti_sandi.html", {"error": error, "min_length": LIMITS.min_password_length},
                status=400)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
