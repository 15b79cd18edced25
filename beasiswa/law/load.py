"""Loading the law data files, and refusing them when they are not sound.

A value without its date or its citation, a series with a gap or an overlap or a value dated before one already
there (law/series.py), overlapping or missing date ranges between schemes, a level in two groups, an
interpretation setting the rules do not implement or a day without a reading: each is an error here, at load
time, naming the file, the parameter and the date, rather than a wrong decision later.
"""

import datetime as dt
import tomllib
from functools import lru_cache
from pathlib import Path

import cattrs
from cattrs.gen import make_dict_structure_fn

from beasiswa.law.schema import (
    INTERPRETATION_SETTINGS,
    Benefit,
    Cited,
    Confidence,
    DatedScheme,
    Documents,
    EventRule,
    Interpretation,
    Law,
    LevelGroup,
    MinimumAge,
    Scheme,
    Stage,
)
from beasiswa.law.series import SeriesError, change_days, check_series, edition, series_in, series_start
from beasiswa.model import Document, EventKind, Level, Segment
from beasiswa.model.structure_errors import Wording, field_errors

DATA_DIR = Path(__file__).parent / "data"
INTERPRETATIONS_FILE = "interpretations.toml"
ADMISSION_FILE = "school-admission.toml"


class LawError(ValueError):
    """The law data is not sound; the message names the file, the field and the value."""


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def structure_date(value, _type):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValueError(f"{value!r} is not a date (write it bare, e.g. 2019-12-02)")
        return value

    def structure_int(value, _type):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{value!r} is not a whole number")
        return value

    def structure_str(value, _type):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        return value

    def structure_enum(value, type_):
        try:
            return type_(value)
        except ValueError:
            allowed = ", ".join(m.value for m in type_)
            raise ValueError(f"{value!r} is not one of {allowed}") from None

    # By class: cattrs' own hooks call int() and str(), which would accept "3" for a number of years.
    # Every enum used in the data gets its own hook, more specific than str's.
    conv.register_structure_hook(dt.date, structure_date)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(str, structure_str)
    for enum in (Benefit, Confidence, Document, EventKind, Level, Segment):
        conv.register_structure_hook(enum, structure_enum)
    for cls in (Scheme, LevelGroup, Stage, EventRule, Documents, Interpretation, MinimumAge):
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True))
    return conv


_CONVERTER = _converter()


_WORDING = Wording(missing="required field missing", unknown=lambda names: f"unknown field(s) {names}")


def _error_text(exc: cattrs.BaseValidationError) -> str:
    return "; ".join(f"{path}: {what}" if path else what for path, what in field_errors(exc, _WORDING))


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LawError(f"{path.name}: cannot be read: {exc}") from exc


def _structure(data: dict, cls, source: str):
    try:
        return _CONVERTER.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        detail = _error_text(exc) if isinstance(exc, cattrs.BaseValidationError) else str(exc)
        raise LawError(f"{source}: {detail}") from exc


def _cited_values(obj, path: str):
    """Every Cited value in a scheme, with its field path."""
    if isinstance(obj, Cited):
        yield path, obj
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _cited_values(item, f"{path}[{i}]")
    elif hasattr(obj, "__attrs_attrs__"):
        for field in obj.__attrs_attrs__:
            yield from _cited_values(getattr(obj, field.name), f"{path}.{field.name}" if path else field.name)


def _check_scheme(scheme: Scheme, source: str) -> None:
    for path, cited in _cited_values(scheme, ""):
        if not cited.citation.strip():
            raise LawError(f"{source}: {path}.citation: every value needs its legal basis, got {cited.citation!r}")
    if scheme.effective_until and scheme.effective_until.value < scheme.effective_from.value:
        raise LawError(f"{source}: effective_until: {scheme.effective_until.value} is before effective_from "
                       f"{scheme.effective_from.value}")
    seen: dict[Level, str] = {}
    for i, group in enumerate(scheme.level_groups):
        for level in group.levels:
            if level in seen:
                raise LawError(f"{source}: level_groups[{i}].levels: {level.value!r} is already in group {seen[level]}")
            if level in scheme.not_covered_levels.value:
                raise LawError(f"{source}: level_groups[{i}].levels: {level.value!r} is listed as not covered")
            seen[level] = group.id
        if scheme.benefit is Benefit.YEARLY and (group.amount is None or group.years is None):
            raise LawError(f"{source}: level_groups[{i}]: a yearly scheme needs amount and years for {group.id}")
        for j, stage in enumerate(group.stages):
            if not stage.levels <= group.levels:
                raise LawError(f"{source}: level_groups[{i}].stages[{j}].levels: not all in group {group.id}")
        if group.years and sum(s.years.value for s in group.stages) not in (0, group.years.value):
            raise LawError(f"{source}: level_groups[{i}].stages: the stages' years do not add up to {group.years.value}")
    missing = set(Level) - set(seen) - set(scheme.not_covered_levels.value)
    if missing:
        raise LawError(f"{source}: level_groups: no group for level(s) {sorted(m.value for m in missing)}")
    if scheme.benefit is Benefit.LUMP_SUM and scheme.lump_sum is None:
        raise LawError(f"{source}: lump_sum: a lump-sum scheme needs its amount")
    if scheme.benefit is Benefit.YEARLY and scheme.lump_sum is not None:
        raise LawError(f"{source}: lump_sum: a yearly scheme has no lump sum")
    if scheme.benefit is Benefit.YEARLY and scheme.child_cap is None:
        raise LawError(f"{source}: child_cap: a yearly scheme needs its per-child maximum")
    if scheme.benefit is Benefit.LUMP_SUM and scheme.child_cap is not None:
        raise LawError(f"{source}: child_cap: a lump sum is per participant; it has no per-child maximum")
    kinds = [e.kind for e in scheme.events]
    if len(set(kinds)) != len(kinds):
        raise LawError(f"{source}: events: an event kind is listed twice")


def _span(raw: dict, source: str) -> tuple[dt.date, dt.date | None]:
    """A scheme's start and end as its file gives them, before its series are read."""
    def day(key):
        table = raw.get(key)
        value = table.get("value") if isinstance(table, dict) else None
        if table is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise LawError(f"{source}: {key}.value: {value!r} is not a date (write it bare, e.g. 2019-12-02)")
        return value
    starts = day("effective_from")
    if starts is None:
        raise LawError(f"{source}: effective_from: required field missing")
    return starts, day("effective_until")


def dated_scheme(raw: dict, source: str) -> DatedScheme:
    """A scheme file's data, its series checked, as the editions of its values (one per day a value changes)."""
    starts, ends = _span(raw, source)
    for name, table, key in series_in(raw):
        try:
            check_series(name, table[key], series_start(name, raw, starts), ends)
        except SeriesError as exc:
            raise LawError(f"{source}: {exc}") from None
    days = change_days(raw) or [starts]
    editions = []
    for day in days:
        scheme = _structure(edition(raw, day), Scheme, source if day == starts else f"{source} (per {day})")
        _check_scheme(scheme, source if day == starts else f"{source} (per {day})")
        editions.append(scheme)
    if editions[0].id != raw.get("id") or any(e.id != editions[0].id for e in editions):
        raise LawError(f"{source}: id: every edition keeps the scheme's id")
    return DatedScheme(editions[0].id, tuple(days), tuple(editions), raw, source)


def _check_coverage(schemes: list[Scheme], files: dict[str, str]) -> None:
    """Schemes follow each other without overlap or gap, the last one open-ended; `files` maps id to file."""
    ordered = sorted(schemes, key=lambda s: s.effective_from.value)
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.effective_until is None:
            raise LawError(f"{files[earlier.id]}: effective_until: open-ended, yet {later.id} starts "
                           f"{later.effective_from.value}: overlapping schemes")
        gap = (later.effective_from.value - earlier.effective_until.value).days
        if gap < 1:
            raise LawError(f"{files[later.id]}: effective_from: {later.effective_from.value} overlaps {earlier.id}, "
                           f"in force until {earlier.effective_until.value}")
        if gap > 1:
            raise LawError(f"{files[later.id]}: effective_from: {later.effective_from.value} leaves days after "
                           f"{earlier.id} ends on {earlier.effective_until.value} under no scheme")
    if ordered and ordered[-1].effective_until is not None:
        raise LawError(f"{files[ordered[-1].id]}: effective_until: the latest scheme must be open-ended, got "
                       f"{ordered[-1].effective_until.value}")


def _check_interpretations(items: list[Interpretation], law_starts: dt.date) -> None:
    """Every reading the rules use is defined, with a setting they implement, from the law's first day
    (`law_starts`) on; a replaced one is followed by its replacement from the day it is replaced on."""
    ids = [i.id for i in items]
    for required in INTERPRETATION_SETTINGS:
        if required not in ids:
            raise LawError(f"{INTERPRETATIONS_FILE}: interpretation {required!r} is missing")
    last: dict[str, Interpretation] = {}
    for n, item in enumerate(items):
        where = f"{INTERPRETATIONS_FILE}: interpretation[{n}]"
        allowed = INTERPRETATION_SETTINGS.get(item.id)
        if allowed is None:
            raise LawError(f"{where}.id: {item.id!r} is unknown")
        before = last.get(item.id)
        if before is None and item.in_force_from > law_starts:
            raise LawError(f"{where}.in_force_from: {item.id} from {item.in_force_from} leaves a gap: no reading "
                           f"from {law_starts}, the first day of the law, to then")
        if before is not None:
            if before.replaced_on is None:
                raise LawError(f"{where}.in_force_from: {item.id} from {item.in_force_from} overlaps the reading "
                               f"above it, never replaced (give it replaced_on)")
            if item.in_force_from < before.in_force_from:
                raise LawError(f"{where}.in_force_from: {item.id} from {item.in_force_from} is before the existing "
                               f"reading from {before.in_force_from}")
            if item.in_force_from > before.replaced_on:
                raise LawError(f"{where}.in_force_from: {item.id} from {item.in_force_from} leaves a gap after the "
                               f"reading replaced on {before.replaced_on}")
            if item.in_force_from < before.replaced_on:
                raise LawError(f"{where}.in_force_from: {item.id} from {item.in_force_from} overlaps the reading "
                               f"in force until {before.replaced_on}")
            if item.id == "I2":
                raise LawError(f"{where}.id: I2, the calendar every day is counted on, has one reading only")
        if item.replaced_on is not None and item.replaced_on <= item.in_force_from:
            raise LawError(f"{where}.replaced_on: {item.replaced_on} is not after in_force_from {item.in_force_from}")
        last[item.id] = item
    for item in last.values():
        if item.replaced_on is not None:
            raise LawError(f"{INTERPRETATIONS_FILE}: {item.id}.replaced_on: {item.replaced_on}, but no reading of "
                           f"{item.id} follows from that day")
    for n, item in enumerate(items):
        allowed = INTERPRETATION_SETTINGS[item.id]
        ok = allowed.fullmatch(item.setting) if hasattr(allowed, "fullmatch") else item.setting in allowed
        if not ok:
            shown = allowed.pattern if hasattr(allowed, "pattern") else ", ".join(sorted(allowed))
            raise LawError(f"{INTERPRETATIONS_FILE}: interpretation[{n}].setting: {item.setting!r} is not a "
                           f"reading the rules implement for {item.id} ({shown})")
        for field in ("title", "question", "reading", "reason"):
            if not getattr(item, field).strip():
                raise LawError(f"{INTERPRETATIONS_FILE}: interpretation[{n}].{field}: must not be empty")


def _minimum_ages(data_dir: Path, interpretations: list[Interpretation], law_starts: dt.date) -> list[MinimumAge]:
    """The school-admission ages: each a dated, cited series from the law's first day, no level twice, an unsure
    one naming a defined interpretation."""
    raw = _read(data_dir / ADMISSION_FILE)
    if set(raw) != {"minimum_age"}:
        raise LawError(f"{ADMISSION_FILE}: expected only [[minimum_age]] tables, got {sorted(raw)}")
    entries = []
    for n, item in enumerate(raw["minimum_age"]):
        where = f"{ADMISSION_FILE}: minimum_age[{n}]"
        item = dict(item)
        if "age" in item:
            try:
                check_series("age", item["age"], law_starts, None)
            except SeriesError as exc:
                raise LawError(f"{where}.{exc}") from None
            item["ages"] = [{("since" if k == "from" else k): v for k, v in value.items()} for value in item.pop("age")]
        entries.append(_structure(item, MinimumAge, where))
    known = {i.id for i in interpretations}
    seen: set[Level] = set()
    for n, entry in enumerate(entries):
        where = f"{ADMISSION_FILE}: minimum_age[{n}]"
        for cited in entry.ages:
            if not 0 <= cited.value < 23:
                raise LawError(f"{where}.age.value: {cited.value!r} (from {cited.since}) is not an age a child attends "
                               f"school from")
            if cited.confidence is Confidence.OPEN and entry.interpretation is None:
                raise LawError(f"{where}.interpretation: an open value names the interpretation that reads it")
        if entry.interpretation is not None and entry.interpretation not in known:
            raise LawError(f"{where}.interpretation: {entry.interpretation!r} is not defined in "
                           f"{INTERPRETATIONS_FILE}")
        twice = entry.levels & seen
        if twice:
            raise LawError(f"{where}.levels: {sorted(l.value for l in twice)} already has a minimum age")
        seen |= entry.levels
    return entries


def load_law(data_dir: Path = DATA_DIR) -> Law:
    """Read and check every scheme file and the interpretations in `data_dir`."""
    dated, files = [], {}
    for path in sorted(data_dir.glob("*.toml")):
        if path.name in (INTERPRETATIONS_FILE, ADMISSION_FILE):
            continue
        scheme = dated_scheme(_read(path), path.name)
        dated.append(scheme)
        files[scheme.id] = path.name
    if not dated:
        raise LawError(f"{data_dir}: no scheme files")
    return assemble(dated, files, data_dir)


def assemble(dated: list[DatedScheme], files: dict[str, str], data_dir: Path = DATA_DIR) -> Law:
    """The law from checked schemes, with the interpretations and school-admission ages of `data_dir`."""
    schemes = [d.first for d in dated]
    _check_coverage(schemes, files)
    interpretations_path = data_dir / INTERPRETATIONS_FILE
    raw = _read(interpretations_path)
    if set(raw) != {"interpretation"}:
        raise LawError(f"{INTERPRETATIONS_FILE}: expected only [[interpretation]] tables, got {sorted(raw)}")
    items = [_structure(item, Interpretation, f"{INTERPRETATIONS_FILE}: interpretation[{n}]")
             for n, item in enumerate(raw["interpretation"])]
    law_starts = min(s.effective_from.value for s in schemes)
    _check_interpretations(items, law_starts)
    return Law(dated=tuple(sorted(dated, key=lambda s: s.first.effective_from.value)),
               interpretations=tuple(items), minimum_ages=tuple(_minimum_ages(data_dir, items, law_starts)))


@lru_cache(maxsize=1)
def default_law() -> Law:
    """The law shipped with the package, loaded and checked once per process."""
    return load_law()
