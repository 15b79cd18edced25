"""The domain model: pure attrs value objects, no I/O and no clock."""

from beasiswa.model.academic_year import AcademicYear
from beasiswa.model.case import BankAccount, Case, Child, Claim, Event, Participant, Payout
from beasiswa.model.claim_ref import ClaimRef
from beasiswa.model.claim_state import State
from beasiswa.model.decision import CaseDecision, Decision, Entitlement, Reason, TraceStep
from beasiswa.model.identifiers import KPJ, NIK
from beasiswa.model.refusal import Refusal
from beasiswa.model.vocabulary import (
    Code,
    Document,
    EventKind,
    JournalCode,
    Level,
    Outcome,
    Payee,
    Relation,
    Segment,
    Sex,
)

__all__ = [
    "KPJ", "NIK", "AcademicYear", "BankAccount", "Case", "CaseDecision", "Child", "Claim", "ClaimRef", "Code",
    "Decision", "Document", "Entitlement", "Event", "EventKind", "JournalCode", "Level", "Outcome", "Participant",
    "Payee", "Payout", "Reason", "Refusal", "Relation", "Segment", "Sex", "State", "TraceStep",
]
