"""Sign-in for both front doors (the command line and the web application): who a request is, proven.

Design:
- Passwords (`passwords`): argon2id PHC strings by `argon2-cffi`, at least 12 characters, rehashed at sign-in
  when the parameters change. An admin sets a one-time password; signing in with it gives a session that may
  only change it (`Session.must_change_password`, `sessions.require_full`).
- Sessions (`sessions`) live in the database, so they are revocable and shared by every worker: a browser's
  (`web`: 30 minutes idle, 12 hours at most) or a personal token of the command line (`token`: 30 days, no idle
  limit; `beasiswa login` keeps it in a 0600 file, batch jobs read `BEASISWA_TOKEN`). The secret is
  `secrets.token_urlsafe(32)`; the table keeps only its SHA-256 (`session_ids`), so a copy of the database
  signs no one in. Every sign-in opens a new one. Sessions end by sign-out, an admin's revoke, a password
  change or reset, and the user's deactivation (`end_sessions_of`, in the deactivation's transaction); an
  ended session is never changed again (trigger SESSION_KEPT, migration 0008_sign_in).
- Lockout (`sign_in`): 5 failed sign-ins in a row lock the user for 15 minutes; the numbers are `limits`.
- Every sign-in, failure, lockout, sign-out, password change or reset, token issue and revoke is a row of the
  chained audit trail, written through `beasiswa.workflow.records.audit`; refusals too (`refused`).
- The clock is read at the edge: every function takes `now`. Nothing here reads a request or a file: the front
  doors hold the secret (`Opened.secret`) and pass it back (`Auth.authenticate`).

Modules: `limits` (the numbers), `moments` (stored timestamps back to datetimes), `session_ids` (the secret and
its hash), `passwords`, `refusals` (the messages), `sessions` (open, check, end, list), `sign_in` (the changes,
each with its audit rows, in the caller's transaction), `service` (`Auth`: one transaction per call).
"""

from beasiswa.auth.limits import LIMITS, TOKEN, WEB, Limits
from beasiswa.auth.service import Auth
from beasiswa.auth.sessions import Opened, Session, SessionInfo, end_sessions_of, require_full

__all__ = ["Auth", "LIMITS", "Limits", "Opened", "Session", "SessionInfo", "TOKEN", "WEB", "end_sessions_of",
           "require_full"]
