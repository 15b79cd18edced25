"""Exceptions: entries in the journal that break a rule anyway.

The posting service and the database refuse what breaks the ledger's invariants, but some rules are about the
child and the law rather than the ledger's own totals, and history imported from case files is taken as
paid: a payout for a year the child was already 23, married or working, or one written behind the
application's back with a trigger dropped, is in the journal all the same. This module finds them, one
finding per entry and rule, so an auditor can follow each up.

The rules, each with its code (the decision contract's where one fits):
- AGE_LIMIT: paid for a year on whose test day (interpretation I1: the year's first day, or the claim's
  submission date) the child was 23 or older; MARRIED / EMPLOYED: married or working on or before the
  year's first day; BEFORE_EVENT: a year that ended before the event (I4); BELOW_SCHOOL_AGE: paid for a
  level the child was younger than its school-admission age for on the year's first day (rule book §3.3,
  I11–I13: a warning in a decision, a finding here for the auditor);
- LEVEL_NOT_COVERED: a level the scheme does not cover, or filed under another level group;
  AMOUNT_NOT_AS_TABLE: a payout other than the scheme's amount for its level;
- ALREADY_CLAIMED: a second unreversed payout for one child and year; LEVEL_YEARS_EXHAUSTED: a payout beyond
  a level group's year allowance or a stage's (TK 2, SD 6 inside TK–SD); CHILD_LIMIT: a child paid beyond
  the scheme's number of children, or one designated as no beneficiary;
- CHILD_CAP_REACHED / FAMILY_CAP_REACHED: a payout after which the child's or the family's net paid is over
  its cap;
- ACCOUNT_ON_SEVERAL_FAMILIES: a payout to an account number that payouts of another case were paid to too;
- MAKER_IS_APPROVER: an entry whose maker and approver are one person (compared as the service does, ignoring
  case and surrounding spaces, which the database's CHECK does not);
- SEQUENCE_GAP: sequence numbers missing from the journal.

Payouts that were reversed are corrected already and are not judged by the eligibility and limit rules;
every entry is judged by MAKER_IS_APPROVER. The limits come from the law data of each case's scheme.
"""

import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import attrs
from sqlalchemy import and_, exists, func, select
from sqlalchemy.engine import Engine

from beasiswa.db.tables import cases, children, claims, family_totals, journal
from beasiswa.indonesian import format_date, format_rupiah
from beasiswa.law import Law, Scheme
from beasiswa.model import AcademicYear, Code, JournalCode, Level
from beasiswa.rules.child import age_on, age_test_day, ended_by
from beasiswa.rules.level import within_allowance
from beasiswa.rules.money import within_cap
from beasiswa.rules.timing import year_covers_event

# The report's order of findings on one entry.
CODES = (JournalCode.SEQUENCE_GAP, JournalCode.MAKER_IS_APPROVER, Code.AGE_LIMIT, Code.BELOW_SCHOOL_AGE, Code.MARRIED,
         Code.EMPLOYED, Code.BEFORE_EVENT, Code.LEVEL_NOT_COVERED, JournalCode.AMOUNT_NOT_AS_TABLE,
         Code.ALREADY_CLAIMED, Code.LEVEL_YEARS_EXHAUSTED, Code.CHILD_LIMIT, Code.CHILD_CAP_REACHED,
         Code.FAMILY_CAP_REACHED, JournalCode.ACCOUNT_ON_SEVERAL_FAMILIES)


@attrs.frozen
class Finding:
    seq: int
    code: Code | JournalCode
    case_id: str | None
    child_id: str | None
    academic_year: str | None
    detail: str  # in Indonesian, for the auditor
    values: dict = attrs.field(eq=True, hash=False)


class Posting(NamedTuple):
    """One journal entry with what the rules need to judge it (from the journal and its case)."""

    seq: int
    case_id: str
    child_id: str
    claim_id: str | None
    level: str
    level_group: str
    academic_year: str
    amount: int
    kind: str
    reverses_seq: int | None
    maker: str
    approver: str
    scheme_id: str
    event_date: dt.date
    birth_date: dt.date | None  # None: the child's row is missing (only behind the database's back)
    married_on: dt.date | None
    employed_on: dt.date | None
    designated: bool | None
    submitted_on: dt.date | None  # the claim's, for a payout from a claim


# ------------------------------------------------------------------------------------------ pure rules
def sequence_gaps(seqs: Iterable[int]) -> Iterator[Finding]:
    expected = 1
    for seq in seqs:
        if seq > expected:
            missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected}–{seq - 1}"
            yield Finding(expected, JournalCode.SEQUENCE_GAP, None, None, None,
                          f"{missing} tidak ada: setelah seq {expected - 1} langsung seq {seq}",
                          {"missing_from": expected, "missing_to": seq - 1, "next_seq": seq})
        expected = max(expected, seq + 1)


def _same_person(maker: str, approver: str) -> bool:
    return maker.strip().casefold() == approver.strip().casefold()


def case_findings(postings: list[Posting], law: Law) -> list[Finding]:
    """Findings among one case's entries (given in seq order)."""
    found: list[Finding] = []

    def find(p: Posting, code: Code | JournalCode, detail: str, **values):
        found.append(Finding(p.seq, code, p.case_id, p.child_id, p.academic_year, detail, values))

    for p in postings:
        if _same_person(p.maker, p.approver):
            find(p, JournalCode.MAKER_IS_APPROVER, f"pembuat {p.maker!r} dan penyetuju {p.approver!r} orang yang sama",
                 maker=p.maker, approver=p.approver)
    if not postings:
        return found
    scheme = law.scheme(postings[0].scheme_id)
    reversed_seqs = {p.reverses_seq for p in postings if p.kind == "reversal"}
    family_paid = 0
    child_paid: Counter = Counter()
    years: Counter = Counter()  # (child, level group) → unreversed payouts so far
    stage_years: Counter = Counter()  # (child, stage) → unreversed payouts so far
    paid_in: dict[tuple[str, str], int] = {}  # (child, year) → the first unreversed payout's seq
    beneficiaries: list[str] = []
    for p in postings:
        family_paid += p.amount
        child_paid[p.child_id] += p.amount
        if p.kind != "payout" or p.seq in reversed_seqs:
            continue
        _eligibility(p, scheme, law, find)
        held = paid_in.setdefault((p.child_id, p.academic_year), p.seq)
        if held != p.seq:
            find(p, Code.ALREADY_CLAIMED, f"{p.child_id} sudah dibayar untuk {p.academic_year} pada seq {held}",
                 first_seq=held)
        _allowances(p, scheme, years, stage_years, find)
        if p.child_id not in beneficiaries:
            beneficiaries.append(p.child_id)
            limit = scheme.children_limit.value
            if len(beneficiaries) > limit:
                find(p, Code.CHILD_LIMIT, f"anak penerima ke-{len(beneficiaries)}, paling banyak {limit} "
                     f"({', '.join(beneficiaries[:limit])} sudah menerima)", beneficiaries=list(beneficiaries),
                     limit=limit)
        if p.designated is False:
            find(p, Code.CHILD_LIMIT, f"{p.child_id} ditetapkan bukan anak penerima", designated=False)
        if scheme.child_cap is not None and not within_cap(child_paid[p.child_id], scheme.child_cap.value):
            find(p, Code.CHILD_CAP_REACHED, f"{p.child_id} telah dibayar {format_rupiah(child_paid[p.child_id])}, "
                 f"batas per anak {format_rupiah(scheme.child_cap.value)}", paid=child_paid[p.child_id],
                 cap=scheme.child_cap.value)
        if not within_cap(family_paid, scheme.family_cap.value):
            find(p, Code.FAMILY_CAP_REACHED, f"keluarga telah dibayar {format_rupiah(family_paid)}, batas "
                 f"{format_rupiah(scheme.family_cap.value)}", paid=family_paid, cap=scheme.family_cap.value)
    return found


def _level(text: str) -> Level | None:
    try:
        return Level(text)
    except ValueError:
        return None


def _eligibility(p: Posting, scheme: Scheme, law: Law, find) -> None:
    year = AcademicYear.parse(p.academic_year)
    start, end = law.year_start(year), law.year_end(year)
    if p.birth_date is not None:
        i1 = law.interpretation("I1").setting
        day = age_test_day(i1, start, p.submitted_on)
        by_submission = i1 == "submission_date" and p.submitted_on is not None
        age, limit = age_on(p.birth_date, day), scheme.age_limit_years.value
        if age >= limit:
            what = "tanggal pengajuan" if by_submission else f"hari pertama tahun ajaran {p.academic_year}"
            find(p, Code.AGE_LIMIT, f"lahir {format_date(p.birth_date)}; usia {age} tahun pada {format_date(day)} "
                 f"({what}); batas di bawah {limit} tahun", birth_date=p.birth_date.isoformat(),
                 test_day=day.isoformat(), age=age, limit=limit)
        entry = law.minimum_age(level) if (level := _level(p.level)) else None
        if entry is not None and (age := age_on(p.birth_date, start)) < entry.age_on(start).value:
            find(p, Code.BELOW_SCHOOL_AGE, f"lahir {format_date(p.birth_date)}; usia {age} tahun pada hari pertama "
                 f"tahun ajaran {p.academic_year} ({format_date(start)}); jenjang {p.level} paling rendah "
                 f"{entry.age_on(start).value} tahun", birth_date=p.birth_date.isoformat(), test_day=start.isoformat(),
                 age=age, minimum=entry.age_on(start).value, interpretation=entry.interpretation)
    for code, on, what in ((Code.MARRIED, p.married_on, "menikah"), (Code.EMPLOYED, p.employed_on, "bekerja")):
        if ended_by(on, start):
            find(p, code, f"{what} {format_date(on)}, pada atau sebelum hari pertama tahun ajaran "
                 f"{format_date(start)}", on=on.isoformat(), year_start=start.isoformat())
    if not year_covers_event(law.interpretation("I4").setting, start, end, p.event_date):
        find(p, Code.BEFORE_EVENT, f"tahun ajaran {p.academic_year} ({format_date(start)}–{format_date(end)}) "
             f"sebelum peristiwa {format_date(p.event_date)}", event_date=p.event_date.isoformat())
    level = _level(p.level)
    group = scheme.level_group(level) if level else None
    if group is None or group.id != p.level_group:
        find(p, Code.LEVEL_NOT_COVERED, f"jenjang {p.level} dicatat pada kelompok {p.level_group}; menurut "
             f"{scheme.name}: {group.id if group else 'tidak ditanggung'}", level=p.level,
             level_group=p.level_group, law_group=group.id if group else None)
        return
    table = scheme.amount_for(level)
    if table is not None and p.amount != table.value:
        find(p, JournalCode.AMOUNT_NOT_AS_TABLE, f"dibayar {format_rupiah(p.amount)}, menurut {scheme.name} "
             f"{format_rupiah(table.value)} untuk {p.level}", amount=p.amount, table_amount=table.value)


def _allowances(p: Posting, scheme: Scheme, years: Counter, stage_years: Counter, find) -> None:
    try:
        group = scheme.level_group_by_id(p.level_group)
    except KeyError:
        return  # named by LEVEL_NOT_COVERED
    years[(p.child_id, group.id)] += 1
    used = years[(p.child_id, group.id)]
    if not within_allowance(used, group.years.value if group.years is not None else None):
        find(p, Code.LEVEL_YEARS_EXHAUSTED, f"tahun ke-{used} {group.name}, paling lama {group.years.value} tahun",
             level_group=group.id, years_used=used, allowance=group.years.value)
    level = _level(p.level)
    stage = group.stage_of(level) if level else None
    if stage is not None:
        stage_years[(p.child_id, stage.id)] += 1
        used = stage_years[(p.child_id, stage.id)]
        if not within_allowance(used, stage.years.value):
            find(p, Code.LEVEL_YEARS_EXHAUSTED, f"tahun ke-{used} {stage.name}, paling lama {stage.years.value} "
                 f"tahun", level_group=group.id, stage=stage.id, years_used=used, allowance=stage.years.value)


def account_findings(rows: Iterable[tuple[str, str, str, int, str, str | None]]) -> list[Finding]:
    """From (account_number, case_id, child_id, seq, academic_year, bank) of unreversed payouts: every
    payout to an account that payouts of more than one case went to."""
    by_account: dict[str, list] = defaultdict(list)
    for row in rows:
        by_account[row[0]].append(row)
    found = []
    for number, paid in by_account.items():
        families = sorted({r[1] for r in paid})
        if len(families) < 2:
            continue
        banks = sorted({r[5] for r in paid if r[5]})
        for _, case_id, child_id, seq, year, _bank in paid:
            others = [f for f in families if f != case_id]
            found.append(Finding(seq, JournalCode.ACCOUNT_ON_SEVERAL_FAMILIES, case_id, child_id, year,
                                 f"rekening {number} ({', '.join(banks) or 'bank tidak dicatat'}) juga menerima "
                                 f"pembayaran kasus {', '.join(others)}",
                                 {"account_number": number, "banks": banks, "cases": families}))
    return found


# --------------------------------------------------------------------------------------------- queries
def _postings(engine: Engine, up_to_seq: int, batch: int = 10_000) -> Iterator[Posting]:
    query = (select(journal.c.seq, journal.c.case_id, journal.c.child_id, journal.c.claim_id, journal.c.level,
                    journal.c.level_group, journal.c.academic_year, journal.c.amount, journal.c.kind,
                    journal.c.reverses_seq, journal.c.maker, journal.c.approver, family_totals.c.scheme_id,
                    cases.c.event_date, children.c.birth_date, children.c.married_on, children.c.employed_on,
                    children.c.designated, claims.c.submitted_on)
             .select_from(journal.join(cases, cases.c.case_id == journal.c.case_id)
                          .join(family_totals, family_totals.c.case_id == journal.c.case_id)
                          .outerjoin(children, and_(children.c.case_id == journal.c.case_id,
                                                    children.c.child_id == journal.c.child_id))
                          .outerjoin(claims, and_(claims.c.case_id == journal.c.case_id,
                                                  claims.c.claim_id == journal.c.claim_id)))
             .where(journal.c.seq <= up_to_seq)
             .order_by(journal.c.case_id, journal.c.seq))
    with engine.connect() as conn:
        for row in conn.execution_options(stream_results=True, yield_per=batch).execute(query):
            yield Posting(*row)


def _shared_accounts(engine: Engine, up_to_seq: int) -> list[tuple]:
    reversal = journal.alias("reversal")
    unreversed_payouts = and_(
        journal.c.kind == "payout", journal.c.seq <= up_to_seq,
        ~exists().where(and_(reversal.c.reverses_seq == journal.c.seq, reversal.c.seq <= up_to_seq)))
    paid_to = journal.join(claims, and_(claims.c.case_id == journal.c.case_id,
                                        claims.c.claim_id == journal.c.claim_id))
    shared = (select(claims.c.account_number).select_from(paid_to)
              .where(unreversed_payouts, claims.c.account_number.is_not(None))
              .group_by(claims.c.account_number)
              .having(func.count(journal.c.case_id.distinct()) > 1))
    query = (select(claims.c.account_number, journal.c.case_id, journal.c.child_id, journal.c.seq,
                    journal.c.academic_year, claims.c.account_bank).select_from(paid_to)
             .where(unreversed_payouts, claims.c.account_number.in_(shared))
             .order_by(journal.c.seq))
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def find_exceptions(engine: Engine, law: Law, up_to_seq: int) -> list[Finding]:
    """Every finding among entries 1..up_to_seq, in seq order, then by rule."""
    with engine.connect() as conn:
        seqs = conn.execute(select(journal.c.seq).where(journal.c.seq <= up_to_seq).order_by(journal.c.seq))
        found = list(sequence_gaps(s for (s,) in seqs))
    for _, postings in itertools.groupby(_postings(engine, up_to_seq), key=lambda p: p.case_id):
        found.extend(case_findings(list(postings), law))
    found.extend(account_findings(_shared_accounts(engine, up_to_seq)))
    order = {code: i for i, code in enumerate(CODES)}
    found.sort(key=lambda f: (f.seq, order[f.code]))
    return found


def of_office(engine: Engine, found: list[Finding], office: str) -> list[Finding]:
    """The findings about `office`'s cases, and those about the journal as a whole (a sequence gap: no case).
    Found over the whole journal first: an account shared with another office's family is a finding here too."""
    ids = sorted({f.case_id for f in found if f.case_id})
    with engine.connect() as conn:
        own = {case_id for (case_id,) in conn.execute(
            select(cases.c.case_id).where(cases.c.case_id.in_(ids), cases.c.office == office))} if ids else set()
    return [f for f in found if f.case_id is None or f.case_id in own]


# ------------------------------------------------------------------------------------------- the edge
HEADER = ("seq", "rule", "case_id", "child_id", "academic_year", "detail", "values")


def finding_rows(found: Iterable[Finding]) -> Iterator[tuple]:
    for f in found:
        yield (f.seq, f.code, f.case_id or "", f.child_id or "", f.academic_year or "", f.detail,
               json.dumps(f.values, ensure_ascii=False, sort_keys=True))
