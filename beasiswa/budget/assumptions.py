"""The forecast's assumptions, read from data/forecast.toml: parameters of the forecast, not of the law."""

import tomllib
from fractions import Fraction
from pathlib import Path

import attrs

from beasiswa.model import Level

DATA_FILE = Path(__file__).parent / "data" / "forecast.toml"


class AssumptionError(ValueError):
    """The forecast's data is not sound: the message names the file, the field and the value."""


@attrs.frozen
class Step:
    """One level of the typical path: its years, the age a child typically enters it, and the next level."""

    level: Level
    years: int
    entry_age: int
    next: Level | None


@attrs.frozen
class Rates:
    dropout: Fraction
    repetition: Fraction
    explanation: str


@attrs.frozen
class Assumptions:
    path: dict[Level, Step]
    rates: dict[str, Rates]  # by level group id

    def rates_for(self, level_group: str | None) -> Rates:
        return self.rates.get(level_group or "", Rates(Fraction(0), Fraction(0), ""))


def _rate(value: object, where: str) -> Fraction:
    if not isinstance(value, str):
        raise AssumptionError(f"{where}: {value!r} is not a decimal text such as \"0.02\"")
    try:
        rate = Fraction(value)
    except ValueError:
        raise AssumptionError(f"{where}: {value!r} is not a decimal text such as \"0.02\"") from None
    if not 0 <= rate < 1:
        raise AssumptionError(f"{where}: {value!r} is not a share from 0 up to (not including) 1")
    return rate


def _level(value: object, where: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise AssumptionError(f"{where}: {value!r} is not a level") from None


def parse_assumptions(data: dict, source: str = DATA_FILE.name) -> Assumptions:
    path: dict[Level, Step] = {}
    for n, item in enumerate(data.get("path", [])):
        where = f"{source}: path[{n}]"
        level = _level(item.get("level"), f"{where}.level")
        years, entry_age = item.get("years"), item.get("entry_age")
        for key, value in (("years", years), ("entry_age", entry_age)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 30:
                raise AssumptionError(f"{where}.{key}: {value!r} is not a whole number of years from 1 to 29")
        following = _level(item["next"], f"{where}.next") if "next" in item else None
        if level in path:
            raise AssumptionError(f"{where}.level: {level.value!r} is already on the path")
        path[level] = Step(level, years, entry_age, following)
    for step in path.values():
        if step.next is not None and step.next not in path:
            raise AssumptionError(f"{source}: path: {step.level.value} moves to {step.next.value}, which has no "
                                  f"[[path]] entry")
    rates = {}
    for n, item in enumerate(data.get("rates", [])):
        where = f"{source}: rates[{n}]"
        group = item.get("level_group")
        if not isinstance(group, str) or group in rates:
            raise AssumptionError(f"{where}.level_group: {group!r} is not a level group, or is repeated")
        explanation = item.get("explanation")
        if not isinstance(explanation, str) or not explanation.strip():
            raise AssumptionError(f"{where}.explanation: every assumption is explained, got {explanation!r}")
        rates[group] = Rates(_rate(item.get("dropout"), f"{where}.dropout"),
                             _rate(item.get("repetition"), f"{where}.repetition"), explanation)
    return Assumptions(path, rates)


def load_assumptions(path: Path = DATA_FILE) -> Assumptions:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AssumptionError(f"{path.name}: cannot be read: {exc}") from exc
    return parse_assumptions(data, path.name)


NO_RATES = Assumptions({}, {})
