"""Projected claims decided by the real rules under a law, and summed: by office and level group, the year's
total, the families the caps stop, the expected monthly peak; and, for a what-if, two laws side by side.

Money stays int rupiah: a row's expected amount is the sum of its claims' amounts times their weights (exact
fractions), rounded to the rupiah once, per row (half to even); totals add the rows. Pure.
"""

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction
from typing import NamedTuple

import attrs

from beasiswa.indonesian import format_date
from beasiswa.budget.projection import PATH, Projected, ProjectedCase
from beasiswa.law import Law
from beasiswa.model import Code, Outcome
from beasiswa.rules import decide

CAP_CODES = frozenset({Code.FAMILY_CAP_REACHED, Code.CHILD_CAP_REACHED})
_APPROVED = Outcome.APPROVED
# Level groups shown in the order of a schooling (the law data's order); a group not listed here comes after.
GROUP_ORDER = ("TK_SD", "SMP", "SMA", "PT")


def row_key(office_and_group: tuple[str, str]) -> tuple:
    office, group = office_and_group
    return office, GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER), group


class Result(NamedTuple):
    """One projected claim as a law decides it (a named tuple: a what-if makes two for every projected claim)."""

    claim: Projected
    level_group: str
    outcome: Outcome
    amount: int
    codes: tuple[Code, ...]

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.APPROVED


def decide_projected(cases: Iterable[ProjectedCase], law: Law) -> list[Result]:
    results = []
    append = results.append
    dated = {d.id: d for d in law.dated}
    in_force = law.in_force
    for projected in cases:
        decision = decide(projected.case, law)
        by_claim = {d.claim: d for d in decision.decisions}
        group_of = in_force(dated[decision.scheme], projected.case.claims[0].academic_year).scheme.level_group
        for meta in projected.claims:
            d = by_claim[meta.claim_id]
            group = group_of(meta.level)
            append(Result(meta, group.id if group else "-", d.outcome, d.amount,
                          tuple(r.code for r in d.reasons) if d.reasons else ()))
    return results


def _money(value: Fraction) -> int:
    return round(value)  # Fraction rounds half to even, to an int: whole rupiah


class _Sum:
    """Whole rupiah summed by weight, multiplied out once: few weights, many claims (Fractions are slow)."""

    __slots__ = ("by_weight",)

    def __init__(self):
        self.by_weight: dict[Fraction, int] = {}

    def add(self, weight: Fraction, amount: int) -> None:
        if amount:
            self.by_weight[weight] = self.by_weight.get(weight, 0) + amount

    def value(self) -> Fraction:
        return sum((weight * amount for weight, amount in self.by_weight.items()), Fraction(0))


@attrs.frozen
class Row:
    office: str
    level_group: str
    projected: int  # projected claims on the typical path (the `path` variant), whatever the decision
    expected: Fraction  # expected approved claims: the weights of the approved ones
    amount: int  # expected rupiah

    @property
    def expected_claims(self) -> Fraction:
        return self.expected


@attrs.frozen
class Forecast:
    rows: tuple[Row, ...]
    total_projected: int
    total_expected: Fraction
    total_amount: int
    capped_families: tuple[str, ...]  # cases a projected claim of which the family or child cap refuses
    refused: dict[str, int]  # reason code -> projected claims (path variant) refused or held for it
    peak_month: tuple[int, int, int] | None  # (year, month, expected rupiah) of the month of most money
    months: tuple[tuple[int, int, int], ...]


def summarise(results: list[Result]) -> Forecast:
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.claim.office, r.level_group), []).append(r)
    rows = []
    for (office, group), items in sorted(groups.items(), key=lambda item: row_key(item[0])):
        projected = sum(1 for r in items if r.claim.variant == PATH)
        expected, amount = _Sum(), _Sum()
        for r in items:
            amount.add(r.claim.weight, r.amount)
            if r.outcome is _APPROVED:
                expected.add(r.claim.weight, 1)
        rows.append(Row(office, group, projected, expected.value(), _money(amount.value())))
    capped = sorted({r.claim.case_id for r in results if r.claim.weight and CAP_CODES & set(r.codes)})
    refused: dict[str, int] = {}
    for r in results:
        if r.claim.variant == PATH:
            for code in r.codes:
                refused[code.value] = refused.get(code.value, 0) + 1
    by_month: dict[tuple[int, int], _Sum] = {}
    for r in results:
        if r.amount:
            key = (r.claim.submitted_on.year, r.claim.submitted_on.month)
            by_month.setdefault(key, _Sum()).add(r.claim.weight, r.amount)
    months = tuple((y, m, _money(v.value())) for (y, m), v in sorted(by_month.items()))
    peak = max(months, key=lambda item: (item[2], -item[0], -item[1])) if months else None
    return Forecast(tuple(rows), sum(r.projected for r in rows), sum((r.expected for r in rows), Fraction(0)),
                    sum(r.amount for r in rows), tuple(capped), dict(sorted(refused.items())), peak, months)


@attrs.frozen
class Comparison:
    """A row of a what-if: the same projected claims under the baseline and the reform."""

    office: str
    level_group: str
    expected: Fraction  # expected claims approved under the reform
    baseline: int
    reform: int

    @property
    def change(self) -> int:
        return self.reform - self.baseline


@attrs.frozen
class Eligibility:
    """A projected claim approved under one law and not the other."""

    claim: Projected
    gains: bool  # approved under the reform only
    baseline_codes: tuple[Code, ...]
    reform_codes: tuple[Code, ...]


@attrs.frozen
class WhatIf:
    rows: tuple[Comparison, ...]
    baseline: int
    reform: int
    changed: tuple[Eligibility, ...]
    pairs: tuple[tuple[Result, Result], ...]

    @property
    def change(self) -> int:
        return self.reform - self.baseline


def compare(cases: list[ProjectedCase], baseline: Law, reform: Law) -> WhatIf:
    """Decide the same projected cases under both laws, pair each claim's two results, and sum them."""
    before, after = decide_projected(cases, baseline), decide_projected(cases, reform)
    pairs = tuple(zip(before, after))
    groups: dict[tuple[str, str], list[tuple[Result, Result]]] = {}
    for b, a in pairs:
        groups.setdefault((b.claim.office, a.level_group), []).append((b, a))
    rows = []
    for (office, group), items in sorted(groups.items(), key=lambda item: row_key(item[0])):
        expected, before_sum, after_sum = _Sum(), _Sum(), _Sum()
        for b, a in items:
            weight = b.claim.weight
            before_sum.add(weight, b.amount)
            after_sum.add(weight, a.amount)
            if a.outcome is _APPROVED:
                expected.add(weight, 1)
        rows.append(Comparison(office, group, expected.value(), _money(before_sum.value()),
                               _money(after_sum.value())))
    changed = tuple(Eligibility(a.claim, a.outcome is _APPROVED, b.codes, a.codes) for b, a in pairs
                    if (b.outcome is _APPROVED) != (a.outcome is _APPROVED) and a.claim.variant == PATH)
    return WhatIf(tuple(rows), sum(r.baseline for r in rows), sum(r.reform for r in rows), changed, pairs)


def percent(change: int, baseline: int) -> str:
    """A change as a percentage of the baseline, one decimal, Indonesian comma; computed with integers."""
    if baseline == 0:
        return "-" if change == 0 else "baru"
    tenths = round(Fraction(change * 1000, baseline))
    sign = "-" if tenths < 0 else ("+" if tenths > 0 else "")
    whole, part = divmod(abs(tenths), 10)
    return f"{sign}{whole},{part}%"


def format_count(value: Fraction) -> str:
    tenths = round(value * 10)
    whole, part = divmod(tenths, 10)
    return f"{whole:,}".replace(",", ".") + f",{part}"


def month_label(year: int, month: int) -> str:
    """`Juli 2026`: the month's Indonesian name, as dates are written."""
    return format_date(dt.date(year, month, 1)).split(" ", 1)[1]
