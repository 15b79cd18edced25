"""What a rule sees of one claim: the case, the scheme in force, and what was paid before it.

`Tally` is the running record of payouts under a case while its claims are decided in order: the history
from the file plus every claim approved so far. Rules only read it; `decide` adds to it.
"""

import datetime as dt

import attrs

from beasiswa.indonesian import format_date
from beasiswa.law import Interpretation, Law, LevelGroup, Scheme
from beasiswa.law.schema import Cited
from beasiswa.model import AcademicYear, Case, Child, Claim, Level


@attrs.frozen
class Paid:
    child: str
    academic_year: AcademicYear
    level: Level
    amount: int


@attrs.define
class Tally:
    scheme: Scheme
    payouts: list[Paid] = attrs.Factory(list)

    def add(self, paid: Paid) -> None:
        self.payouts.append(paid)

    def of_child(self, child_id: str) -> list[Paid]:
        return [p for p in self.payouts if p.child == child_id]

    def years_paid(self, child_id: str, levels: frozenset[Level]) -> set[AcademicYear]:
        """Academic years paid to a child at any of these levels (rule book I7: each paid year counts)."""
        return {p.academic_year for p in self.payouts if p.child == child_id and p.level in levels}

    def paid_to_child(self, child_id: str) -> int:
        return sum(p.amount for p in self.payouts if p.child == child_id)

    @property
    def paid_total(self) -> int:
        return sum(p.amount for p in self.payouts)

    def children_paid(self) -> list[str]:
        """Children who received a payout, in the order of their first one."""
        return list(dict.fromkeys(p.child for p in self.payouts))


@attrs.frozen
class ClaimContext:
    """One claim with everything its rules compare against; the derived values are computed once."""

    law: Law
    scheme: Scheme
    case: Case
    child: Child
    claim: Claim
    tally: Tally
    year_start: dt.date = attrs.field(init=False)
    year_end: dt.date = attrs.field(init=False)
    group: LevelGroup | None = attrs.field(init=False)
    amount: Cited[int] | None = attrs.field(init=False)
    beneficiaries: list[str] = attrs.field(init=False)
    year_text: str = attrs.field(init=False)

    def __attrs_post_init__(self):
        year, level = self.claim.academic_year, self.claim.level
        year_start, year_end = self.law.year_start(year), self.law.year_end(year)
        derive = object.__setattr__  # frozen: the derived values are set once, here
        derive(self, "year_start", year_start)
        derive(self, "year_end", year_end)
        derive(self, "year_text", f"tahun ajaran {year} ({format_date(year_start)} s.d. {format_date(year_end)})")
        derive(self, "group", self.scheme.level_group(level))
        derive(self, "amount", self.scheme.amount_for(level))
        derive(self, "beneficiaries", beneficiaries(self.case, self.tally))

    def interpretation(self, interpretation_id: str) -> Interpretation:
        return self.law.interpretation(interpretation_id)


def beneficiaries(case: Case, tally: Tally) -> list[str]:
    """Children holding the beneficiary places (rule book I3): designated ones first, then those paid, in the
    order of their first payout, up to the scheme's limit. A child paid beyond the limit (imported history
    that broke it) holds no place."""
    designated = [c.id for c in case.children if c.designated]
    return list(dict.fromkeys(designated + tally.children_paid()))[: tally.scheme.children_limit.value]
