"""Office scoping of what a page reads, on the server: officers and supervisors read their own office's
letters and ledger, auditors every office's.

`office_of` is the office a user's reads are limited to (None: all). `not_found` is what another office's
thing asked for by address gets: the refusal (rule OFFICE) written to the audit trail through the workflow's
`record_refusal`, then a 404, the same page an address that names nothing gets, so it tells nobody the thing
exists. (A small helper of the web layer: `beasiswa.access.roles` has `check` for actions, none for reads.)
"""

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from beasiswa.access.roles import OFFICE_BOUND, ROLE_NAMES, NotAllowed, User


def office_of(user: User) -> str | None:
    return user.office if user.role in OFFICE_BOUND else None


def in_scope(user: User, office: str) -> bool:
    scope = office_of(user)
    return scope is None or scope == office


async def not_found(request: Request, action: str, subject: str, office: str, *, case_id: str | None = None,
                    claim_id: str | None = None) -> HTTPException:
    """Audit the refused read of `subject` (of `office`) by the request's user; the 404 to raise."""
    user = request.state.session.user
    refusal = NotAllowed("OFFICE", f"pengguna {user.describe()} tidak boleh membaca {subject} milik kantor {office}: "
                                   f"{ROLE_NAMES[user.role]} hanya membaca milik kantornya sendiri")
    await run_in_threadpool(request.app.state.site.workflow.record_refusal, user.name, action, subject, refusal,
                            case_id=case_id, claim_id=claim_id)
    return HTTPException(404)
