"""Rules on the level of education (rule book §3.2, I7, I8): covered levels, and each level group's year
allowance with TK's and SD's own limits inside TK–SD."""

from beasiswa.model import Code
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def within_allowance(years: int, allowance: int | None) -> bool:
    """Whether `years` paid at a level group or a stage (the year in question counted) stay within its year
    allowance (rule book I7: each paid year counts); None: the scheme counts no years there. The ledger's checks
    and its exceptions report ask the same."""
    return allowance is None or years <= allowance


def level_is_covered(c: ClaimContext) -> Finding:
    level = c.claim.level
    not_covered = c.scheme.not_covered_levels
    if level not in not_covered.value:
        group = c.group
        return holds(f"jenjang {level.value}, kelompok {group.name if group else '-'}", not_covered.citation)
    return fails(Code.LEVEL_NOT_COVERED,
                 f"Jenjang {level.value} tidak ditanggung: beasiswa pendidikan tinggi diberikan paling tinggi "
                 f"sampai {c.scheme.covered_up_to.value}.", f"jenjang {level.value} tidak ditanggung",
                 not_covered.citation)


def level_years_remain(c: ClaimContext) -> Finding:
    group = c.group
    readings = cite(c.readings["I7"].citation, c.readings["I8"].citation)
    if group is None or group.years is None:
        return holds("tidak dinilai: jenjang tidak ditanggung", c.scheme.not_covered_levels.citation)
    child = c.child.id
    used = len(c.tally.years_paid(child, group.levels))
    detail = f"{group.name}: {used} dari {group.years.value} tahun terpakai"
    citation = cite(group.years.citation, readings)
    if not within_allowance(used + 1, group.years.value):
        return fails(Code.LEVEL_YEARS_EXHAUSTED,
                     f"Jatah {group.name} untuk {c.child.name} telah habis: {used} dari {group.years.value} "
                     f"tahun telah dibayarkan.", detail, citation)
    stage = group.stage_of(c.claim.level)
    if stage is None:
        return holds(detail, citation)
    stage_used = len(c.tally.years_paid(child, stage.levels))
    detail += f"; {stage.name}: {stage_used} dari {stage.years.value} tahun"
    citation = cite(stage.years.citation, citation)
    if not within_allowance(stage_used + 1, stage.years.value):
        return fails(Code.LEVEL_YEARS_EXHAUSTED,
                     f"Jatah {stage.name} untuk {c.child.name} telah habis: {stage_used} dari "
                     f"{stage.years.value} tahun telah dibayarkan.", detail, citation)
    return holds(detail, citation)
