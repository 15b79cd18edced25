"""Dated series: every parameter of a scheme as the values it took, each from a day, with its citation.

In a scheme file a parameter is a list of tables `{ from, value, citation, confidence, note }` (OpenFisca's
parameters are kept the same way): an amendment appends one dated value, the scheme keeps its identity. This
module finds the series in a scheme's raw data, checks each (no value without a date or a citation, none dated
before the one above it, no two from one day, the first from the scheme's start: no gap), and cuts the scheme as
it stood on a day, an *edition*, which the loader then reads as an ordinary `Scheme` of `Cited` values.

Series are named by their place in the scheme, groups and events by their id: `family_cap`,
`level_groups.SMA.amount`, `level_groups.TK_SD.stages.TK.years`, `events.death.minimum_contribution_months`,
`documents.first_claim`. A reform (law/reform.py) names the series it adds a value to the same way.

A level group may itself start on a day (`from` on its table: a reform's new group, law/reform.py): before that
day the scheme has no such group; from it, the group holds its levels, taken from the groups that held them, and
its series start on that day.
"""

import datetime as dt
import typing
from collections.abc import Iterator

import attrs

from beasiswa.law.schema import Cited, Documents, EventRule, LevelGroup, Scheme, Stage

# Fields that are the scheme's own span, not parameters: they say when the scheme applies at all.
SPAN_FIELDS = frozenset({"effective_from", "effective_until"})
ENTRY_KEYS = frozenset({"from", "value", "citation", "confidence", "note"})
# How an item of a list of tables is named in a series' path.
_ITEM_KEY = {LevelGroup: "id", Stage: "id", EventRule: "kind"}
_NESTED = (LevelGroup, Stage, EventRule, Documents)
# The key of a level group's table giving the day it starts on, where it starts after the scheme.
GROUP_FROM = "from"


class SeriesError(ValueError):
    """A series that is not sound: the message names the parameter and the date."""


def _is_cited(tp) -> bool:
    if typing.get_origin(tp) is Cited:
        return True
    return any(typing.get_origin(arg) is Cited for arg in typing.get_args(tp))


def _nested(tp):
    """The attrs class of a field holding one (Documents) or a tuple of them (level_groups), else None."""
    if tp in _NESTED:
        return tp, False
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if args and args[0] in _NESTED:
            return args[0], True
    return None, False


_HINTS: dict[type, dict] = {}


def _hints(cls) -> dict:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def series_in(raw: dict, cls=Scheme, path: str = "") -> Iterator[tuple[str, dict, str]]:
    """Every series in a scheme's raw data: (its name, the table holding it, its key there)."""
    hints = _hints(cls)
    for field in attrs.fields(cls):
        if not field.init or field.name not in raw or (cls is Scheme and field.name in SPAN_FIELDS):
            continue
        name = f"{path}{field.name}"
        if _is_cited(hints[field.name]):
            yield name, raw, field.name
            continue
        nested, many = _nested(hints[field.name])
        if nested is None:
            continue
        if not many:
            if isinstance(raw[field.name], dict):
                yield from series_in(raw[field.name], nested, f"{name}.")
            continue
        items = raw[field.name]
        if not isinstance(items, list):
            continue
        for n, item in enumerate(items):
            if isinstance(item, dict):
                key = item.get(_ITEM_KEY[nested], n)
                yield from series_in(item, nested, f"{name}.{key}.")


def check_series(name: str, entries: object, starts: dt.date, ends: dt.date | None) -> None:
    """One series: a list of dated, cited values in the order of their days, the first from `starts`."""
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise SeriesError(f"{name}: a dated series is a list of tables {{ from, value, citation, confidence }}, "
                          f"got {entries!r}")
    previous: dt.date | None = None
    for n, entry in enumerate(entries):
        where = f"{name}[{n}]"
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise SeriesError(f"{where}: unknown field(s) {sorted(unknown)}")
        day = entry.get("from")
        if day is None:
            raise SeriesError(f"{where}.from: the value {entry.get('value')!r} has no date; every value of the law "
                              f"applies from a day")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise SeriesError(f"{where}.from: {day!r} is not a date (write it bare, e.g. 2019-12-02)")
        citation = entry.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            raise SeriesError(f"{where}.citation: the value from {day} has no citation; every value needs its "
                              f"legal basis, got {citation!r}")
        if "value" not in entry:
            raise SeriesError(f"{where}.value: the value from {day} is missing")
        if previous is None:
            if day > starts:
                raise SeriesError(f"{where}.from: {day} leaves a gap: no value from the scheme's start {starts} "
                                  f"to {day - dt.timedelta(days=1)}")
            if day < starts:
                raise SeriesError(f"{where}.from: {day} is before the scheme's start {starts}")
        elif day == previous:
            raise SeriesError(f"{where}.from: {day} overlaps: another value of {name} is already from {day}")
        elif day < previous:
            raise SeriesError(f"{where}.from: {day} is before the existing value from {previous}; a value is "
                              f"added after the last one")
        if ends is not None and day > ends:
            raise SeriesError(f"{where}.from: {day} is after the scheme ends on {ends}")
        previous = day


def in_force(entries: list[dict], day: dt.date) -> dict:
    """The value of a checked series in force on `day` (the first one before the series starts)."""
    chosen = entries[0]
    for entry in entries[1:]:
        if entry["from"] > day:
            break
        chosen = entry
    return chosen


def group_starts(raw: dict) -> dict[str, dt.date]:
    """The level groups that start on a day of their own (`from` on the group's table), by id."""
    groups = raw.get("level_groups")
    if not isinstance(groups, list):
        return {}
    return {g.get("id"): g[GROUP_FROM] for g in groups if isinstance(g, dict) and GROUP_FROM in g}


def series_start(name: str, raw: dict, starts: dt.date) -> dt.date:
    """The day a series must start on: its group's own day for a group that starts later, else the scheme's."""
    for group_id, day in group_starts(raw).items():
        if name.startswith(f"level_groups.{group_id}."):
            return day
    return starts


def change_days(raw: dict) -> list[dt.date]:
    """Every day on which some value of a checked scheme changes, in order."""
    days = {entry["from"] for _name, table, key in series_in(raw) for entry in table[key]}
    return sorted(days | set(group_starts(raw).values()))


def edition(raw: dict, day: dt.date) -> dict:
    """The scheme's raw data as it stood on `day`: each series replaced by its value in force, as a `Cited`
    table (the day it has applied from kept as `since`)."""
    cut = _copy(raw)
    for _name, table, key in series_in(cut):
        entry = in_force(table[key], day)
        table[key] = {"value": entry["value"], "citation": entry["citation"],
                      "confidence": entry.get("confidence"), "note": entry.get("note", ""), "since": entry["from"]}
        if table[key]["confidence"] is None:
            del table[key]["confidence"]
    starting = [(g.pop(GROUP_FROM), g) for g in list(cut.get("level_groups", ()))
                if isinstance(g, dict) and GROUP_FROM in g]
    for since, group in starting:
        if since > day:  # not yet: the levels stay with the groups that hold them
            cut["level_groups"].remove(group)
            continue
        moved = set(group.get("levels", ()))
        for other in cut["level_groups"]:
            if other is not group:
                other["levels"] = [level for level in other.get("levels", ()) if level not in moved]
    return cut


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def copy_raw(raw: dict) -> dict:
    """A deep copy of a scheme's raw data, to add values to without touching the original."""
    return _copy(raw)


def find_series(raw: dict, name: str) -> list[dict] | None:
    """The entries of the series named `name` in a scheme's raw data (the list itself), or None."""
    for found, table, key in series_in(raw):
        if found == name:
            return table[key]
    return None


def series_names(raw: dict) -> list[str]:
    return [name for name, _table, _key in series_in(raw)]
