"""The two cookies: the session's secret after sign-in, and before it a random value the sign-in form's CSRF
token is bound to (`csrf`). Both HttpOnly, SameSite=Strict, path /, no expiry date (the server ends sessions:
`beasiswa.auth.limits`); Secure behind HTTPS, and then named with the `__Host-` prefix, which browsers accept
only from a secure origin, for the whole host.
"""

import attrs
from starlette.responses import Response


@attrs.frozen
class Cookies:
    secure: bool

    @property
    def session(self) -> str:
        return f"{self._prefix}beasiswa_sesi"

    @property
    def pre_session(self) -> str:
        return f"{self._prefix}beasiswa_pra"

    @property
    def _prefix(self) -> str:
        return "__Host-" if self.secure else ""

    def put(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, path="/", httponly=True, samesite="strict", secure=self.secure)

    def drop(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=self.secure)
