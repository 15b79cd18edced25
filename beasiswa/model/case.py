"""A case: one participant's qualifying event, the children, earlier payouts and the claims to decide.

Field names are those of the case-file contract (shared/case-format.md), so the file maps onto the model
one to one. Validation of single values lives in their types; checks across fields live in `casefile`.
"""

import datetime as dt

import attrs

from beasiswa.model.academic_year import AcademicYear
from beasiswa.model.identifiers import KPJ, NIK
from beasiswa.model.vocabulary import Document, EventKind, Level, Payee, Relation, Segment


# What a life allows: no one contributes, or an employer owes, for more than 100 years. A bound, so a number
# that no database column holds (2^63, forty nines) is refused as input rather than failing on the way in.
MAX_MONTHS = 1200
# No single payout comes near it (the family cap is Rp174.000.000); far inside a 64-bit column.
MAX_AMOUNT = 1_000_000_000


def _months(_instance, attribute, value):
    if not 0 <= value <= MAX_MONTHS:
        raise ValueError(f"{attribute.name}: harus 0 sampai {MAX_MONTHS} bulan, bukan {value!r}")


def _positive(_instance, attribute, value):
    if not 0 < value <= MAX_AMOUNT:
        raise ValueError(f"{attribute.name}: harus jumlah rupiah bulat positif paling banyak "
                         f"{MAX_AMOUNT}, bukan {value!r}")


@attrs.frozen
class Participant:
    kpj: KPJ
    nik: NIK
    name: str
    segment: Segment
    contribution_months: int = attrs.field(validator=_months)
    arrears_months: int = attrs.field(validator=_months)


@attrs.frozen
class Event:
    kind: EventKind
    date: dt.date


@attrs.frozen
class Child:
    id: str
    nik: NIK
    name: str
    birth_date: dt.date
    relation: Relation
    married_on: dt.date | None = None
    employed_on: dt.date | None = None
    designated: bool | None = None
    # Addition to format 1: case ids under which this child is also a beneficiary (rule book I10).
    other_cases: tuple[str, ...] = ()
    # Addition to format 1: the child's own postal address, for letters to a child of age living elsewhere.
    address: tuple[str, ...] = ()


@attrs.frozen
class Payout:
    """A payout already made under this case before the claims in the file (`history[]`)."""

    child: str
    academic_year: AcademicYear
    level: Level
    amount: int = attrs.field(validator=_positive)


def _account_number(_instance, attribute, value):
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and 6 <= len(value) <= 20):
        raise ValueError(f"{attribute.name}: {value!r} bukan nomor rekening bank (6 sampai 20 digit)")


@attrs.frozen
class BankAccount:
    """The account a claim is paid to: the child's or the guardian's (rule book §3.3)."""

    bank: str
    number: str = attrs.field(validator=_account_number)
    holder: str


@attrs.frozen
class Claim:
    id: str
    child: str
    academic_year: AcademicYear
    level: Level
    institution: str
    submitted_on: dt.date
    documents: frozenset[Document]
    # Addition to format 1: who holds the account; "guardian" requires the guardian's ID card.
    payee: Payee | None = None
    # Addition to format 1: the account paid to (the ledger looks for one account on several families).
    account: BankAccount | None = None


@attrs.frozen
class Case:
    format: str = attrs.field(default="beasiswa-case/1", kw_only=True)
    case_id: str
    office: str
    participant: Participant
    event: Event
    children: tuple[Child, ...]
    history: tuple[Payout, ...]
    claims: tuple[Claim, ...]
    # Additions to format 1, for the letters: the family's postal address (lines), and the name of the
    # children's parent or guardian, to whom letters about a child not of age go.
    address: tuple[str, ...] = ()
    guardian: str | None = None

    def child(self, child_id: str) -> Child:
        for child in self.children:
            if child.id == child_id:
                return child
        raise KeyError(child_id)
