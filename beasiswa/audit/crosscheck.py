"""The claims' state against the journal: what one says was paid, the other must have paid.

- A claim in state `paid` names its payout (`paid_seq`): that entry must be there, be a payout of this very
  claim, and not be reversed (a reversed payout takes its claim out of `paid`).
- A payout posted from a claim (source `ledger`) that is not reversed must have its claim `paid`, naming it.
  A reversed payout is no finding: after its reversal the claim has legitimately left `paid`.

The triggers hold both while they are there; with them dropped, or written around by a superuser, only this
check sees a claim marked paid whose entry is gone, or money out for a claim nobody approved to pay. Both
questions are asked in one transaction, so they read one state of the database.
"""

from sqlalchemy import text
from sqlalchemy.engine import Engine

from beasiswa.model import State

_PAID_CLAIMS = text(
    "SELECT c.case_id, c.claim_id, c.paid_seq, j.seq, j.kind, j.case_id AS j_case, j.claim_id AS j_claim, r.seq "
    "FROM claims c LEFT JOIN journal j ON j.seq = c.paid_seq LEFT JOIN journal r ON r.reverses_seq = c.paid_seq "
    "WHERE c.state = :paid AND (j.seq IS NULL OR j.kind <> 'payout' OR j.case_id <> c.case_id "
    "OR j.claim_id IS NULL OR j.claim_id <> c.claim_id OR r.seq IS NOT NULL) ORDER BY c.case_id, c.claim_id"
).bindparams(paid=State.PAID.value)
_PAYOUTS = text(
    "SELECT j.seq, j.case_id, j.claim_id, c.claim_id, c.state, c.paid_seq FROM journal j "
    "LEFT JOIN claims c ON c.case_id = j.case_id AND c.claim_id = j.claim_id "
    "WHERE j.kind = 'payout' AND j.source = 'ledger' AND j.claim_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = j.seq) "
    "AND (c.claim_id IS NULL OR c.state <> :paid OR c.paid_seq IS NULL OR c.paid_seq <> j.seq) ORDER BY j.seq"
).bindparams(paid=State.PAID.value)


def _paid_claim_problem(case_id, claim_id, paid_seq, seq, kind, j_case, j_claim, reversed_by) -> str:
    what = f"klaim {case_id}/{claim_id} berstatus paid"
    if paid_seq is None:
        return f"{what} tanpa paid_seq: tidak menyebut pembayarannya di jurnal"
    if seq is None:
        return f"{what} dengan paid_seq {paid_seq}, tetapi jurnal tidak punya entri seq {paid_seq}"
    if kind != "payout":
        return f"{what} dengan paid_seq {paid_seq}, tetapi entri seq {paid_seq} adalah {kind}, bukan pembayaran"
    if (j_case, j_claim) != (case_id, claim_id):
        return (f"{what} dengan paid_seq {paid_seq}, tetapi entri seq {paid_seq} membayar klaim "
                f"{j_case}/{j_claim or '-'}")
    return f"{what}, tetapi pembayarannya seq {paid_seq} sudah dibatalkan oleh seq {reversed_by}"


def _payout_problem(seq, case_id, claim_id, found, state, paid_seq) -> str:
    what = f"jurnal seq {seq}: pembayaran klaim {case_id}/{claim_id}"
    if found is None:
        return f"{what}, tetapi klaim itu tidak terdaftar"
    if state != State.PAID.value:
        return f"{what} (tidak dibatalkan), tetapi klaim berstatus {state}, bukan paid"
    return f"{what}, tetapi klaim menyebut paid_seq {paid_seq}"


def findings(engine: Engine) -> list[str]:
    """Each paid claim without its unreversed payout, and each unreversed payout without its paid claim."""
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        paid = [_paid_claim_problem(*row) for row in conn.execute(_PAID_CLAIMS)]
        payouts = [_payout_problem(*row) for row in conn.execute(_PAYOUTS)]
    return paid + payouts
