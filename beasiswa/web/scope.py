"""Office scoping of what a page reads by address, on the server: the rule is `beasiswa.access.roles`
(`check_read`: officers and supervisors read their own office's, auditors every office's); this is what the web
makes of its refusal.

Another office's thing asked for by address gets the refusal (rule OFFICE) written to the audit trail through
the workflow's `record_refusal`, then a 404, the same page an address that names nothing gets, so it tells
nobody the thing exists.
"""

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from beasiswa.access.roles import NotAllowed, check_read


async def check_readable(request: Request, action: str, subject: str, office: str, *, case_id: str | None = None,
                         claim_id: str | None = None) -> None:
    """Raise a 404 unless the request's user may read `subject` (of `office`); the refused read is audited."""
    user = request.state.session.user
    try:
        check_read(user, office, subject)
    except NotAllowed as refusal:
        await run_in_threadpool(request.app.state.site.workflow.record_refusal, user.name, action, subject, refusal,
                                case_id=case_id, claim_id=claim_id)
        raise HTTPException(404) from None
