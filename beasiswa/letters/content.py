"""What a letter says, as pure data: built from a case, one claim's decision, the letter number and the day.

No I/O and no clock: the settings (letterheads, legal basis, level names) and "today" are passed in, so the
same decision and number always make the same letter. The templates only lay these values out; everything
a letter states is decided here (who it is addressed to, whose NIK is masked, which documents are missing,
what the decision means for the years to come, by when the family can act, how each reason is told).
"""

import datetime as dt
import re
from enum import Enum

import attrs

from beasiswa.banks import masked_number
from beasiswa.indonesian import DOCUMENT_NAMES, EVENT_NAMES
from beasiswa.letters.settings import (
    Agency,
    Kind,
    LetterSettings,
    Office,
    Reconsideration,
    Resubmission,
)
from beasiswa.letters.number import LetterContentError, LetterNumber, format_letter_number, letter_number
from beasiswa.model import NIK, BankAccount, Case, Code, Decision, Document, EventKind, Level, Payee, Reason, Sex
from beasiswa.rules.child import age_on

__all__ = [
    "Addressee", "AwardLetter", "ClaimFacts", "Frame", "Future", "Kind", "Letter", "LetterContentError",
    "LetterNumber", "Outlook", "PrintedAccount", "RejectionLetter", "ReturnLetter", "ToldReason", "addressee_for",
    "build_letter", "format_letter_number", "letter_number", "masked_account_number", "outlook_of",
    "readable_basis", "told_reasons",
]


# ---------------------------------------------------------------------------------------------------- parts

@attrs.frozen
class Addressee:
    """Who the letter goes to: the lines after "Yth.", their postal address (none: "di Tempat"), how the body
    addresses them, and whose NIK they hold (None when the case does not record the addressee's NIK)."""

    lines: tuple[str, ...]
    address: tuple[str, ...]
    salutation: str
    nik: NIK | None
    is_beneficiary: bool


@attrs.frozen
class PrintedAccount:
    """The account an award is paid to, as the letter prints it: the number masked but for its last 4 digits."""

    bank: str
    number: str
    holder: str


@attrs.frozen
class ToldReason:
    """A reason as the family reads it: reasons that say the same thing told once (`codes` all of them), the
    legal basis in plain words (interpretations by what they say, abbreviations written out)."""

    codes: tuple[Code, ...]
    message: str
    basis: str


class Future(str, Enum):
    """What an award means for the years after it, as the decision's findings say."""

    ONE_TIME = "one_time"      # a lump sum paid once per participant (PP 44/2015): nothing more to claim
    LAST_YEAR = "last_year"    # the last year of the level's allowance
    YEARS_LEFT = "years_left"  # years of the level's allowance remain after this one
    UNTOLD = "untold"          # a decision not made by the rules (no trace to read): the letter says nothing


@attrs.frozen
class Outlook:
    """`allowance` names the allowance told (a level group or its stage, "SMA", "SD/MI"), `years` its length
    and `years_left` what remains after this claim; `scheme` names the regulation of a one-time benefit."""

    future: Future
    scheme: str | None = None
    allowance: str | None = None
    years: int = 0
    years_left: int = 0


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
    account: PrintedAccount | None
    outlook: Outlook


@attrs.frozen
class RejectionLetter:
    frame: Frame
    claim: ClaimFacts
    reasons: tuple[Reason, ...]
    told: tuple[ToldReason, ...]
    reconsideration: Reconsideration
    # The last day to ask for reconsideration: the letter's date plus the time limit (interpretation L2).
    reconsider_by: dt.date


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
    told: tuple[ToldReason, ...]
    resubmission: Resubmission
    # The last day to bring the documents: the letter's date plus the time limit (interpretation L3).
    bring_by: dt.date


Letter = AwardLetter | RejectionLetter | ReturnLetter


# ---------------------------------------------------------------------------------------------------- addressee

def _child_salutation(nik: NIK) -> tuple[str, str]:
    return ("Saudari", "Sdri.") if nik.sex is Sex.FEMALE else ("Saudara", "Sdr.")


def is_of_age(born: dt.date, married_on: dt.date | None, day: dt.date, settings: LetterSettings) -> bool:
    """Whether a child is written to by name on `day` (interpretation L1: of age, or married before)."""
    majority = settings.addressee.age_of_majority.value
    return age_on(born, day) >= majority or (married_on is not None and married_on <= day)


def addressee_for(case: Case, claim_id: str, day: dt.date, settings: LetterSettings) -> Addressee:
    """Who a claim's letter goes to on `day`: the payee, by name.

    - whoever holds the claim's account when it is not the child (a guardian as payee: "Wali dari ...");
    - the child, when of age on the letter's date (interpretation L1) and the account, if any, is the child's;
    - for a child not of age: the parent or guardian the case names, else the living participant (total
      permanent disability), else the child's parent or guardian unnamed ("Orang Tua/Wali dari Ananda ...").

    The address is the child's own for a letter to the child, else the case's (none: "di Tempat").
    """
    claim = next(c for c in case.claims if c.id == claim_id)
    child = case.child(claim.child)
    ward = f"Ananda {child.name}"
    holder = claim.account.holder if claim.account else None
    if holder is not None and holder.casefold() != child.name.casefold():
        relation = "Wali" if claim.payee is Payee.GUARDIAN else "Orang Tua/Wali"
        return Addressee((f"Bapak/Ibu {holder}", f"{relation} dari {ward}"), case.address, "Bapak/Ibu", None,
                         False)
    if claim.payee is not Payee.GUARDIAN and is_of_age(child.birth_date, child.married_on, day, settings):
        long, short = _child_salutation(child.nik)
        return Addressee((f"{short} {child.name}",), child.address or case.address, long, child.nik, True)
    relation = "Wali" if claim.payee is Payee.GUARDIAN else "Orang Tua/Wali"
    if case.guardian is not None:
        return Addressee((f"Bapak/Ibu {case.guardian}", f"{relation} dari {ward}"), case.address, "Bapak/Ibu",
                         None, False)
    if claim.payee is None and case.event.kind is EventKind.WORK_ACCIDENT_DISABILITY:
        participant = case.participant
        title = "Ibu" if participant.nik.sex is Sex.FEMALE else "Bapak"
        return Addressee((f"{title} {participant.name}", f"Orang Tua dari {ward}"), case.address, title,
                         participant.nik, False)
    return Addressee((f"{relation} dari {ward}",), case.address, "Bapak/Ibu", None, False)


# An account number as a letter prints it: '1234567890' -> '******7890' (the bank table's masking).
masked_account_number = masked_number


def _printed(account: BankAccount | None) -> PrintedAccount | None:
    if account is None:
        return None
    return PrintedAccount(account.bank, masked_account_number(account.number), account.holder)


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
            return tuple(Document.parse(code, "dokumen") for code in codes)
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


_YEARS = re.compile(r"(?P<group>.+?): (?P<used>\d+) dari (?P<years>\d+) tahun terpakai"
                    r"(?:; (?P<stage>.+?): (?P<stage_used>\d+) dari (?P<stage_years>\d+) tahun)?")
_SCHEME = re.compile(r"PP \d+/\d{4}")


def outlook_of(decision: Decision) -> Outlook:
    """What an approved claim means for the years after it, read from the rules' own findings in its trace:
    a lump sum (the `lump_sum_not_yet_paid` step, PP 44/2015) is paid once; otherwise the level's allowance
    (`level_years_remain`: years used before this claim) less this year is what remains. Where the level is a
    stage of its group (TK/PAUD, SD/MI) the tighter of the two is told, by its own name. A decision whose trace
    has neither step was not made by the rules (one built by hand): nothing is told of the years after it."""
    for step in decision.trace:
        if step.rule == "lump_sum_not_yet_paid":
            scheme = _SCHEME.match(step.citation)
            if scheme is None:
                raise LetterContentError(f"trace: the lump-sum step of claim {decision.claim!r} cites no "
                                         f"regulation ({step.citation!r})")
            return Outlook(Future.ONE_TIME, scheme=scheme[0])
        if step.rule == "level_years_remain":
            match = _YEARS.fullmatch(step.detail)
            if match is None:
                raise LetterContentError(f"trace: the level-years step of claim {decision.claim!r} names no "
                                         f"years used ({step.detail!r})")
            told = [(match["group"], int(match["years"]), int(match["years"]) - int(match["used"]) - 1)]
            if match["stage"]:
                told.append((match["stage"], int(match["stage_years"]),
                             int(match["stage_years"]) - int(match["stage_used"]) - 1))
            allowance, years, left = min(told, key=lambda t: t[2])
            future = Future.LAST_YEAR if left <= 0 else Future.YEARS_LEFT
            return Outlook(future, allowance=allowance, years=years, years_left=max(left, 0))
    return Outlook(Future.UNTOLD)


_INTERPRETATION = re.compile(r"(\()?[Ii]nterpretasi ([IPL]\d+)(?(1)\))")


def _written_out(text: str, settings: LetterSettings) -> str:
    for short, full in settings.abbreviations.items():
        text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    return text


def readable_basis(citation: str, settings: LetterSettings) -> str:
    """A decision's citation as a family reads it: the project's interpretation ids ("Interpretasi I4", which
    `beasiswa rules` lists in full) become what they say ("penafsiran BPJS Ketenagakerjaan: beasiswa diberikan
    mulai tahun ajaran ..."), abbreviations are written out; the provisions of the regulation stay as cited."""

    def spelled(match: re.Match) -> str:
        ident = match[2]
        if ident not in settings.interpretations:
            raise LetterContentError(f"citation: {match[0]!r} names no interpretation with plain words in "
                                     f"letters.toml ({citation!r})")
        told = f"penafsiran BPJS Ketenagakerjaan: {settings.interpretations[ident]}"
        return f"({told})" if match[1] else told

    return _written_out(_INTERPRETATION.sub(spelled, citation), settings)


def told_reasons(reasons: tuple[Reason, ...], settings: LetterSettings) -> tuple[ToldReason, ...]:
    """Reasons as the family reads them: those that say the same thing told once, in order of first mention.
    Two reasons say the same thing when their messages are equal (told with every provision of both, once), or
    when letters.toml's `told_within` puts one's code within the other's and that other is among them (told
    as the host reason, with its message and legal basis)."""
    present = {r.code.value for r in reasons}
    host_of = {code: host for host, within in settings.told_within.items() if host in present for code in within}
    hosts = set(host_of.values())
    groups: dict[tuple[str, str], list[Reason]] = {}
    for reason in reasons:
        code = reason.code.value
        host = host_of.get(code, code if code in hosts else None)
        groups.setdefault(("code", host) if host else ("message", reason.message), []).append(reason)
    told = []
    for (by, value), group in groups.items():
        if by == "code":  # told within the host: its message and its own legal basis
            first = next(r for r in group if r.code.value == value)
            provisions = dict.fromkeys(p for p in first.citation.split("; ") if p)
        else:  # the same message: every provision once
            first = group[0]
            provisions = dict.fromkeys(p for r in group for p in r.citation.split("; ") if p)
        told.append(ToldReason(tuple(dict.fromkeys(r.code for r in group)), _written_out(first.message, settings),
                               readable_basis("; ".join(provisions), settings)))
    return tuple(told)


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
    addressee = addressee_for(case, decision.claim, day, settings)
    facts = _facts(case, decision, addressee, settings)
    frame = Frame(kind=kind, number=number, place=place or office.city, date=day, agency=settings.agency,
                  office=office, title=settings.titles[kind], subject=settings.subjects[kind], enclosure="-",
                  addressee=addressee, legal_basis=settings.legal_basis)
    if kind is Kind.AWARD:
        claim = next(c for c in case.claims if c.id == decision.claim)
        return AwardLetter(frame, facts, decision.amount, _printed(claim.account), outlook_of(decision))
    if kind is Kind.REJECTION:
        reconsideration = settings.reconsideration
        return RejectionLetter(frame, facts, decision.reasons, told_reasons(decision.reasons, settings),
                               reconsideration, day + dt.timedelta(days=reconsideration.time_limit.value))
    documents = [r for r in decision.reasons if r.code is Code.DOCUMENTS_INCOMPLETE]
    missing = tuple(MissingDocument(d, DOCUMENT_NAMES[d.value]) for d in _missing_documents(decision))
    others = tuple(r for r in decision.reasons if r.code is not Code.DOCUMENTS_INCOMPLETE)
    resubmission = settings.resubmission
    return ReturnLetter(frame, facts, missing, readable_basis(documents[0].citation, settings), others,
                        told_reasons(others, settings), resubmission,
                        day + dt.timedelta(days=resubmission.time_limit.value))
