"""The route table: every route says who may use it, and one guard checks it on every request.

A rule is one of: PUBLIC (anyone, signed in or not), SESSION (any live session, also one that signed in with
a one-time password and must change it first: the change-password page and sign-out), SIGNED_IN (any role,
the password changed) or `roles(...)` (those roles only). `route` registers an endpoint with its rule in
ROUTES and puts the guard in front of it (`install` adds them all to the application); `create_app` refuses to start with a
route that has no rule (`check_every_route_has_a_rule`), and the authorization matrix test
(tests/test_web_access.py) is generated from ROUTES.

The guard, in order:
1. reads the clock (`request.state.now`);
2. a change (POST, PUT, PATCH, DELETE) without the CSRF token of the browser's session, or before sign-in
   of its pre-session cookie, is refused (403) before anything else is looked at;
3. a route that is not public authenticates the session cookie through `Auth.authenticate` (idle and
   absolute timeouts, ended sessions, deactivated users: all there): refused, the browser is sent to sign in;
4. a session that must change its password goes to /ganti-sandi for anything but SESSION routes;
5. a role the rule does not name is refused (403), and the refusal audited (`web.access`, code ROLE: who asked
   for which method and path), as the services audit theirs.
What passes is on `request.state`: `session` (None on a public route), `secret`, `csrf` (the token the page's
forms carry), `now`.
"""

import attrs
from collections.abc import Callable, Iterable

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from beasiswa.access.roles import ROLE_NAMES, Role
from beasiswa.auth import WEB
from beasiswa.auth.session_ids import new_secret
from beasiswa.model import Refusal
from beasiswa.web import csrf


@attrs.frozen
class Rule:
    """Who may use a route: `who` is public, session or signed_in; `roles`, when given, limits signed_in."""

    who: str
    roles: frozenset[Role] = frozenset()

    def allows(self, session) -> bool:
        """Whether a session (None: signed out) may use the route, its password changed or not aside."""
        if self.who == "public":
            return True
        if session is None:
            return False
        return not self.roles or session.user.role in self.roles

    @property
    def confined_ok(self) -> bool:
        """Whether a session that must change its password may use the route."""
        return self.who in ("public", "session")


PUBLIC = Rule("public")
SESSION = Rule("session")
SIGNED_IN = Rule("signed_in")


def roles(*allowed: Role) -> Rule:
    return Rule("signed_in", frozenset(allowed))


@attrs.frozen
class Endpoint:
    method: str
    path: str
    rule: Rule
    function: Callable
    options: dict


# (method, path) -> rule, and the endpoints, filled by `route` as the page modules are imported.
ROUTES: dict[tuple[str, str], Rule] = {}
ENDPOINTS: list[Endpoint] = []


class SignInRequired(Exception):
    """No live session: the browser is sent to sign in; `code` is the refusal's (SESSION_EXPIRED …)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class PasswordChangeRequired(Exception):
    """A session signed in with a one-time password asked for something else than changing it."""


class Forbidden(Exception):
    """The session's role may not use the route, or the change had no valid CSRF token (`csrf`)."""

    def __init__(self, message: str, *, csrf: bool = False):
        super().__init__(message)
        self.message = message
        self.csrf = csrf


class Guard:
    def __init__(self, rule: Rule):
        self.rule = rule

    async def __call__(self, request: Request) -> None:
        site = request.app.state.site
        request.state.now = now = site.clock()
        secret = request.cookies.get(site.cookies.session) or None
        pre = request.cookies.get(site.cookies.pre_session) or None
        request.state.secret, request.state.session, request.state.new_pre_session = secret, None, None
        if request.method not in csrf.SAFE_METHODS and not csrf.valid(site.csrf_key, secret or pre,
                                                                      await _given_token(request)):
            raise Forbidden("Permintaan ditolak: token keamanan formulir (CSRF) tidak ada atau tidak cocok. "
                            "Muat ulang halaman, lalu coba lagi.", csrf=True)
        if self.rule.who == "public":
            bound = secret or pre
            if bound is None:  # a first visit: the sign-in form's token needs something to be bound to
                bound = request.state.new_pre_session = new_secret()
            request.state.csrf = csrf.token(site.csrf_key, bound)
            return
        try:
            session = await run_in_threadpool(site.auth.authenticate, secret, now, kind=WEB, full=False)
        except Refusal as refusal:
            raise SignInRequired(refusal.code) from None
        request.state.session = session
        request.state.csrf = csrf.token(site.csrf_key, secret)
        if session.must_change_password and not self.rule.confined_ok:
            raise PasswordChangeRequired()
        if not self.rule.allows(session):
            asked = f"{request.method} {request.url.path}"
            refusal = Refusal("ROLE", f"pengguna {session.user.describe()} tidak boleh membuka {asked}: hanya "
                                      f"{', '.join(ROLE_NAMES[r] for r in Role if r in self.rule.roles)}")
            await run_in_threadpool(site.workflow.record_refusal, session.user.name, "web.access", asked, refusal)
            raise Forbidden("Anda tidak berhak membuka halaman ini dengan peran Anda.")


async def _given_token(request: Request) -> str | None:
    given = request.headers.get(csrf.HEADER)
    if given:
        return given
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(csrf.FIELD)
        return value if isinstance(value, str) else None
    return None


def route(method: str, path: str, rule: Rule, **options):
    """Register the decorated endpoint for `method` `path` with its rule (`install` serves it)."""
    def register(function):
        key = (method, path)
        if key in ROUTES:
            raise ValueError(f"route {method} {path}: registered twice")
        ROUTES[key] = rule
        ENDPOINTS.append(Endpoint(method, path, rule, function, options))
        return function
    return register


def install(app: FastAPI) -> None:
    """Serve every registered endpoint, each behind the guard of its rule."""
    for e in ENDPOINTS:
        app.add_api_route(e.path, e.function, methods=[e.method], dependencies=[Depends(Guard(e.rule))],
                          include_in_schema=False, **e.options)


def served(routes: Iterable) -> set[tuple[str, str]]:
    """(method, path) of every route the application serves, those of included routers too."""
    found = set()
    for r in routes:
        if isinstance(r, APIRoute):
            found |= {(m, r.path) for m in r.methods}
        elif hasattr(r, "original_router"):  # FastAPI's included router: its routes, prefix and all
            prefix = getattr(getattr(r, "include_context", None), "prefix", "") or ""
            found |= {(m, prefix + p) for m, p in served(r.original_router.routes)}
        elif hasattr(r, "routes") and not hasattr(r, "app"):
            found |= served(r.routes)
    return found


def check_every_route_has_a_rule(app: FastAPI) -> None:
    for method, path in sorted(served(app.routes) - set(ROUTES)):
        raise RuntimeError(f"route {method} {path}: no rule in the route table (beasiswa.web.access)")


def may(rule_key: tuple[str, str], session) -> bool:
    """Whether the session may use a route (for the links a page shows)."""
    rule = ROUTES[rule_key]
    return rule.allows(session) and (session is None or not session.must_change_password or rule.confined_ok)
