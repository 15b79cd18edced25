"""The case file (shared/case-format.md): strict JSON in, contract JSON out.

Reading is strict: an unknown field, a value of the wrong type, an unknown code, a bad date or identifier,
a claim naming an unknown child is a `CaseFileError` whose message names the field path and the value
(`claims[0].level: 'SMU' is not a school level (...)`). Nothing is guessed or coerced.

Input is also bounded, as other systems write it: a field given twice in one object, text longer than
`MAX_TEXT`, a control or invisible format character, an id outside its pattern (`CASE_ID`, `OFFICE`,
`LOCAL_ID`), a number of months or an amount no life or payout reaches, a child born after its claim, an event
after a claim, and (given today, from the edge) a payout in `history` for an academic year not yet begun: each
is refused naming the field. Text is kept NFC-normalised, so one name is stored one way.
"""

import datetime as dt
import json
import operator
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from beasiswa.law import default_law
from beasiswa.model import (
    KPJ,
    NIK,
    AcademicYear,
    BankAccount,
    Case,
    CaseDecision,
    Code,
    Child,
    Claim,
    Decision,
    Document,
    Event,
    EventKind,
    Level,
    Outcome,
    Participant,
    Payee,
    Payout,
    Reason,
    Relation,
    Segment,
    TraceStep,
)
from beasiswa.model.structure_errors import Wording, field_errors, quoted

CASE_FORMAT = "beasiswa-case/1"
DECISION_FORMAT = "beasiswa-decision/1"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Identifiers: what an officer types and a letter prints, never a path, a quote or an invisible character.
CASE_ID = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")  # e.g. KC-PLG-2025-000123
CASE_ID_MAX = 40
OFFICE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")  # e.g. KC-PLG
OFFICE_MAX = 20
LOCAL_ID = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")  # a child's or a claim's id in its case: anak-1
LOCAL_ID_MAX = 40
# Every other text field (names, institution, bank, account holder), in characters after NFC normalisation.
MAX_TEXT = 200
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Unicode's control, format (zero-width space, bidirectional marks, BOM), surrogate, private-use, unassigned
# and line/paragraph separator categories: nothing a name or an institution is written with.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# How each vocabulary is named in an error message.
_VOCABULARY_NAMES = {
    Level: "jenjang sekolah",
    Document: "dokumen",
    Segment: "segmen peserta",
    EventKind: "jenis peristiwa",
    Relation: "hubungan",
    Payee: "penerima pembayaran",
}


class CaseFileError(ValueError):
    """A case file that is not valid: nothing in it is decided. The message names the field and the value."""


def _structure_date(value: Any, _type) -> dt.date:
    if isinstance(value, str):
        return _date(value)
    raise ValueError(f"{value!r} bukan tanggal (YYYY-MM-DD)")


@lru_cache(maxsize=1 << 16)  # pure; a batch of cases repeats its dates
def _date(text: str) -> dt.date:
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{text!r} bukan tanggal (YYYY-MM-DD)")


# Pure, and the value is immutable: a batch names the same few academic years over and over.
_academic_year = lru_cache(maxsize=1024)(AcademicYear.parse)


def _structure_academic_year(value: Any, _type) -> AcademicYear:
    return _academic_year(value) if isinstance(value, str) else AcademicYear.parse(value)


def shown(value: Any) -> str:
    """A value for an error message: its repr, cut short, so a 10 MB field does not become a 10 MB message."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}… ({len(value) if isinstance(value, str) else len(text)} " \
                                          f"karakter)"


def text_problem(value: str, limit: int = MAX_TEXT) -> str | None:
    """Why a text can't be taken (too long; a control or invisible character), or None."""
    if len(value) > limit:
        return f"{shown(value)} terlalu panjang: paling banyak {limit} karakter"
    if value.isascii():
        found = _ASCII_CONTROL.search(value)
        at = found.start() if found else None
    else:
        at = next((i for i, ch in enumerate(value) if unicodedata.category(ch) in _REFUSED_CATEGORIES), None)
    if at is not None:
        return (f"{shown(value)} memuat karakter kontrol atau tak terlihat U+{ord(value[at]):04X} di posisi "
                f"{at + 1}")
    return None


def _structure_str(value: Any, _type) -> str:
    # Most text is printable and short: `isprintable` is False for every refused category (and for some allowed
    # characters, such as a no-break space, which the full check below then takes).
    if type(value) is str and value.isprintable() and len(value) <= MAX_TEXT and value and not value.isspace():
        if value.isascii():
            return value
        value = unicodedata.normalize("NFC", value)
        if len(value) <= MAX_TEXT:
            return value
        raise ValueError(f"{shown(value)} terlalu panjang: paling banyak {MAX_TEXT} karakter")
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} bukan teks")
    if not value or value.isspace():  # what strip() would leave empty, without copying the text
        raise ValueError(f"{value!r} kosong")
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
        if len(value) > MAX_TEXT:
            raise ValueError(f"{shown(value)} terlalu panjang: paling banyak {MAX_TEXT} karakter")
    return value


def _structure_int(value: Any, _type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{shown(value)} bukan bilangan bulat")
    return value


def _structure_bool(value: Any, _type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} bukan true atau false")
    return value


def _structure_list(value: Any, type_) -> Any:
    if not isinstance(value, list):
        raise ValueError(f"{value!r} bukan daftar (list)")
    return value


def _vocabulary_hook(vocabulary, what: str):
    """The member a contract string names, by one lookup; anything else goes to `parse` for its error."""
    members = vocabulary._value2member_map_

    def structure(value: Any, _type):
        try:
            return members[value]
        except (KeyError, TypeError):
            return vocabulary.parse(value, what)

    return structure


def _make_converter(detailed_validation: bool = True) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed_validation)
    # By class: cattrs' own hooks for these call int(), str() and bool(), which would accept "48" or "yes".
    # The vocabularies, subclasses of str, get hooks of their own below.
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(NIK, lambda v, _: NIK(_structure_str(v, str)))
    conv.register_structure_hook(KPJ, lambda v, _: KPJ(_structure_str(v, str)))
    conv.register_structure_hook(AcademicYear, _structure_academic_year)
    for vocabulary, what in _VOCABULARY_NAMES.items():
        conv.register_structure_hook(vocabulary, _vocabulary_hook(vocabulary, what))

    # Lists must be JSON arrays: cattrs would otherwise take a string as a list of characters. Each class is
    # built after the hooks of the types inside it, so it picks them up.
    # Valid files are the rule, so a list with a `direct` way to build it tries that first; whatever it does
    # not take goes through cattrs' own hook, which builds the same value or raises the error naming the index.
    def strict_list(list_type, direct=None):
        base = conv.get_structure_hook(list_type)

        def structure(value, type_):
            _structure_list(value, type_)
            if direct is not None:
                try:
                    return direct(value)
                except Exception:
                    pass
            return base(value, type_)

        conv.register_structure_hook_func(lambda t: t == list_type, structure)

    def strict_class(cls):
        hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True)

        def structure(value, type_):
            if not isinstance(value, dict):  # null, a list, a number: cattrs would fail on value.keys()
                raise ValueError(f"{shown(value) if value is not None else 'null'} bukan objek "
                                 f"({cls.__name__.lower()}: {{...}})")
            return hook(value, type_)

        conv.register_structure_hook(cls, structure)

    def tuple_of(cls):
        hook = conv.get_structure_hook(cls)
        return lambda items: tuple([hook(item, cls) for item in items])

    documents = Document._value2member_map_
    strict_list(tuple[str, ...])
    strict_list(frozenset[Document], lambda items: frozenset([documents[item] for item in items]))
    for cls in (Participant, Event, Child, Payout, BankAccount, Claim):
        strict_class(cls)
    for cls in (Child, Payout, Claim):
        strict_list(tuple[cls, ...], tuple_of(cls))
    strict_class(Case)

    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_unstructure_hook(NIK, str)
    conv.register_unstructure_hook(KPJ, str)
    conv.register_unstructure_hook(AcademicYear, str)
    # The vocabularies are str subclasses: without their own hooks they would pass through as enum members.
    # `_value_` is what Enum's `value` property returns, read without the property's Python call.
    for vocabulary in (Code, Document, EventKind, Level, Outcome, Payee, Relation, Segment):
        conv.register_unstructure_hook(vocabulary, operator.attrgetter("_value_"))
    conv.register_unstructure_hook_func(lambda t: t == frozenset[Document],
                                       lambda docs: sorted(d.value for d in docs))
    conv.register_unstructure_hook_func(
        lambda t: t == tuple[TraceStep, ...],
        lambda steps: [{"rule": r, "holds": h, "detail": d, "citation": c} for r, h, d, c in steps])
    # Optional additions to format 1 are left out when empty, so a file round-trips unchanged.
    conv.register_unstructure_hook(Child, make_dict_unstructure_fn(
        Child, conv, other_cases=override(omit_if_default=True), address=override(omit_if_default=True)))
    conv.register_unstructure_hook(Claim, make_dict_unstructure_fn(
        Claim, conv, payee=override(omit_if_default=True), account=override(omit_if_default=True)))
    conv.register_unstructure_hook(Case, make_dict_unstructure_fn(
        Case, conv, address=override(omit_if_default=True), guardian=override(omit_if_default=True)))
    # A decision's claims and reasons as lists built in one go (cattrs' own hook feeds a generator).
    for cls in (Reason, Decision):  # Reason first: Decision's hook picks up the one for its reasons
        hook = conv.get_unstructure_hook(cls)
        conv.register_unstructure_hook_func(lambda t, cls=cls: t == tuple[cls, ...],
                                           lambda items, hook=hook: [hook(item) for item in items])
    return conv


CONVERTER = _make_converter()
# The same hooks without the bookkeeping that names every invalid field: tried first, as valid files are the
# rule; a file it does not take goes through CONVERTER, which gives the same result or the detailed errors.
_FAST = _make_converter(detailed_validation=False)


_WORDING = Wording(missing="field wajib tidak ada", unknown=lambda names: f"field tidak dikenal {quoted(names)}",
                   other=lambda exc: f"{type(exc).__name__}: {exc}")
# A model's own validator names its attribute ("contribution_months: must be ..."), reported at the object's path.
_VALIDATOR_MESSAGE = re.compile(r"([a-z_]+): (.*)", re.DOTALL)


def _messages(exc: cattrs.BaseValidationError) -> list[str]:
    out = []
    for path, what in field_errors(exc, _WORDING):
        own = _VALIDATOR_MESSAGE.fullmatch(what)
        if own:  # one field path, as every other message has: participant.contribution_months: ...
            path, what = f"{path}.{own[1]}" if path else own[1], own[2]
        out.append(f"{path}: {what}" if path else what)
    return out


def _check_ids(case: Case) -> list[str]:
    """Every identifier in its pattern and length (the contract's `case_id`, `office`, local ids)."""
    problems = []

    def check(path: str, value: str, pattern: re.Pattern, limit: int, example: str) -> None:
        if len(value) > limit or not pattern.fullmatch(value):
            problems.append(f"{path}: {shown(value)} bukan {example} (paling banyak {limit} karakter: "
                            f"{pattern.pattern})")

    check("case_id", case.case_id, CASE_ID, CASE_ID_MAX, "id kasus seperti 'KC-PLG-2025-000123'")
    check("office", case.office, OFFICE, OFFICE_MAX, "kode kantor seperti 'KC-PLG'")
    local = "id seperti 'anak-1'"
    for i, child in enumerate(case.children):
        check(f"children[{i}].id", child.id, LOCAL_ID, LOCAL_ID_MAX, local)
        for j, other in enumerate(child.other_cases):
            check(f"children[{i}].other_cases[{j}]", other, CASE_ID, CASE_ID_MAX,
                  "id kasus seperti 'KC-PLG-2025-000123'")
    for i, claim in enumerate(case.claims):
        check(f"claims[{i}].id", claim.id, LOCAL_ID, LOCAL_ID_MAX, "id seperti 'klaim-1'")
    return problems


def _check_dates(case: Case) -> list[str]:
    """Dates that can't be: a child born, or the event happening, after a claim was submitted (rule book §3.3)."""
    problems = []
    born = {c.id: (i, c.birth_date) for i, c in enumerate(case.children)}
    for j, claim in enumerate(case.claims):
        submitted = claim.submitted_on.isoformat()
        if claim.child in born:
            i, birth_date = born[claim.child]
            if birth_date > claim.submitted_on:
                problems.append(f"children[{i}].birth_date: '{birth_date.isoformat()}' sesudah "
                                f"claims[{j}].submitted_on '{submitted}': anak lahir sebelum klaim "
                                f"untuknya diajukan")
        if case.event.date > claim.submitted_on:
            problems.append(f"event.date: '{case.event.date.isoformat()}' sesudah claims[{j}].submitted_on "
                            f"'{submitted}': klaim menyusul peristiwanya")
    return problems


def _check_history(case: Case, today: dt.date, year_start) -> list[str]:
    """Payouts already made can't be for an academic year that has not begun by today. A payout carries no
    date of its own, only its year; the year's first day (interpretation I2) is the earliest it can be."""
    problems = []
    for i, payout in enumerate(case.history):
        first_day = year_start(payout.academic_year)
        if first_day > today:
            problems.append(f"history[{i}].academic_year: '{payout.academic_year}' dimulai "
                            f"{first_day.isoformat()}, sesudah hari ini {today.isoformat()}: pembayaran yang sudah "
                            f"dilakukan tidak mungkin untuk tahun itu")
    return problems


def _check_references(case: Case) -> list[str]:
    """Checks across fields: unique ids, and every claim and payout naming a child of the case."""
    problems = []
    child_ids = [c.id for c in case.children]
    known = ", ".join(child_ids) or "tidak ada"
    seen: set[str] = set()
    for i, child in enumerate(case.children):
        if child.id in seen:
            problems.append(f"children[{i}].id: {child.id!r} dipakai juga oleh anak lain")
        seen.add(child.id)
    claim_ids: set[str] = set()
    for i, claim in enumerate(case.claims):
        if claim.child not in seen:
            problems.append(f"claims[{i}].child: {claim.child!r} bukan anak dalam kasus ini ({known})")
        if claim.id in claim_ids:
            problems.append(f"claims[{i}].id: {claim.id!r} dipakai juga oleh klaim lain")
        claim_ids.add(claim.id)
    for i, payout in enumerate(case.history):
        if payout.child not in seen:
            problems.append(f"history[{i}].child: {payout.child!r} bukan anak dalam kasus ini ({known})")
    return problems


def _structure_case(data: dict) -> Case:
    try:
        return _FAST.structure(data, Case)
    except Exception:
        return CONVERTER.structure(data, Case)


def parse_case(data: Any, today: dt.date | None = None, law=None) -> Case:
    """A Case from decoded JSON, or CaseFileError naming every invalid field.

    With `today` (read at the edge, never here), payouts in `history` for an academic year that begins after
    it are refused too; the year's first day comes from `law` (default: the law shipped)."""
    if not isinstance(data, dict):
        raise CaseFileError(f"berkas kasus harus berupa objek JSON, bukan {type(data).__name__}")
    if data.get("format") != CASE_FORMAT:
        raise CaseFileError(f"format: {shown(data.get('format'))} bukan {CASE_FORMAT!r}")
    try:
        case = _structure_case(data)
    except cattrs.BaseValidationError as exc:
        raise CaseFileError("; ".join(_messages(exc))) from None
    problems = _check_ids(case) + _check_references(case) + _check_dates(case)
    if today is not None:
        if law is None:
            law = default_law()
        problems += _check_history(case, today, law.year_start)
    if problems:
        raise CaseFileError("; ".join(problems))
    return case


def read_case(path: Path, today: dt.date | None = None) -> Case:
    """Read a case file; a file that cannot be read or decoded is a CaseFileError like any other. A UTF-8
    byte-order mark at the start (as some editors write) is taken as UTF-8. `today` as for `parse_case`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"{path}: berkas tidak ada") from None
    except IsADirectoryError:
        raise CaseFileError(f"{path}: sebuah direktori, bukan berkas kasus") from None
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: bukan teks UTF-8 (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: tidak dapat dibaca: {exc.strerror}") from None
    try:
        return parse_case(loads(text), today)
    except CaseFileError as exc:
        raise CaseFileError(f"{path}: {exc}") from None


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


def case_to_json(case: Case) -> dict:
    return CONVERTER.unstructure(case)


def decision_to_json(decision: CaseDecision) -> dict:
    return CONVERTER.unstructure(decision)


def dumps(data: dict) -> str:
    """The project's JSON for people and files: UTF-8 text as is, two-space indents, a final newline."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def dumps_line(data: dict) -> bytes:
    """Compact JSON on one line (JSON Lines), for batches."""
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)
