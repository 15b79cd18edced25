"""How long a sign-in lasts and how many wrong passwords it takes to lock a user out: one place, so the front
doors, the tests and the README read the same numbers.

- a browser's session (`web`) ends after 30 minutes without a request (idle) and 12 hours after sign-in
  (absolute), whichever comes first;
- a personal token of the command line (`token`) ends 30 days after it was issued and has no idle limit: a
  batch job (`BEASISWA_TOKEN`) may run once a week. A shorter life would make officers sign in again in the
  middle of a month's work; a longer one would leave forgotten tokens on laptops. Admins revoke any token
  earlier, and a password change, a password reset or the user's deactivation ends every token at once;
- 5 failed sign-ins in a row lock the user for 15 minutes (a sign-in that succeeds counts from 0 again);
- a password has at least 12 characters.
The boundaries are exclusive of the end: a web session last used 29:59 ago is alive, 30:00 ago it is over.
"""

import datetime as dt

import attrs

WEB, TOKEN = "web", "token"
KINDS = (WEB, TOKEN)


@attrs.frozen
class Limits:
    idle: dt.timedelta = dt.timedelta(minutes=30)  # web sessions only
    absolute: dt.timedelta = dt.timedelta(hours=12)  # web sessions
    token_life: dt.timedelta = dt.timedelta(days=30)
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    min_password_length: int = 12

    def lifetime(self, kind: str) -> dt.timedelta:
        return self.token_life if kind == TOKEN else self.absolute

    def idle_limit(self, kind: str) -> dt.timedelta | None:
        return self.idle if kind == WEB else None


LIMITS = Limits()
