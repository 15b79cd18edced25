"""The shape of the law data: schemes (one per instrument), their cited values, and interpretations.

Everything a rule compares against lives here, each value with its citation, so a corrected amount, date
or article number is a data change, never a code change. Each value is dated (law/series.py): a `Scheme` is
one *edition* of its instrument, the values in force from one day; a `DatedScheme` holds every edition, and the
`Law` answers which edition and which interpretations were in force on a day.
"""

import bisect
import datetime as dt
import functools
import re
from collections.abc import Mapping
from enum import Enum
from typing import Generic, TypeVar

import attrs

from beasiswa.model import AcademicYear, Document, EventKind, Level, Segment


class Confidence(str, Enum):
    """The rule book's confidence marks."""

    TEXT = "text"
    AGREED = "agreed"
    OPEN = "open"
    # A value of a reform (law/reform.py): a proposal, not (yet) the law.
    PROPOSED = "proposed"


class Benefit(str, Enum):
    YEARLY = "yearly"  # per child per academic year, by level group (PP 82/2019)
    LUMP_SUM = "lump_sum"  # once per participant (PP 44/2015)


T = TypeVar("T")


@attrs.frozen
class Cited(Generic[T]):
    """A value of the law with the provision it comes from."""

    value: T
    citation: str
    confidence: Confidence
    note: str = ""
    # The day this value has applied from (its series' `from`); None for a value that is not dated.
    since: dt.date | None = None


@attrs.frozen
class EventRule:
    kind: EventKind
    programme: str
    minimum_contribution_months: Cited[int]


@attrs.frozen
class Stage:
    """A sub-limit inside a level group (TK at most 2 years, SD at most 6, inside TK–SD's 8)."""

    id: str
    name: str
    levels: frozenset[Level]
    years: Cited[int]


@attrs.frozen
class LevelGroup:
    id: str
    name: str
    levels: frozenset[Level]
    amount: Cited[int] | None = None
    years: Cited[int] | None = None
    stages: tuple[Stage, ...] = ()

    def stage_of(self, level: Level) -> Stage | None:
        for stage in self.stages:
            if level in stage.levels:
                return stage
        return None


@attrs.frozen
class Documents:
    first_claim: Cited[frozenset[Document]]
    later_claim: Cited[frozenset[Document]]
    guardian_payee: Cited[frozenset[Document]]


@attrs.frozen
class MinimumAge:
    """The youngest age at which a level can be attended (rule book §3.3, the school-admission rule): a
    plausibility check, never an eligibility rule. `interpretation` names the reading where the source is
    unsure."""

    levels: frozenset[Level]
    # A dated series (`age` in the data file), in the order of its days.
    ages: tuple[Cited[int], ...]
    interpretation: str | None = None

    def age_on(self, day: dt.date) -> Cited[int]:
        """The age in force on `day` (before the series starts, its first)."""
        chosen = self.ages[0]
        if len(self.ages) == 1:  # read for every claim: the usual series of one value
            return chosen
        for cited in self.ages[1:]:
            if cited.since > day:
                break
            chosen = cited
        return chosen

    @property
    def age(self) -> Cited[int]:
        """The latest age."""
        return self.ages[-1]


class NoSchemeInForce(LookupError):
    """No scheme, or more than one, applies on a date: the law gives no answer, and nothing is paid as 0."""


@attrs.frozen
class Scheme:
    id: str
    name: str
    title: str
    benefit: Benefit
    effective_from: Cited[dt.date]
    benefit_basis: Cited[str]
    segments: Cited[frozenset[Segment]]
    events: tuple[EventRule, ...]
    arrears_limit_months: Cited[int]
    children_limit: Cited[int]
    family_cap: Cited[int]
    age_limit_years: Cited[int]
    not_covered_levels: Cited[frozenset[Level]]
    # The highest education the scheme pays for, as a refusal of a level not covered names it.
    covered_up_to: Cited[str]
    level_groups: tuple[LevelGroup, ...]
    documents: Documents
    effective_until: Cited[dt.date] | None = None
    lump_sum: Cited[int] | None = None
    # Per child, where the scheme pays yearly (PP 82/2019); a lump sum is per participant only.
    child_cap: Cited[int] | None = None
    # Each level's group, looked up for every claim.
    _group_of: dict[Level, LevelGroup] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self):
        group_of: dict[Level, LevelGroup] = {}
        for group in self.level_groups:
            for level in group.levels:
                group_of.setdefault(level, group)
        object.__setattr__(self, "_group_of", group_of)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from.value <= day and (
            self.effective_until is None or day <= self.effective_until.value)

    def event_rule(self, kind: EventKind) -> EventRule | None:
        for rule in self.events:
            if rule.kind is kind:
                return rule
        return None

    def level_group(self, level: Level) -> LevelGroup | None:
        """The level group a level belongs to; None for a level the scheme does not cover."""
        return self._group_of.get(level)

    def level_group_by_id(self, group_id: str) -> LevelGroup:
        for group in self.level_groups:
            if group.id == group_id:
                return group
        raise KeyError(f"level_group: {group_id!r} is not a level group of {self.id}")

    def amount_for(self, level: Level) -> Cited[int] | None:
        """What one payout for a year at this level is; None for a level not covered."""
        if level in self.not_covered_levels.value:
            return None
        if self.benefit is Benefit.LUMP_SUM:
            return self.lump_sum
        group = self.level_group(level)
        return group.amount if group else None


# What each interpretation's `setting` may be: the readings the rules implement.
INTERPRETATION_SETTINGS: dict[str, frozenset[str] | re.Pattern] = {
    "I1": frozenset({"first_day_of_academic_year", "submission_date"}),
    "I2": re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "I3": frozenset({"fixed", "passes_to_sibling"}),
    "I4": frozenset({"in_progress_on_event_date", "first_starting_after_event"}),
    "I5": frozenset({"reject"}),
    "I6": frozenset({"warn", "allow"}),
    "I7": frozenset({"each_paid_year_counts"}),
    "I8": frozenset({"no_transfer"}),
    "I9": frozenset({"warn"}),
    "I10": frozenset({"warn"}),
    "I11": frozenset({"warn"}),
    "I12": frozenset({"warn"}),
    "I13": frozenset({"no_minimum"}),
    "I14": frozenset({"first_day_of_academic_year"}),
    "I15": frozenset({"warn"}),
    "P1": frozenset({"same_as_pp_82_2019"}),
    "P2": frozenset({"refuse_whole"}),
    "P3": frozenset({"guardian_id_only_when_stated"}),
    "P4": frozenset({"rejected_returned_pending"}),
}


@attrs.frozen
class Interpretation:
    """A reading of the project's where the regulation is silent or unconfirmed, dated: in force from a day,
    and, when another reading of the same question (the next entry with the same id) replaces it, until the
    day before `replaced_on`."""

    id: str
    title: str
    question: str
    reading: str
    reason: str
    confidence: Confidence
    setting: str
    in_force_from: dt.date
    replaced_on: dt.date | None = None

    @functools.cached_property  # read by a dozen rules for every claim
    def citation(self) -> str:
        """How a decision cites it: the id, listed in full by `beasiswa rules`."""
        return f"Interpretasi {self.id}"


@attrs.frozen
class DatedScheme:
    """An instrument with every edition of its values: `editions[i]` is the scheme as it stood from
    `days[i]` (the days on which a value changed, the first the scheme's start)."""

    id: str
    days: tuple[dt.date, ...]
    editions: tuple[Scheme, ...]
    # The scheme file's data with its series, for a reform to add values to (law/reform.py).
    raw: dict = attrs.field(eq=False, repr=False)
    source: str = attrs.field(default="", eq=False)

    @property
    def first(self) -> Scheme:
        return self.editions[0]

    @property
    def latest(self) -> Scheme:
        return self.editions[-1]

    def edition_index(self, day: dt.date) -> int:
        return max(bisect.bisect_right(self.days, day) - 1, 0)

    def on(self, day: dt.date) -> Scheme:
        """The values in force on `day`; before the scheme's start, its first values."""
        return self.editions[self.edition_index(day)]

    def in_force_on(self, day: dt.date) -> bool:
        return self.first.in_force_on(day)


@attrs.frozen
class InForce:
    """The law one claim is decided under: the scheme's edition and the interpretations in force on the first
    day of the academic year claimed (interpretation I14), and the day since which that law has stood."""

    scheme: Scheme
    readings: Mapping[str, Interpretation]
    since: dt.date


@attrs.frozen
class Law:
    """All schemes and interpretations, validated together at load time.

    `interpretations` holds every dated reading; `readings` and `interpretation` answer with the latest, and
    `readings_on` with those in force on a day. `schemes` and `scheme` answer with each scheme's latest edition
    (what the ledger's running totals hold); `dated_on` and `in_force` with the editions of a day."""

    dated: tuple[DatedScheme, ...]
    interpretations: tuple[Interpretation, ...]
    # School-admission ages (school-admission.toml), the same under every scheme.
    minimum_ages: tuple[MinimumAge, ...] = ()
    _by_id: dict[str, Interpretation] = attrs.field(init=False, repr=False, eq=False)
    _year_starts: tuple[int, int] = attrs.field(init=False, repr=False, eq=False)
    # Each level's minimum age, looked up for every claim (the first entry naming a level, as the loader allows one).
    _minimum_of: dict[Level, MinimumAge] = attrs.field(init=False, repr=False, eq=False)
    # First and last days by academic year, filled as years are asked for (every claim asks).
    _spans: dict[int, tuple[dt.date, dt.date]] = attrs.field(init=False, factory=dict, repr=False, eq=False)
    # The days on which some interpretation changes, and the readings in force from each.
    _reading_days: tuple[dt.date, ...] = attrs.field(init=False, repr=False, eq=False)
    _reading_editions: tuple[Mapping[str, Interpretation], ...] = attrs.field(init=False, repr=False, eq=False)
    # The law in force by scheme and academic year, filled as claims ask for it (every claim asks).
    _in_force: dict[tuple[str, int], InForce] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    def __attrs_post_init__(self):
        by_id = {i.id: i for i in self.interpretations}  # the latest of each id: they are listed in order
        object.__setattr__(self, "_by_id", by_id)
        days = sorted({i.in_force_from for i in self.interpretations})
        editions = []
        for day in days:
            in_force = {}
            for item in self.interpretations:
                if item.in_force_from <= day and (item.replaced_on is None or day < item.replaced_on):
                    in_force[item.id] = item
            editions.append(in_force)
        object.__setattr__(self, "_reading_days", tuple(days))
        object.__setattr__(self, "_reading_editions", tuple(editions))
        month, day = by_id["I2"].setting.split("-") if "I2" in by_id else ("07", "01")
        object.__setattr__(self, "_year_starts", (int(month), int(day)))
        minimum_of: dict[Level, MinimumAge] = {}
        for entry in self.minimum_ages:
            for level in entry.levels:
                minimum_of.setdefault(level, entry)
        object.__setattr__(self, "_minimum_of", minimum_of)

    def minimum_age(self, level: Level) -> MinimumAge | None:
        """The youngest age at which a level can be attended; None where there is none (interpretation I13)."""
        return self._minimum_of.get(level)

    @property
    def schemes(self) -> tuple[Scheme, ...]:
        """Each scheme's latest edition."""
        return tuple(d.latest for d in self.dated)

    def dated_on(self, day: dt.date) -> DatedScheme:
        """The one scheme in force on `day` (the qualifying event's date, rule book §2), with its editions."""
        found = [s for s in self.dated if s.in_force_on(day)]
        if len(found) != 1:
            names = ", ".join(s.id for s in found) or "none"
            raise NoSchemeInForce(f"{day.isoformat()} has {len(found)} schemes in force ({names}); "
                                  f"exactly one must apply")
        return found[0]

    def scheme_on(self, day: dt.date) -> Scheme:
        """The scheme in force on `day` as its values stood on that day."""
        return self.dated_on(day).on(day)

    def dated_scheme(self, scheme_id: str) -> DatedScheme:
        for scheme in self.dated:
            if scheme.id == scheme_id:
                return scheme
        raise KeyError(f"scheme: {scheme_id!r} is not a known scheme")

    def scheme(self, scheme_id: str) -> Scheme:
        """A scheme's latest edition."""
        return self.dated_scheme(scheme_id).latest

    @property
    def readings(self) -> Mapping[str, Interpretation]:
        """The latest interpretations by id; the loader has checked that every one the rules read is defined."""
        return self._by_id

    def readings_on(self, day: dt.date) -> Mapping[str, Interpretation]:
        """The interpretations in force on `day` (before the first, the first ones)."""
        return self._reading_editions[max(bisect.bisect_right(self._reading_days, day) - 1, 0)]

    def in_force(self, dated: DatedScheme, year: AcademicYear) -> InForce:
        """The law a claim for `year` under `dated` is decided under: the edition and the readings in force on
        the year's first day (interpretation I14)."""
        key = (dated.id, year.start_year)
        found = self._in_force.get(key)
        if found is None:
            day = self.year_span(year)[0]
            index = dated.edition_index(day)
            reading_index = max(bisect.bisect_right(self._reading_days, day) - 1, 0)
            since = max(dated.days[index], self._reading_days[reading_index])
            found = self._in_force[key] = InForce(dated.editions[index], self._reading_editions[reading_index], since)
        return found

    def interpretation(self, interpretation_id: str) -> Interpretation:
        try:
            return self._by_id[interpretation_id]
        except KeyError:
            raise KeyError(f"interpretation: {interpretation_id!r} is not defined") from None

    def year_start(self, year: AcademicYear) -> dt.date:
        """The first day of an academic year (interpretation I2)."""
        month, day = self._year_starts
        return dt.date(year.start_year, month, day)

    def year_end(self, year: AcademicYear) -> dt.date:
        """The day before the next academic year starts."""
        return self.year_start(year.next()) - dt.timedelta(days=1)

    def year_span(self, year: AcademicYear) -> tuple[dt.date, dt.date]:
        """The first and the last day of an academic year."""
        span = self._spans.get(year.start_year)
        if span is None:
            span = self._spans[year.start_year] = (self.year_start(year), self.year_end(year))
        return span

    def year_on(self, day: dt.date) -> AcademicYear:
        """The academic year in progress on a day."""
        year = AcademicYear(day.year)
        return year if self.year_start(year) <= day else AcademicYear(day.year - 1)
