"""What a rule sees of one claim: the case, the scheme's values and the readings in force for the year claimed
(interpretation I14), and what was paid before it.

`Tally` is the running record of payouts under a case while its claims are decided in order: the history
from the file plus every claim approved so far. Rules only read it; `decide` adds to it.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache

import attrs

from beasiswa.indonesian import format_date
from beasiswa.law import InForce, Interpretation, Law, LevelGroup, Scheme
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
    # Kept up to date by `add`, as the rules read them for every claim.
    paid_total: int = attrs.field(init=False, default=0)
    _by_child: dict[str, list[Paid]] = attrs.field(init=False, factory=dict, repr=False, eq=False)
    _paid_to: dict[str, int] = attrs.field(init=False, factory=dict, repr=False, eq=False)
    _years_of: dict[str, set[int]] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    def __attrs_post_init__(self):
        for paid in self.payouts:
            self._count(paid)

    def add(self, paid: Paid) -> None:
        self.payouts.append(paid)
        self._count(paid)

    def _count(self, paid: Paid) -> None:
        self.paid_total += paid.amount
        self._by_child.setdefault(paid.child, []).append(paid)
        self._paid_to[paid.child] = self._paid_to.get(paid.child, 0) + paid.amount
        self._years_of.setdefault(paid.child, set()).add(paid.academic_year.start_year)

    def of_child(self, child_id: str) -> Sequence[Paid]:
        """A child's payouts, in the order they were made (for reading only)."""
        return self._by_child.get(child_id, ())

    def paid_for_year(self, child_id: str, year: AcademicYear) -> bool:
        return year.start_year in self._years_of.get(child_id, ())

    def years_paid(self, child_id: str, levels: frozenset[Level]) -> set[AcademicYear]:
        """Academic years paid to a child at any of these levels (rule book I7: each paid year counts)."""
        return {p.academic_year for p in self.of_child(child_id) if p.level in levels}

    def paid_to_child(self, child_id: str) -> int:
        return self._paid_to.get(child_id, 0)

    def children_paid(self) -> list[str]:
        """Children who received a payout, in the order of their first one."""
        return list(self._by_child)


@attrs.define
class ClaimContext:
    """One claim with everything its rules compare against; the derived values are computed once.

    Rules only read it. Not an attrs.frozen class only for speed: a frozen class sets each of its 13 slots
    through object.__setattr__, at three times the cost, and one of these is built for every claim."""

    law: Law
    scheme: Scheme
    case: Case
    child: Child
    claim: Claim
    tally: Tally
    # The law in force for the year claimed (`Law.in_force`): its readings; None: the latest readings.
    in_force: InForce | None = None
    year_start: dt.date = attrs.field(init=False)
    year_end: dt.date = attrs.field(init=False)
    group: LevelGroup | None = attrs.field(init=False)
    amount: Cited[int] | None = attrs.field(init=False)
    beneficiaries: list[str] = attrs.field(init=False)
    year_text: str = attrs.field(init=False)
    # The law's interpretations by id (rule book §8), read by most rules: `c.readings["I1"].setting`.
    readings: Mapping[str, Interpretation] = attrs.field(init=False)

    def __attrs_post_init__(self):
        year, level = self.claim.academic_year, self.claim.level
        year_start, year_end = self.law.year_span(year)
        self.year_start, self.year_end = year_start, year_end
        self.year_text = _year_text(year.start_year, year_start, year_end)
        self.group = self.scheme.level_group(level)
        self.amount = self.scheme.amount_for(level)
        self.beneficiaries = beneficiaries(self.case, self.tally, self.scheme.children_limit.value)
        self.readings = self.in_force.readings if self.in_force is not None else self.law.readings


@lru_cache(maxsize=1024)
def _year_text(start_year: int, first_day: dt.date, last_day: dt.date) -> str:
    return f"tahun ajaran {AcademicYear(start_year)} ({format_date(first_day)} s.d. {format_date(last_day)})"


def beneficiaries(case: Case, tally: Tally, limit: int | None = None) -> list[str]:
    """Children holding the beneficiary places (rule book I3): designated ones first, then those paid, in the
    order of their first payout, up to the scheme's limit (`limit`, else the tally's scheme's). A child paid
    beyond the limit (imported history that broke it) holds no place."""
    designated = [c.id for c in case.children if c.designated]
    if limit is None:
        limit = tally.scheme.children_limit.value
    return list(dict.fromkeys(designated + tally.children_paid()))[:limit]
