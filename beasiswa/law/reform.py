"""Reforms: dated values laid over the law, to ask what a proposed change would cost (OpenFisca's reforms).

A reform file names itself, gives its own citation (a proposal: "usulan ..."), and adds dated values to the
law's series, each checked as an amendment is (law/series.py): dated, after the series' last value, within the
scheme. The law it gives is the law with those values; the shipped data is never changed.

    id = "usulan-sma-2026"
    title = "Beasiswa SMA Rp4.000.000 mulai tahun ajaran 2026/2027"
    citation = "Usulan kenaikan manfaat beasiswa SMA (bahan rapat anggaran)"

    [[change]]
    scheme = "PP-82-2019"
    parameter = "level_groups.SMA.amount"
    from = 2026-07-01
    value = 4_000_000

A reform may also add a level group from a day (`[[group]]`: its id, name, the levels it takes, its amount and
years, from a day, with the reform's citation or its own): from that day the levels are the new group's, taken from
the group that held them, which keeps its other levels; before it, nothing changes. It is checked as the law is:
a level that is not one, is not covered, is in a stage of its group, or would leave its group empty, an id already
a group's, a number that is not a whole positive one: refused, naming the field and the value.

    [[group]]
    scheme = "PP-82-2019"
    id = "PELATIHAN"
    name = "Pelatihan kerja"
    from = 2026-07-01
    levels = ["PELATIHAN"]
    amount = 6_000_000
    years = 1
"""

import datetime as dt
import tomllib
from pathlib import Path

import attrs

from beasiswa.law.load import LawError, dated_scheme
from beasiswa.law.schema import Confidence, Law
from beasiswa.law.series import GROUP_FROM, copy_raw, find_series, series_names
from beasiswa.model import Level

_REFORM_KEYS = {"id", "title", "citation", "note", "change", "group"}
_CHANGE_KEYS = {"scheme", "parameter", "from", "value", "citation", "note"}
_GROUP_KEYS = {"scheme", "id", "name", "from", "levels", "amount", "years", "citation", "note"}


@attrs.frozen
class Change:
    scheme: str
    parameter: str
    since: dt.date
    value: object
    citation: str
    note: str = ""


@attrs.frozen
class NewGroup:
    """A level group the reform adds from a day, with the levels it takes from the groups holding them."""

    scheme: str
    id: str
    name: str
    since: dt.date
    levels: tuple[str, ...]
    amount: int
    years: int
    citation: str
    note: str = ""


@attrs.frozen
class Reform:
    id: str
    title: str
    citation: str
    changes: tuple[Change, ...]
    note: str = ""
    groups: tuple[NewGroup, ...] = ()


def _text(data: dict, key: str, where: str, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise LawError(f"{where}.{key}: {value!r} is not a text (required)" if required else
                       f"{where}.{key}: {value!r} is not a text")
    return value


def _day(item: dict, where: str) -> dt.date:
    day = item.get("from")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise LawError(f"{where}.from: {day!r} is not a date: a value of a reform applies from a day "
                       f"(write it bare, e.g. 2026-07-01)")
    return day


def _whole(item: dict, key: str, where: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise LawError(f"{where}.{key}: {value!r} is not a whole number above 0 (required)")
    return value


def _parse_group(item: dict, where: str, reform_citation: str) -> NewGroup:
    unknown = set(item) - _GROUP_KEYS
    if unknown:
        raise LawError(f"{where}: unknown field(s) {sorted(unknown)}")
    day = _day(item, where)
    levels = item.get("levels")
    if not isinstance(levels, list) or not levels or not all(isinstance(v, str) for v in levels):
        raise LawError(f"{where}.levels: {levels!r} is not a list of levels (at least one)")
    citation = item.get("citation", reform_citation)
    if not isinstance(citation, str) or not citation.strip():
        raise LawError(f"{where}.citation: {citation!r}: every value needs its basis, a proposal's too")
    return NewGroup(_text(item, "scheme", where), _text(item, "id", where), _text(item, "name", where), day,
                    tuple(levels), _whole(item, "amount", where), _whole(item, "years", where), citation,
                    _text(item, "note", where, required=False))


def parse_reform(data: dict, source: str) -> Reform:
    """A reform from its TOML data; LawError naming the file, the field and the value."""
    unknown = set(data) - _REFORM_KEYS
    if unknown:
        raise LawError(f"{source}: unknown field(s) {sorted(unknown)}")
    reform_citation = _text(data, "citation", source)
    raw_changes = data.get("change", [])
    if not isinstance(raw_changes, list) or not all(isinstance(c, dict) for c in raw_changes):
        raise LawError(f"{source}: change: a list of [[change]] tables, got {raw_changes!r}")
    changes = []
    for n, item in enumerate(raw_changes):
        where = f"{source}: change[{n}]"
        unknown = set(item) - _CHANGE_KEYS
        if unknown:
            raise LawError(f"{where}: unknown field(s) {sorted(unknown)}")
        day = _day(item, where)
        if "value" not in item:
            raise LawError(f"{where}.value: required field missing")
        citation = item.get("citation", reform_citation)
        if not isinstance(citation, str) or not citation.strip():
            raise LawError(f"{where}.citation: {citation!r}: every value needs its basis, a proposal's too")
        changes.append(Change(_text(item, "scheme", where), _text(item, "parameter", where), day, item["value"],
                              citation, _text(item, "note", where, required=False)))
    raw_groups = data.get("group", [])
    if not isinstance(raw_groups, list) or not all(isinstance(g, dict) for g in raw_groups):
        raise LawError(f"{source}: group: a list of [[group]] tables, got {raw_groups!r}")
    groups = tuple(_parse_group(item, f"{source}: group[{n}]", reform_citation) for n, item in enumerate(raw_groups))
    return Reform(_text(data, "id", source), _text(data, "title", source), reform_citation, tuple(changes),
                  _text(data, "note", source, required=False), groups)


def read_reform(path: Path) -> Reform:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LawError(f"{path.name}: cannot be read: {exc}") from exc
    return parse_reform(data, path.name)


def apply_reform(law: Law, reform: Reform, source: str = "") -> Law:
    """The law with the reform's values added to its series, every edition checked again."""
    source = source or reform.id
    raws = {d.id: copy_raw(d.raw) for d in law.dated}
    for n, group in enumerate(reform.groups):
        where = f"{source}: group[{n}]"
        if group.scheme not in raws:
            raise LawError(f"{where}.scheme: {group.scheme!r} is not a scheme; known: {', '.join(sorted(raws))}")
        raws[group.scheme]["level_groups"].append(_group_table(raws[group.scheme], group, where))
    for n, change in enumerate(reform.changes):
        where = f"{source}: change[{n}]"
        if change.scheme not in raws:
            raise LawError(f"{where}.scheme: {change.scheme!r} is not a scheme; known: {', '.join(sorted(raws))}")
        series = find_series(raws[change.scheme], change.parameter)
        if series is None:
            raise LawError(f"{where}.parameter: {change.parameter!r} is not a parameter of {change.scheme}; "
                           f"known: {', '.join(series_names(raws[change.scheme]))}")
        entry = {"from": change.since, "value": change.value, "citation": change.citation,
                 "confidence": Confidence.PROPOSED.value}
        if change.note:
            entry["note"] = change.note
        series.append(entry)
    dated = []
    for scheme in law.dated:
        if any(c.scheme == scheme.id for c in (*reform.changes, *reform.groups)):
            dated.append(dated_scheme(raws[scheme.id], f"{source} ({scheme.id})"))
        else:
            dated.append(scheme)
    return attrs.evolve(law, dated=tuple(dated))


def _group_table(raw: dict, group: NewGroup, where: str) -> dict:
    """The new group as a scheme file's table, its levels checked against the groups that hold them."""
    groups = raw.get("level_groups", [])
    if any(g.get("id") == group.id for g in groups):
        raise LawError(f"{where}.id: {group.id!r} is already a level group of {group.scheme}; known: "
                       f"{', '.join(g.get('id', '?') for g in groups)}")
    starts = raw["effective_from"]["value"]
    if group.since <= starts:
        raise LawError(f"{where}.from: {group.since} is not after the scheme's start {starts}: a new group starts "
                       f"within the scheme")
    if len(set(group.levels)) != len(group.levels):
        raise LawError(f"{where}.levels: {list(group.levels)} names a level twice")
    not_covered = set(raw["not_covered_levels"][-1]["value"]) if raw.get("not_covered_levels") else set()
    for level in group.levels:
        if level not in {m.value for m in Level}:
            raise LawError(f"{where}.levels: {level!r} is not a level; known: {', '.join(m.value for m in Level)}")
        if level in not_covered:
            raise LawError(f"{where}.levels: {level!r} is not covered by {group.scheme}: a new group does not "
                           f"extend what the scheme pays for")
        holder = next((g for g in groups if level in g.get("levels", ())), None)
        if holder is None:
            raise LawError(f"{where}.levels: {level!r} is in no group of {group.scheme}")
        if GROUP_FROM in holder:
            raise LawError(f"{where}.levels: {level!r} is already taken by the new group {holder['id']}")
        if any(level in stage.get("levels", ()) for stage in holder.get("stages", ())):
            raise LawError(f"{where}.levels: {level!r} is in a stage of {holder['id']}: a new group takes levels "
                           f"only from a group without stages")
        if set(holder["levels"]) <= set(group.levels):
            raise LawError(f"{where}.levels: {sorted(group.levels)} would leave group {holder['id']} with no level; "
                           f"change its values instead")
    entry = {"from": group.since, "citation": group.citation, "confidence": Confidence.PROPOSED.value}
    if group.note:
        entry["note"] = group.note
    return {"id": group.id, "name": group.name, "levels": list(group.levels), GROUP_FROM: group.since,
            "amount": [{**entry, "value": group.amount}], "years": [{**entry, "value": group.years}]}
