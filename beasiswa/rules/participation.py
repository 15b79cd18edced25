"""Rules on the participant and the qualifying event (rule book §3.1, §4): is the event covered, were
enough contributions paid, and is the employer in arrears."""

from beasiswa.indonesian import EVENT_NAMES, SEGMENT_NAMES, format_date
from beasiswa.model import Code
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, fails, holds


def segment_is_covered(c: ClaimContext) -> Finding:
    segment = c.case.participant.segment
    covered = c.scheme.segments
    detail = f"segmen {segment.value} ({SEGMENT_NAMES[segment.value]}); {c.scheme.name} menanggung " + \
        ", ".join(sorted(covered.value))  # the vocabularies are str: sorted and joined by their values
    if segment in covered.value:
        return holds(detail, covered.citation)
    return fails(Code.EVENT_NOT_COVERED,
                 f"Peserta segmen {SEGMENT_NAMES[segment.value]} tidak berhak atas beasiswa pendidikan anak "
                 f"menurut {c.scheme.name}.", detail, covered.citation)


def event_is_covered(c: ClaimContext) -> Finding:
    event = c.case.event
    rule = c.scheme.event_rule(event.kind)
    detail = f"peserta {EVENT_NAMES[event.kind.value]} pada {format_date(event.date)}; berlaku {c.scheme.name}"
    if rule is not None:
        return holds(f"{detail}, program {rule.programme}", rule.minimum_contribution_months.citation)
    return fails(Code.EVENT_NOT_COVERED,
                 f"Peristiwa {EVENT_NAMES[event.kind.value]} tidak memberi hak atas beasiswa pendidikan anak "
                 f"menurut {c.scheme.name}.", detail, c.scheme.benefit_basis.citation)


def contribution_period_is_long_enough(c: ClaimContext) -> Finding:
    rule = c.scheme.event_rule(c.case.event.kind)
    if rule is None:
        return holds("tidak dinilai: peristiwa tidak ditanggung", c.scheme.benefit_basis.citation)
    needed = rule.minimum_contribution_months
    months = c.case.participant.contribution_months
    detail = f"masa iur {months} bulan; paling singkat {needed.value} bulan untuk program {rule.programme}"
    if months >= needed.value:
        return holds(detail, needed.citation)
    return fails(Code.CONTRIBUTION_TOO_SHORT,
                 f"Masa iur peserta {months} bulan, kurang dari {needed.value} bulan yang disyaratkan untuk "
                 f"beasiswa pada program {rule.programme} bagi peserta yang "
                 f"{EVENT_NAMES[c.case.event.kind.value]}.", detail, needed.citation)


def employer_arrears_are_within_limit(c: ClaimContext) -> Finding:
    limit = c.scheme.arrears_limit_months
    months = c.case.participant.arrears_months
    detail = f"tunggakan iuran pemberi kerja {months} bulan; batas {limit.value} bulan"
    if months <= limit.value:
        return holds(detail, limit.citation)
    return fails(Code.ARREARS_UNSETTLED,
                 f"Pembayaran ditunda karena pemberi kerja menunggak iuran {months} bulan, lebih dari "
                 f"{limit.value} bulan. Beasiswa dibayarkan setelah tunggakan dilunasi.", detail, limit.citation)
