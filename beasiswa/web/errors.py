"""Refusals and errors as pages (in Indonesian), and where a browser without a live session goes.

- no live session: to /masuk with the reason (`sebab`), the stale cookie dropped; an HTMX request gets the
  same address as `HX-Redirect` (a redirect would be followed inside the fragment);
- a session that must change its password: to /ganti-sandi;
- a role refused or a change without its CSRF token: 403, the reason on the page;
- an unknown address: 404; a method the route does not take: 405; a malformed parameter: 400.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from beasiswa.web.access import Forbidden, PasswordChangeRequired, SignInRequired
from beasiswa.web.render import page

# The refusal of `Auth.authenticate` -> the reason /masuk?sebab= shows.
REASONS = {"SESSION_EXPIRED": "berakhir", "SESSION_ENDED": "diakhiri", "INACTIVE": "nonaktif"}
STATUS_TEXT = {400: "Permintaan tidak dapat dibaca", 403: "Akses ditolak", 404: "Halaman tidak ditemukan",
               405: "Metode tidak diizinkan", 413: "Berkas terlalu besar"}


def redirect(request: Request, to: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=401 if to.startswith("/masuk") else 403, headers={"HX-Redirect": to})
    return RedirectResponse(to, status_code=303)


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        reason = REASONS.get(exc.code, "masuk")
        response = redirect(request, f"/masuk?sebab={reason}")
        site = request.app.state.site
        site.cookies.drop(response, site.cookies.session)
        return response

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        return redirect(request, "/ganti-sandi")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(request, 403, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {404: "Alamat ini tidak ada.", 405: "Halaman ini tidak menerima permintaan seperti itu."}
        return error_page(request, exc.status_code, messages.get(exc.status_code, ""), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 400, "Isian permintaan tidak dapat dibaca.")


def error_page(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    response = page(request, "galat.html", {"status": status, "title": STATUS_TEXT.get(status, "Galat"),
                                            "message": message}, status=status)
    response.headers.update(headers or {})
    return response
