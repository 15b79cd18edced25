"""Loading the law data files, and refusing them when they are not sound.

A value without its citation, overlapping or missing date ranges between schemes, a level in two groups,
an interpretation setting the rules do not implement: each is an error here, at load time, naming the file
and the field, rather than a wrong decision later.
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
    Documents,
    EventRule,
    Interpretation,
    Law,
    LevelGroup,
    MinimumAge,
    Scheme,
    Stage,
)
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


def _check_interpretations(items: list[Interpretation]) -> None:
    ids = [i.id for i in items]
    for required in INTERPRETATION_SETTINGS:
        if required not in ids:
            raise LawError(f"{INTERPRETATIONS_FILE}: interpretation {required!r} is missing")
    for n, item in enumerate(items):
        allowed = INTERPRETATION_SETTINGS.get(item.id)
        if allowed is None or ids.count(item.id) > 1:
            raise LawError(f"{INTERPRETATIONS_FILE}: interpretation[{n}].id: {item.id!r} is unknown or repeated")
        ok = allowed.fullmatch(item.setting) if hasattr(allowed, "fullmatch") else item.setting in allowed
        if not ok:
            shown = allowed.pattern if hasattr(allowed, "pattern") else ", ".join(sorted(allowed))
            raise LawError(f"{INTERPRETATIONS_FILE}: interpretation[{n}].setting: {item.setting!r} is not a "
                           f"reading the rules implement for {item.id} ({shown})")
        for field in ("title", "question", "reading", "reason"):
            if not getattr(item, field).strip():
                raise LawError(f"{INTERPRETATIONS_FILE}: interpretation[{n}].{field}: must not be empty")


def _minimum_ages(data_dir: Path, interpretations: list[Interpretation]) -> list[MinimumAge]:
    """The school-admission ages: each cited, no level twice, an unsure one naming a defined interpretation."""
    raw = _read(data_dir / ADMISSION_FILE)
    if set(raw) != {"minimum_age"}:
        raise LawError(f"{ADMISSION_FILE}: expected only [[minimum_age]] tables, got {sorted(raw)}")
    entries = [_structure(item, MinimumAge, f"{ADMISSION_FILE}: minimum_age[{n}]")
               for n, item in enumerate(raw["minimum_age"])]
    known = {i.id for i in interpretations}
    seen: set[Level] = set()
    for n, entry in enumerate(entries):
        where = f"{ADMISSION_FILE}: minimum_age[{n}]"
        if not entry.age.citation.strip():
            raise LawError(f"{where}.age.citation: every value needs its legal basis, got {entry.age.citation!r}")
        if not 0 <= entry.age.value < 23:
            raise LawError(f"{where}.age.value: {entry.age.value!r} is not an age a child attends school from")
        if entry.age.confidence is Confidence.OPEN and entry.interpretation is None:
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
    schemes, files = [], {}
    for path in sorted(data_dir.glob("*.toml")):
        if path.name in (INTERPRETATIONS_FILE, ADMISSION_FILE):
            continue
        scheme = _structure(_read(path), Scheme, path.name)
        _check_scheme(scheme, path.name)
        schemes.append(scheme)
        files[scheme.id] = path.name
    if not schemes:
        raise LawError(f"{data_dir}: no scheme files")
    _check_coverage(schemes, files)
    interpretations_path = data_dir / INTERPRETATIONS_FILE
    raw = _read(interpretations_path)
    if set(raw) != {"interpretation"}:
        raise LawError(f"{INTERPRETATIONS_FILE}: expected only [[interpretation]] tables, got {sorted(raw)}")
    items = [_structure(item, Interpretation, f"{INTERPRETATIONS_FILE}: interpretation[{n}]")
             for n, item in enumerate(raw["interpretation"])]
    _check_interpretations(items)
    return Law(schemes=tuple(sorted(schemes, key=lambda s: s.effective_from.value)),
               interpretations=tuple(items), minimum_ages=tuple(_minimum_ages(data_dir, items)))


@lru_cache(maxsize=1)
def default_law() -> Law:
    """The law shipped with the package, loaded and checked once per process."""
    return load_law()
