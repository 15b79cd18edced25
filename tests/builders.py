"""Cases in code for the rule tests: one sensible default case, changed only where a test is about.

The default is a wage earner (PU) with 48 months of contributions, dead on 14 March 2023 of a cause not
related to work (JKM, PP 82/2019), one daughter born 15 May 2010 and one claim for SMA in 2025/2026,
submitted on 21 July 2025 with the full set of first-claim documents. It is approved for Rp3.000.000.
"""

import datetime as dt

import attrs

from beasiswa.law import Law, default_law
from beasiswa.model import (
    KPJ,
    NIK,
    AcademicYear,
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
    Participant,
    Payout,
    Relation,
    Segment,
)
from beasiswa.rules import decide

LAW = default_law()
PP_82_2019 = LAW.scheme("PP-82-2019")
PP_44_2015 = LAW.scheme("PP-44-2015")

date = dt.date

FIRST_CLAIM_DOCUMENTS = frozenset({Document.CLAIM_FORM, Document.BIRTH_CERTIFICATE, Document.FAMILY_CARD,
                                   Document.ENROLLMENT_LETTER, Document.REPORT_CARD, Document.BANK_ACCOUNT})
LATER_CLAIM_DOCUMENTS = frozenset({Document.ENROLLMENT_LETTER, Document.REPORT_CARD})

# A death under PP 44/2015, for the tests of the old scheme.
EVENT_UNDER_PP_44_2015 = Event(EventKind.DEATH, date(2018, 5, 10))


def nik(born: dt.date, *, female: bool = True, region: str = "167101", serial: str = "0003") -> NIK:
    """A valid NIK whose embedded birth date is `born` (40 added to the day for a woman)."""
    day = born.day + (40 if female else 0)
    return NIK(f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}")


def participant(**changes) -> Participant:
    default = Participant(kpj=KPJ("12345678901"), nik=NIK("1671011507800001"), name="Budi Santoso",
                          segment=Segment.PU, contribution_months=48, arrears_months=0)
    return attrs.evolve(default, **changes)


def event(kind: EventKind = EventKind.DEATH, on: dt.date = date(2023, 3, 14)) -> Event:
    return Event(kind, on)


_NAMES = {"anak-1": "Siti Aminah", "anak-2": "Ahmad Fauzi", "anak-3": "Dewi Lestari", "anak-4": "Rizki Pratama"}


def child(id: str = "anak-1", born: dt.date = date(2010, 5, 15), *, female: bool = True, **changes) -> Child:
    """A biological child whose NIK agrees with the birth date."""
    default = Child(id=id, nik=nik(born, female=female), name=_NAMES.get(id, id), birth_date=born,
                    relation=Relation.BIOLOGICAL)
    return attrs.evolve(default, **changes)


def claim(id: str = "klaim-1", child: str = "anak-1", year: str = "2025/2026", level: Level | str = Level.SMA, *,
          submitted_on: dt.date | None = None, documents=FIRST_CLAIM_DOCUMENTS, **changes) -> Claim:
    """A claim submitted three weeks into its academic year unless `submitted_on` says otherwise."""
    academic_year = AcademicYear.parse(year)
    if submitted_on is None:
        submitted_on = LAW.year_start(academic_year) + dt.timedelta(days=20)
    default = Claim(id=id, child=child, academic_year=academic_year, level=Level(level),
                    institution="SMAN 3 Palembang", submitted_on=submitted_on, documents=frozenset(documents))
    return attrs.evolve(default, **changes)


def payout(child: str, year: str, level: Level | str, amount: int | None = None) -> Payout:
    """A payout already made; its amount is the PP 82/2019 table's unless given."""
    level = Level(level)
    if amount is None:
        amount = PP_82_2019.amount_for(level).value
    return Payout(child, AcademicYear.parse(year), level, amount)


def paid_years(child: str, level: Level | str, count: int, *, last: str = "2024/2025") -> tuple[Payout, ...]:
    """`count` payouts at one level in consecutive academic years, the last one `last`."""
    end = AcademicYear.parse(last).start_year
    return tuple(payout(child, str(AcademicYear(y)), level) for y in range(end - count + 1, end + 1))


FULL_SCHOOL_PATH = {"tk": 2, "sd": 6, "smp": 3, "sma": 3, "pt": 5}  # Rp87.000.000, the whole per-child cap


def school_path(child: str, *, tk: int = 0, sd: int = 0, smp: int = 0, sma: int = 0, pt: int = 0,
                last: str = "2024/2025") -> tuple[Payout, ...]:
    """Payouts of a schooling in order TK, SD, SMP, SMA, PT, one level a year, ending in `last`."""
    levels = [Level.TK] * tk + [Level.SD] * sd + [Level.SMP] * smp + [Level.SMA] * sma + [Level.PT] * pt
    end = AcademicYear.parse(last).start_year
    first = end - len(levels) + 1
    return tuple(payout(child, str(AcademicYear(first + i)), level) for i, level in enumerate(levels))


DEFAULT_CASE = Case(case_id="KC-PLG-2025-000123", office="KC-PLG", participant=participant(), event=event(),
                    children=(child(),), history=(), claims=(claim(),))


def case(**changes) -> Case:
    """The default case with the parts a test is about replaced (as attrs.evolve); lists become tuples."""
    for field in ("children", "history", "claims"):
        if field in changes:
            changes[field] = tuple(changes[field])
    return attrs.evolve(DEFAULT_CASE, **changes)


def law_with(**settings: str) -> Law:
    """A copy of the law with some interpretations read differently, e.g. `law_with(I1="submission_date")`."""
    unknown = set(settings) - {i.id for i in LAW.interpretations}
    if unknown:
        raise KeyError(f"no interpretation {sorted(unknown)}")
    return attrs.evolve(LAW, interpretations=tuple(
        attrs.evolve(i, setting=settings[i.id]) if i.id in settings else i for i in LAW.interpretations))


def law_with_scheme(scheme_id: str, **changes) -> Law:
    """A copy of the law with one scheme's values changed in every edition (`changes` as for attrs.evolve on the
    scheme)."""
    return attrs.evolve(LAW, dated=tuple(
        attrs.evolve(d, editions=tuple(attrs.evolve(s, **changes) for s in d.editions)) if d.id == scheme_id else d
        for d in LAW.dated))


def decided(a_case: Case, law: Law = LAW) -> CaseDecision:
    return decide(a_case, law)


def decision_of(a_case: Case, claim_id: str | None = None, law: Law = LAW) -> Decision:
    """The decision on one claim: the only one, or the one named."""
    decisions = decided(a_case, law).decisions
    if claim_id is None:
        (only,) = decisions
        return only
    (named,) = [d for d in decisions if d.claim == claim_id]
    return named


def codes(decision: Decision) -> set[Code]:
    return {r.code for r in decision.reasons}


def warning_codes(decision: Decision) -> set[Code]:
    return {w.code for w in decision.warnings}


def trace_step(decision: Decision, rule: str):
    (step,) = [s for s in decision.trace if s.rule == rule]
    return step


def write_xlsx(path, rows: list[dict], header: list[str] | None = None):
    """An intake sheet as XLSX: the header (the template's columns unless told), then each row's cells."""
    from openpyxl import Workbook

    from beasiswa.intake.sheets import COLUMNS

    header = COLUMNS if header is None else header
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(c) for c in header])
    book.save(path)
    return path
