"""Rules on the amounts (rule book §3.2, §4, P2): the per-child and family caps, each checked on its own
even where the year allowances imply them, and the PP 44/2015 lump sum paid once."""

from beasiswa.indonesian import format_rupiah
from beasiswa.model import Code
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def within_cap(total: int, cap: int) -> bool:
    """Whether a total paid (the payout in question counted) stays within a cap (per child or per family);
    the ledger's checks and its exceptions report ask the same."""
    return total <= cap


def child_cap_allows_amount(c: ClaimContext) -> Finding:
    cap = c.scheme.child_cap
    paid = c.tally.paid_to_child(c.child.id)
    amount = c.amount.value if c.amount else 0
    citation = cite(cap.citation, c.readings["P2"].citation)
    detail = f"dibayar untuk {c.child.id} {format_rupiah(paid)} + {format_rupiah(amount)}; " \
             f"batas per anak {format_rupiah(cap.value)}"
    if within_cap(paid + amount, cap.value):
        return holds(detail, citation)
    return fails(Code.CHILD_CAP_REACHED,
                 f"Beasiswa untuk {c.child.name} telah mencapai {format_rupiah(paid)}; pembayaran "
                 f"{format_rupiah(amount)} melampaui batas {format_rupiah(cap.value)} per anak.", detail, citation)


def family_cap_allows_amount(c: ClaimContext) -> Finding:
    cap = c.scheme.family_cap
    paid = c.tally.paid_total
    amount = c.amount.value if c.amount else 0
    citation = cite(cap.citation, c.readings["P2"].citation)
    detail = f"dibayar untuk keluarga {format_rupiah(paid)} + {format_rupiah(amount)}; " \
             f"batas per peserta {format_rupiah(cap.value)}"
    if within_cap(paid + amount, cap.value):
        return holds(detail, citation)
    return fails(Code.FAMILY_CAP_REACHED,
                 f"Beasiswa untuk keluarga peserta telah mencapai {format_rupiah(paid)} dari batas "
                 f"{format_rupiah(cap.value)}; sisa {format_rupiah(cap.value - paid)} tidak mencukupi "
                 f"pembayaran {format_rupiah(amount)}.", detail, citation)


def lump_sum_not_yet_paid(c: ClaimContext) -> Finding:
    lump_sum = c.scheme.lump_sum
    paid = c.tally.paid_total
    detail = f"beasiswa sekaligus {format_rupiah(lump_sum.value)}; telah dibayar {format_rupiah(paid)}"
    if paid == 0:
        return holds(detail, lump_sum.citation)
    return fails(Code.LUMP_SUM_PAID,
                 f"Beasiswa menurut {c.scheme.name} sebesar {format_rupiah(lump_sum.value)} dibayarkan satu "
                 f"kali untuk setiap peserta dan telah dibayarkan.", detail, lump_sum.citation)
