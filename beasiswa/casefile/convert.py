"""JSON values ⇄ the model's attrs objects, strictly: the cattrs converter and its hooks.

Each hook refuses what the contract does not allow (a wrong type, an unknown code, a bad date or identifier,
text too long or with an invisible character) with a message naming the value; `messages` turns cattrs'
errors into one line per field path.
"""

import datetime as dt
import operator
import re
import unicodedata
from functools import lru_cache
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from beasiswa.casefile.errors import shown
from beasiswa.model import (
    KPJ,
    NIK,
    AcademicYear,
    BankAccount,
    Case,
    CaseDecision,
    Child,
    Claim,
    Code,
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


def messages(exc: cattrs.BaseValidationError) -> list[str]:
    out = []
    for path, what in field_errors(exc, _WORDING):
        own = _VALIDATOR_MESSAGE.fullmatch(what)
        if own:  # one field path, as every other message has: participant.contribution_months: ...
            path, what = f"{path}.{own[1]}" if path else own[1], own[2]
        out.append(f"{path}: {what}" if path else what)
    return out


def structure_case(data: dict) -> Case:
    try:
        return _FAST.structure(data, Case)
    except Exception:
        return CONVERTER.structure(data, Case)


def case_to_json(case: Case) -> dict:
    return CONVERTER.unstructure(case)


def decision_to_json(decision: CaseDecision) -> dict:
    return CONVERTER.unstructure(decision)
