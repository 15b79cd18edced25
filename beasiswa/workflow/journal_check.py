"""`beasiswa ledger verify` as a signed-in user does it from the web application: the journal's chain and
running totals recomputed (`beasiswa.ledger.verify`), the heads the user brings checked against the chains
(`beasiswa.audit.anchors.findings`), and the verdict written to the audit trail under the user's name.

Only supervisors and auditors verify (the route's rule says so too; checked again here, the user read in the
transaction that writes the row, a deactivated user refused). A refusal is audited as every other. The check
reads the whole journal, every office's: the chain is one. What the page shows of it per role is the page's.
"""

import attrs

from beasiswa.access.roles import ROLE_NAMES, NotAllowed, Role, User
from beasiswa.access.trail import actor, audit
from beasiswa.audit.anchors import Anchor, findings
from beasiswa.db.uow import timestamp
from beasiswa.ledger import VerifyReport, verify

ACTION = "ledger.verify"
VERIFIERS = frozenset({Role.SUPERVISOR, Role.AUDITOR})


@attrs.frozen
class JournalCheck:
    report: VerifyReport
    anchors: tuple[Anchor, ...]
    lost: tuple[str, ...]  # one message per anchor no longer in its chain
    at: str

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.lost


def _allowed(user: User) -> User:
    if not user.active:
        raise NotAllowed("INACTIVE", f"pengguna {user.describe()} sudah dinonaktifkan dan tidak boleh memverifikasi "
                                     f"jurnal")
    if user.role not in VERIFIERS:
        raise NotAllowed("ROLE", f"pengguna {user.describe()} tidak boleh memverifikasi jurnal: hanya "
                                 f"{', '.join(ROLE_NAMES[r] for r in Role if r in VERIFIERS)}")
    return user


def check_journal(workflow, as_name: str, anchors: list[Anchor]) -> JournalCheck:
    """Verify the journal and the anchors as `as_name`; the verdict audited (action ledger.verify)."""
    def refused(refusal: NotAllowed):
        workflow.record_refusal(as_name, ACTION, "jurnal", refusal)
        return refusal

    with workflow.engine.connect() as conn:
        try:
            _allowed(actor(conn, as_name))
        except NotAllowed as refusal:
            raise refused(refusal) from None
    report = verify(workflow.engine)
    lost = tuple(findings(workflow.engine, anchors)) if anchors else ()
    at = timestamp(workflow.clock())
    verdict = "OK" if report.ok and not lost else "RUSAK"
    note = (f"verifikasi jurnal: {verdict}; {report.entries} entri, hash ujung {report.head_hash}"
            + (f"; {len(anchors)} jangkar, {len(lost)} temuan" if anchors else ""))

    def work(conn):
        user = _allowed(actor(conn, as_name))
        audit(conn, [dict(at=at, actor=user.name, action=ACTION, subject="jurnal",
                          after={"ok": report.ok, "entries": report.entries, "head_hash": report.head_hash,
                                 "broken_seq": report.broken_seq, "anchors": len(anchors), "anchors_lost": len(lost)},
                          note=note)])

    try:
        workflow.ledger.run(work)
    except NotAllowed as refusal:
        raise refused(refusal) from None
    return JournalCheck(report, tuple(anchors), lost, at)
