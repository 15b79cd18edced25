"""What a letter says, as pure data: built from a case, one claim's decision, the letter number and the day.

No I/O and no clock: the settings (letterheads, legal basis, level names) and "today" are passed in, so the
same decision and number always make the same letter. The templates only lay these values out; everything
a letter states is decided here (who it is addressed to, whose NIK is masked, which documents are missing).
"""

import datetime as dt
import re
from collections.abc import Mapping

import attrs

from beasiswa.indonesian import DOCUMENT_NAMES, EVENT_NAMES
from beasiswa.letters.settings import (
    Agency,
    Kind,
    LetterSettings,
    Office,
    Reconsideration,
    Resubmission,
)
from beasiswa.model import NIK, BankAccount, Case, Code, Decision, Document, EventKind, Level, Payee, Reason, Sex

__all__ = [
    "Addressee", "AwardLetter", "ClaimFacts", "Frame", "Kind", "Letter", "LetterContentError", "LetterNumber",
    "RejectionLetter", "ReturnLetter", "addressee_for", "build_letter", "format_letter_number", "letter_number",
]


class LetterContentError(ValueError):
    """A letter that cannot be written as asked; the message names the field, the rule and the value."""


# ---------------------------------------------------------------------------------------------------- number

_NUMBER = re.compile(r"([A-Z]+)/(\d{4,})/([A-Z]+(?:-[A-Z]+)*)/([A-Z]+)/(\d{2})/(\d{4})")


def format_letter_number(classification: str, sequence: int, office: str, subject: str, month: int, year: int,
                         digits: int = 4) -> str:
    """'B/0123/KC-PLG/BSW/08/2025': classification / sequence in the year / office / subject / month / year."""
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence < 10**digits:
        raise LetterContentError(f"sequence: must be a whole number from 1 to {10**digits - 1} "
                                 f"({digits} digits), got {sequence!r}")
    if not 1 <= month <= 12:
        raise LetterContentError(f"month: must be 1 to 12, got {month!r}")
    return f"{classification}/{sequence:0{digits}d}/{office}/{subject}/{month:02d}/{year:04d}"


@attrs.frozen
class LetterNumber:
    classification: str
    sequence: int
    office: str
    subject: str
    month: int
    year: int
    digits: int = attrs.field(default=4, eq=False)

    def __attrs_post_init__(self):
        format_letter_number(self.classification, self.sequence, self.office, self.subject, self.month,
                             self.year, self.digits)

    def __str__(self) -> str:
        return format_letter_number(self.classification, self.sequence, self.office, self.subject, self.month,
                                    self.year, self.digits)

    @classmethod
    def parse(cls, text: object) -> "LetterNumber":
        match = _NUMBER.fullmatch(text) if isinstance(text, str) else None
        if not match:
            raise LetterContentError(f"letter number: {text!r} is not of the form B/0123/KC-PLG/BSW/08/2025")
        classification, sequence, office, subject, month, year = match.groups()
        return cls(classification, int(sequence), office, subject, int(month), int(year), len(sequence))


def letter_number(settings: LetterSettings, office: str, sequence: int, day: dt.date) -> LetterNumber:
    """The number of the `sequence`-th letter of `office` in the year of `day`, dated `day`."""
    parts = settings.number
    return LetterNumber(parts.classification, sequence, office, parts.subject, day.month, day.year,
                        parts.sequence_digits)


# ---------------------------------------------------------------------------------------------------- parts

@attrs.frozen
class Addressee:
    """Who the letter goes to: the lines after "Yth.", how the body addresses them, and whose NIK they hold
    (None when the case does not record the addressee's NIK)."""

    lines: tuple[str, ...]
    salutation: str
    nik: NIK | None
    is_beneficiary: bool


@attrs.frozen
class ClaimFacts:
    """The claim as every kind of letter states it. `child_nik` is as printed: masked unless the letter goes
    to the child."""

    case_id: str
    claim_id: str
    submitted_on: dt.date
    participant_name: str
    participant_kpj: str
    event: str
    event_date: dt.date
    child_id: str
    child_name: str
    child_nik: str
    # How the body names the child: "Saudari" to the child, "Ananda Siti Aminah" to a parent or guardian.
    child_reference: str
    level: Level
    level_name: str
    institution: str
    academic_year: str


@attrs.frozen
class Frame:
    """What every letter has around its body: letterhead, number, place and date, addressee, subject,
    legal basis, signing officer."""

    kind: Kind
    number: LetterNumber
    place: str
    date: dt.date
    agency: Agency
    office: Office
    title: str
    subject: str
    enclosure: str
    addressee: Addressee
    legal_basis: tuple[str, ...]


@attrs.frozen
class AwardLetter:
    frame: Frame
    claim: ClaimFacts
    amount: int
    account: BankAccount | None


@attrs.frozen
class RejectionLetter:
    frame: Frame
    claim: ClaimFacts
    reasons: tuple[Reason, ...]
    reconsideration: Reconsideration


@attrs.frozen
class MissingDocument:
    document: Document
    name: str


@attrs.frozen
class ReturnLetter:
    frame: Frame
    claim: ClaimFacts
    missing: tuple[MissingDocument, ...]
    basis: str
    # Reasons besides the missing documents (e.g. employer arrears), told so the family can act on them too.
    other_reasons: tuple[Reason, ...]
    resubmission: Resubmission


Letter = AwardLetter | RejectionLetter | ReturnLetter


# ---------------------------------------------------------------------------------------------------- addressee

def _child_salutation(nik: NIK) -> tuple[str, str]:
    return ("Saudari", "Sdri.") if nik.sex is Sex.FEMALE else ("Saudara", "Sdr.")


def addressee_for(case: Case, claim_id: str) -> Addressee:
    """Who a claim's letter goes to, read from who is paid:

    - the child, when the child is the payee, or when no payee is named and the account is in the child's name;
    - the guardian named on the account, when the guardian is the payee or holds the account;
    - the participant, when no payee or account is named and the participant is alive (total permanent
      disability);
    - otherwise the child's parent or guardian, unnamed ("Orang Tua/Wali dari Ananda ...").
    """
    claim = next(c for c in case.claims if c.id == claim_id)
    child = case.child(claim.child)
    holder = claim.account.holder if claim.account else None
    to_child = claim.payee is Payee.CHILD or (
        claim.payee is None and holder is not None and holder.casefold() == child.name.casefold())
    if to_child:
        long, short = _child_salutation(child.nik)
        return Addressee((f"{short} {child.name}",), long, child.nik, True)
    if holder is not None:
        return Addressee((f"Bapak/Ibu {holder}", f"Wali dari Ananda {child.name}"), "Bapak/Ibu", None, False)
    if claim.payee is None and case.event.kind is EventKind.WORK_ACCIDENT_DISABILITY:
        participant = case.participant
        title = "Ibu" if participant.nik.sex is Sex.FEMALE else "Bapak"
        return Addressee((f"{title} {participant.name}", f"Orang Tua dari Ananda {child.name}"), title,
                         participant.nik, False)
    return Addressee((f"Orang Tua/Wali dari Ananda {child.name}",), "Bapak/Ibu", None, False)


# ---------------------------------------------------------------------------------------------------- building

# The documents step names what is missing by its Indonesian names ("; "-separated); a decision stored before
# that named the contract's codes (", "-separated), which are read too.
_MISSING = re.compile(r"kurang: (.+)$")
_CODE_OF_NAME = {name: code for code, name in DOCUMENT_NAMES.items()}
_CODES = re.compile(r"[a-z_]+(?:, [a-z_]+)*")


def _missing_documents(decision: Decision) -> tuple[Document, ...]:
    """The documents the documents rule found missing, from its trace step (codes of the contract)."""
    for step in decision.trace:
        if step.rule == "documents_are_complete" and not step.holds:
            match = _MISSING.search(step.detail)
            names = match[1].split("; ") if match else []
            codes = [_CODE_OF_NAME.get(n) for n in names]
            if match and None in codes and _CODES.fullmatch(match[1]):
                codes = match[1].split(", ")
            if not match or None in codes:
                raise LetterContentError(f"trace: the documents step of claim {decision.claim!r} names no "
                                         f"missing document ({step.detail!r})")
            return tuple(Document.parse(code, "a document") for code in codes)
    raise LetterContentError(f"trace: claim {decision.claim!r} was returned but its trace has no failing "
                             f"documents step")


def _facts(case: Case, decision: Decision, addressee: Addressee, settings: LetterSettings) -> ClaimFacts:
    claim = next((c for c in case.claims if c.id == decision.claim), None)
    if claim is None:
        raise LetterContentError(f"claim: {decision.claim!r} is not a claim of case {case.case_id!r}")
    if claim.child != decision.child:
        raise LetterContentError(f"child: the decision names {decision.child!r}, claim {claim.id!r} is for "
                                 f"{claim.child!r}")
    child = case.child(claim.child)
    to_child = addressee.is_beneficiary
    return ClaimFacts(
        case_id=case.case_id,
        claim_id=claim.id,
        submitted_on=claim.submitted_on,
        participant_name=case.participant.name,
        participant_kpj=str(case.participant.kpj),
        event=EVENT_NAMES[case.event.kind.value],
        event_date=case.event.date,
        child_id=child.id,
        child_name=child.name,
        child_nik=str(child.nik) if to_child else child.nik.masked(),
        child_reference=addressee.salutation if to_child else f"Ananda {child.name}",
        level=claim.level,
        level_name=settings.levels[claim.level],
        institution=claim.institution,
        academic_year=str(claim.academic_year),
    )


_INTERPRETATION = re.compile(r"Interpretasi (I\d+|P\d+)")


def readable_basis(citation: str, titles: Mapping[str, str]) -> str:
    """A decision's citation as a family reads it: the project's interpretation ids ("Interpretasi I4", which
    `beasiswa rules` lists in full) become what they are about ("penafsiran BPJS Ketenagakerjaan tentang tahun
    pertama yang ditanggung (I4)"). The provisions of the regulation stay as cited."""

    def spelled(match: re.Match) -> str:
        ident = match[1]
        if ident not in titles:
            raise LetterContentError(f"citation: {match[0]!r} names no known interpretation ({citation!r})")
        title = titles[ident]
        return f"penafsiran BPJS Ketenagakerjaan tentang {title[:1].lower()}{title[1:]} ({ident})"

    return _INTERPRETATION.sub(spelled, citation)


def build_letter(case: Case, decision: Decision, number: LetterNumber, day: dt.date, settings: LetterSettings,
                 place: str | None = None) -> Letter:
    """The letter telling the family of one claim's decision. `day` is the letter's date (the caller's today);
    `place` defaults to the issuing office's city. A pending decision gets no letter yet."""
    kind = Kind.for_outcome(decision.outcome)
    if kind is None:
        raise LetterContentError(f"outcome: a {decision.outcome.value} decision gets no letter "
                                 f"(claim {decision.claim!r})")
    if number.office != case.office:
        raise LetterContentError(f"number: {number} is of office {number.office}, the case is of {case.office}")
    if (number.month, number.year) != (day.month, day.year):
        raise LetterContentError(f"number: {number} is not of the letter's month {day.month:02d}/{day.year}")
    office = settings.office(case.office)
    addressee = addressee_for(case, decision.claim)
    facts = _facts(case, decision, addressee, settings)
    frame = Frame(kind=kind, number=number, place=place or office.city, date=day, agency=settings.agency,
                  office=office, title=settings.titles[kind], subject=settings.subjects[kind], enclosure="-",
                  addressee=addressee, legal_basis=settings.legal_basis)
    if kind is Kind.AWARD:
        claim = next(c for c in case.claims if c.id == decision.claim)
        return AwardLetter(frame, facts, decision.amount, claim.account)
    if kind is Kind.REJECTION:
        return RejectionLetter(frame, facts, decision.reasons, settings.reconsideration)
    documents = [r for r in decision.reasons if r.code is Code.DOCUMENTS_INCOMPLETE]
    missing = tuple(MissingDocument(d, DOCUMENT_NAMES[d.value]) for d in _missing_documents(decision))
    others = tuple(r for r in decision.reasons if r.code is not Code.DOCUMENTS_INCOMPLETE)
    return ReturnLetter(frame, facts, missing, documents[0].citation, others, settings.resubmission)
