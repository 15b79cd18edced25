"""Case files as JSON text: read strictly (a field given twice, a constant JSON does not have, text that is
not UTF-8 are refused), written the project's one way."""

import json
from typing import Any

import orjson

from beasiswa.casefile.errors import CaseFileError, shown


class _DuplicateField(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object, refusing a field given twice (JSON parsers would silently keep the last one)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateField(f"field {shown(key)} diberikan dua kali dalam satu objek")
            seen.add(key)
    return out


def _no_constant(name: str):
    raise _DuplicateField(f"bukan JSON yang sah: {name} bukan angka JSON")


# orjson keeps the last of a field given twice without a word, and reads an integer beyond 64 bits as a float;
# `loads` takes its reading only where neither can have happened, and reads everything else the exact way.
_SLOW = object()


class _Float(Exception):
    """A decoded value holds a float: perhaps an integer orjson could not hold (a case file has no floats)."""


def _fields(value) -> int:
    """How many fields the objects in a decoded value have, all together; _Float if it holds a float."""
    kind = type(value)
    if kind is dict:
        count, value = len(value), value.values()
    elif kind is list:
        count = 0
    elif kind is float:
        raise _Float
    else:
        return 0
    for item in value:
        kind = type(item)
        if kind is dict or kind is list or kind is float:
            count += _fields(item)
    return count


def _fast_loads(text: str | bytes):
    """orjson's reading where it is surely the exact path's, else _SLOW. Each field has one colon after its
    name, and a colon inside a text adds one: when the objects read hold as many fields as the text has
    colons, no field was given twice."""
    if isinstance(text, bytes):
        text = text.removeprefix(b"\xef\xbb\xbf")
        colons = text.count(b":")
    elif isinstance(text, str):
        text = text.removeprefix("\ufeff")
        colons = text.count(":")
    else:
        return _SLOW
    try:
        value = orjson.loads(text)
        return value if _fields(value) == colons else _SLOW
    except (orjson.JSONDecodeError, _Float, RecursionError):  # the exact path says what is wrong, or reads it
        return _SLOW


def loads(text: str | bytes):
    """Decoded JSON, or CaseFileError saying where it is not JSON. A leading byte-order mark is skipped; a
    field given twice in one object is refused."""
    value = _fast_loads(text)
    if value is not _SLOW:
        return value
    if isinstance(text, bytes):
        text = text.removeprefix(b"\xef\xbb\xbf")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseFileError(f"bukan teks UTF-8 (byte {exc.start}: {exc.reason})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CaseFileError("berkasnya kosong")
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"bukan JSON yang sah: baris {exc.lineno} kolom {exc.colno}: {exc.msg}") from None
    except _DuplicateField as exc:
        raise CaseFileError(str(exc)) from None
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise CaseFileError(f"bukan JSON yang sah: {exc}") from None
    except RecursionError:
        raise CaseFileError("bukan JSON yang sah: bersarang terlalu dalam") from None


def dumps(data: dict) -> str:
    """The project's JSON for people and files: UTF-8 text as is, two-space indents, a final newline."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def dumps_line(data: dict) -> bytes:
    """Compact JSON on one line (JSON Lines), for batches."""
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)
