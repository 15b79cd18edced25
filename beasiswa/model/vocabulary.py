"""The fixed vocabularies of the case-file contract (shared/case-format.md), as enums.

Each enum's value is the exact string the contract uses, so a file and the model never disagree.
"""

from enum import Enum


class Vocabulary(str, Enum):
    # The contract's string, read as `_value_` (what Enum's `value` property returns, without the property's
    # call): the rules write levels and codes into every claim's trace.
    def __str__(self) -> str:
        return self._value_

    def __format__(self, spec: str) -> str:
        return format(self._value_, spec)

    @classmethod
    def parse(cls, value: object, what: str, field: str | None = None):
        """The member named by `value`, or a ValueError naming the value and the allowed ones (after `field: `
        when given)."""
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        if member is None:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"{field + ': ' if field else ''}{value!r} bukan {what} ({allowed})")
        return member


class Segment(Vocabulary):
    PU = "PU"  # wage earner (penerima upah)
    BPU = "BPU"  # non-wage earner (bukan penerima upah)
    PMI = "PMI"  # migrant worker (pekerja migran Indonesia)


class EventKind(Vocabulary):
    WORK_ACCIDENT_DEATH = "work_accident_death"
    WORK_ACCIDENT_DISABILITY = "work_accident_disability"
    DEATH = "death"


class Relation(Vocabulary):
    BIOLOGICAL = "biological"
    STEP = "step"
    ADOPTED = "adopted"


class Level(Vocabulary):
    TK = "TK"
    PAUD = "PAUD"
    SD = "SD"
    MI = "MI"
    SMP = "SMP"
    MTS = "MTS"
    SMA = "SMA"
    SMK = "SMK"
    MA = "MA"
    PT = "PT"
    D1 = "D1"
    D2 = "D2"
    D3 = "D3"
    D4 = "D4"
    S1 = "S1"
    PELATIHAN = "PELATIHAN"
    S2 = "S2"
    S3 = "S3"


class Document(Vocabulary):
    CLAIM_FORM = "claim_form"
    BIRTH_CERTIFICATE = "birth_certificate"
    FAMILY_CARD = "family_card"
    ENROLLMENT_LETTER = "enrollment_letter"
    REPORT_CARD = "report_card"
    BANK_ACCOUNT = "bank_account"
    GUARDIAN_ID = "guardian_id"


class Payee(Vocabulary):
    """Who holds the account the benefit is paid to (an addition to format version 1)."""

    CHILD = "child"
    GUARDIAN = "guardian"


class Outcome(Vocabulary):
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    PENDING = "pending"


class Sex(Vocabulary):
    MALE = "male"
    FEMALE = "female"


class Code(Vocabulary):
    """Reason and warning codes of the decision contract."""

    EVENT_NOT_COVERED = "EVENT_NOT_COVERED"
    CONTRIBUTION_TOO_SHORT = "CONTRIBUTION_TOO_SHORT"
    ARREARS_UNSETTLED = "ARREARS_UNSETTLED"
    CHILD_LIMIT = "CHILD_LIMIT"
    AGE_LIMIT = "AGE_LIMIT"
    MARRIED = "MARRIED"
    EMPLOYED = "EMPLOYED"
    LEVEL_NOT_COVERED = "LEVEL_NOT_COVERED"
    LEVEL_YEARS_EXHAUSTED = "LEVEL_YEARS_EXHAUSTED"
    ALREADY_CLAIMED = "ALREADY_CLAIMED"
    BEFORE_EVENT = "BEFORE_EVENT"
    NOT_YET_DUE = "NOT_YET_DUE"
    LUMP_SUM_PAID = "LUMP_SUM_PAID"
    FAMILY_CAP_REACHED = "FAMILY_CAP_REACHED"
    CHILD_CAP_REACHED = "CHILD_CAP_REACHED"
    DOCUMENTS_INCOMPLETE = "DOCUMENTS_INCOMPLETE"
    # warnings: never change the outcome
    LATE_CLAIM = "LATE_CLAIM"
    NIK_BIRTH_DATE_MISMATCH = "NIK_BIRTH_DATE_MISMATCH"
    BENEFICIARY_ELSEWHERE = "BENEFICIARY_ELSEWHERE"
    BELOW_SCHOOL_AGE = "BELOW_SCHOOL_AGE"  # younger than the level's school-admission age (rule book §3.3)
    ACCOUNT_HOLDER_DIFFERS = "ACCOUNT_HOLDER_DIFFERS"  # the account is not in the payee's name (rule book §3.3, I15)

    @property
    def outcome(self) -> "Outcome | None":
        """The outcome a failing finding with this code leads to; None for a warning."""
        return _CODE_OUTCOME.get(self)


_CODE_OUTCOME = {
    Code.ARREARS_UNSETTLED: Outcome.PENDING,
    Code.DOCUMENTS_INCOMPLETE: Outcome.RETURNED,
    **{
        code: Outcome.REJECTED
        for code in Code
        if code.name
        not in {"ARREARS_UNSETTLED", "DOCUMENTS_INCOMPLETE", "LATE_CLAIM", "NIK_BIRTH_DATE_MISMATCH",
                "BENEFICIARY_ELSEWHERE", "BELOW_SCHOOL_AGE", "ACCOUNT_HOLDER_DIFFERS"}
    },
}


class JournalCode(Vocabulary):
    """Codes of the ledger's exceptions report that no decision gives: findings about the journal's entries
    themselves. With `Code` they are the report's vocabulary; they stay out of `Code`, which is the decision
    contract's (an override names one of its reasons, a letter tells one)."""

    SEQUENCE_GAP = "SEQUENCE_GAP"
    MAKER_IS_APPROVER = "MAKER_IS_APPROVER"
    AMOUNT_NOT_AS_TABLE = "AMOUNT_NOT_AS_TABLE"  # a payout other than the scheme's amount for its level
    ACCOUNT_ON_SEVERAL_FAMILIES = "ACCOUNT_ON_SEVERAL_FAMILIES"
