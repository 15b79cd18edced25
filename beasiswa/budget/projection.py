"""Next year's claims, projected from this year's: each beneficiary child one year older, on the typical path.

Pure: the cases and their approved claims go in (`Held`), cases of projected claims come out, to be decided by
the real rules (budget/tally.py). The assumptions are the forecast's (data/forecast.toml), never the law's.

A child at the last year of a level is projected twice, in two variants of its case: moving on (`path`,
weighted by the share that does not repeat) and repeating the level (`repeat`, weighted by the share that does).
The other children keep their one claim in both variants, so the family cap and the beneficiary places see the
whole family, but count (weight above 0) in the `path` variant only.
"""

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

import attrs

from beasiswa.budget.assumptions import Assumptions
from beasiswa.law import Law
from beasiswa.model import AcademicYear, Case, Claim, Document, Level, Payout

PATH, REPEAT = "path", "repeat"
ALL_DOCUMENTS = frozenset(Document)  # a projected claim is assumed complete: the forecast counts entitlement
ONE = Fraction(1)


@attrs.frozen
class Held:
    """A case as the database holds it, with the amounts of its claims whose decision in force is approved."""

    case: Case
    approved: dict[str, int]  # claim id -> amount


@attrs.frozen
class Projected:
    """One projected claim: whose, what level, when it is expected, and how much it counts (its weight)."""

    case_id: str
    office: str
    claim_id: str
    child: str
    level: Level
    submitted_on: dt.date
    weight: Fraction
    variant: str


@attrs.frozen
class ProjectedCase:
    case: Case  # the case with its payouts so far as history and the projected claims as claims
    variant: str
    claims: tuple[Projected, ...]


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _a_year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def payouts_so_far(held: Held) -> list[Payout]:
    """The case file's imported history and every approved claim, as payouts."""
    claims = {c.id: c for c in held.case.claims}
    made = list(held.case.history)
    for claim_id, amount in held.approved.items():
        claim = claims.get(claim_id)
        if claim is not None and amount > 0:
            made.append(Payout(claim.child, claim.academic_year, claim.level, amount))
    return made


def project_case(held: Held, year: AcademicYear, law: Law, assumptions: Assumptions,
                 age_limit: int) -> list[ProjectedCase]:
    """The projected variants of one case for `year` (none when no child of it is projected). Children who are
    `age_limit` or older on the year's first day, married or working by then, or at the end of the path, are
    not projected."""
    case = held.case
    first_day, last_day = law.year_span(year)
    previous = AcademicYear(year.start_year - 1)
    made = payouts_so_far(held)
    submitted = {c.child: c.submitted_on for c in case.claims
                 if c.academic_year == previous and held.approved.get(c.id, 0) > 0}
    this_year: dict[str, Level] = {}
    for payout in made:
        if payout.academic_year == previous:
            this_year[payout.child] = payout.level
    if not this_year:
        return []
    scheme = law.scheme_on(case.event.date)
    group_of = scheme.level_group
    path_claims: list[tuple[str, Level, Fraction]] = []
    repeat_claims: dict[str, tuple[Level, Fraction]] = {}
    for child in case.children:
        level = this_year.get(child.id)
        if level is None:
            continue
        if age_on(child.birth_date, first_day) >= age_limit:
            continue
        if (child.married_on and child.married_on <= first_day) or (child.employed_on and child.employed_on <= first_day):
            continue
        step = assumptions.path.get(level)
        current = assumptions.rates_for(_group_id(group_of, level))
        if step is None:  # a level off the path: the child stays at it
            path_claims.append((child.id, level, ONE - current.dropout))
            continue
        paid_years = len({p.academic_year for p in made if p.child == child.id and p.level is level})
        grade = max(paid_years, age_on(child.birth_date, law.year_span(previous)[0]) - step.entry_age + 1, 1)
        if grade < step.years:
            path_claims.append((child.id, level, ONE - current.dropout))
            continue
        if step.next is None:
            continue  # the last year of the last level: the schooling ends
        onward = assumptions.rates_for(_group_id(group_of, step.next))
        path_claims.append((child.id, step.next, (ONE - onward.dropout) * (ONE - current.repetition)))
        if current.repetition:
            repeat_claims[child.id] = (level, (ONE - current.dropout) * current.repetition)
    if not path_claims:
        return []

    def claim_of(child_id: str, level: Level) -> Claim:
        day = _a_year_later(submitted[child_id]) if child_id in submitted else first_day + dt.timedelta(days=30)
        day = min(max(day, first_day), last_day)
        return Claim(f"proyeksi-{child_id}", child_id, year, level, "(proyeksi)", day, ALL_DOCUMENTS)

    history = tuple(sorted(made, key=lambda p: (p.academic_year, p.child)))
    participant = attrs.evolve(case.participant, arrears_months=0)  # assumed settled

    def variant(name: str, entries: list[tuple[str, Level, Fraction]]) -> ProjectedCase:
        claims = tuple(claim_of(child_id, level) for child_id, level, _w in entries)
        meta = tuple(Projected(case.case_id, case.office, c.id, c.child, c.level, c.submitted_on, weight, name)
                     for c, (_child, _level, weight) in zip(claims, entries))
        return ProjectedCase(attrs.evolve(case, participant=participant, history=history, claims=claims), name, meta)

    variants = [variant(PATH, path_claims)]
    if repeat_claims:
        entries = [(child_id, *repeat_claims[child_id]) if child_id in repeat_claims else (child_id, level, Fraction(0))
                   for child_id, level, _w in path_claims]
        variants.append(variant(REPEAT, entries))
    return variants


def _group_id(group_of, level: Level) -> str | None:
    group = group_of(level)
    return group.id if group else None


def project(held: Iterable[Held], year: AcademicYear, law: Law, assumptions: Assumptions,
            age_limit: int | None = None) -> list[ProjectedCase]:
    """Every projected case for `year`; `age_limit`: the highest age limit any law compared will apply (by
    default the law's on the year's first day), so that a reform raising it finds the children it would pay."""
    if age_limit is None:
        age_limit = max(d.on(law.year_span(year)[0]).age_limit_years.value for d in law.dated)
    projected = []
    for item in held:
        projected.extend(project_case(item, year, law, assumptions, age_limit))
    return projected
