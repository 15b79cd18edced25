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
"""

import datetime as dt
import tomllib
from pathlib import Path

import attrs

from beasiswa.law.load import LawError, dated_scheme
from beasiswa.law.schema import Confidence, Law
from beasiswa.law.series import copy_raw, find_series, series_names

_REFORM_KEYS = {"id", "title", "citation", "note", "change"}
_CHANGE_KEYS = {"scheme", "parameter", "from", "value", "citation", "note"}


@attrs.frozen
class Change:
    scheme: str
    parameter: str
    since: dt.date
    value: object
    citation: str
    note: str = ""


@attrs.frozen
class Reform:
    id: str
    title: str
    citation: str
    changes: tuple[Change, ...]
    note: str = ""


def _text(data: dict, key: str, where: str, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise LawError(f"{where}.{key}: {value!r} is not a text (required)" if required else
                       f"{where}.{key}: {value!r} is not a text")
    return value


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
        day = item.get("from")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise LawError(f"{where}.from: {day!r} is not a date: a value of a reform applies from a day "
                           f"(write it bare, e.g. 2026-07-01)")
        if "value" not in item:
            raise LawError(f"{where}.value: required field missing")
        citation = item.get("citation", reform_citation)
        if not isinstance(citation, str) or not citation.strip():
            raise LawError(f"{where}.citation: {citation!r}: every value needs its basis, a proposal's too")
        changes.append(Change(_text(item, "scheme", where), _text(item, "parameter", where), day, item["value"],
                              citation, _text(item, "note", where, required=False)))
    return Reform(_text(data, "id", source), _text(data, "title", source), reform_citation, tuple(changes),
                  _text(data, "note", source, required=False))


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
        if any(c.scheme == scheme.id for c in reform.changes):
            dated.append(dated_scheme(raws[scheme.id], f"{source} ({scheme.id})"))
        else:
            dated.append(scheme)
    return attrs.evolve(law, dated=tuple(dated))
