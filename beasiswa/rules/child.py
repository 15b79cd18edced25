"""Rules on the child (rule book §3.3, I1, I3, I9–I13): a beneficiary place, under 23, unmarried, not
working; warnings for a NIK that disagrees with the birth certificate, for a second participant, and for a
child younger than its level's school-admission age."""

import datetime as dt

from beasiswa.indonesian import format_date
from beasiswa.model import Child, Code
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years of age on a day (a child born on 29 February ages on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_test_day(i1_setting: str, year_start: dt.date, submitted_on: dt.date | None) -> dt.date:
    """Rule book I1: the day a child's age is tested: the claim's submission date ('submission_date'), else the
    academic year's first day (also for a payout no claim was submitted for, as a case file's history)."""
    if i1_setting == "submission_date" and submitted_on is not None:
        return submitted_on
    return year_start


def ended_by(on: dt.date | None, day: dt.date) -> bool:
    """Whether a marriage or a job that began `on` (None: none) had begun by `day`: a benefit ends with it."""
    return on is not None and on <= day


def _age_test_day(c: ClaimContext) -> tuple[dt.date, str]:
    day = age_test_day(c.readings["I1"].setting, c.year_start, c.claim.submitted_on)
    if c.readings["I1"].setting == "submission_date":
        return day, "tanggal pengajuan"
    return day, f"hari pertama tahun ajaran {c.claim.academic_year}"


def child_is_under_age_limit(c: ClaimContext) -> Finding:
    limit = c.scheme.age_limit_years
    day, what = _age_test_day(c)
    age = age_on(c.child.birth_date, day)
    citation = cite(limit.citation, c.readings["I1"].citation)
    detail = f"lahir {format_date(c.child.birth_date)}; usia {age} tahun pada {format_date(day)} ({what}); " \
             f"batas di bawah {limit.value} tahun"
    if age < limit.value:
        return holds(detail, citation)
    return fails(Code.AGE_LIMIT,
                 f"{c.child.name} telah berusia {age} tahun pada {format_date(day)} ({what}); beasiswa hanya "
                 f"diberikan kepada anak yang belum berusia {limit.value} tahun.", detail, citation)


def _ended_by(c: ClaimContext, on: dt.date | None, code: Code, what: str) -> Finding:
    citation = c.scheme.benefit_basis.citation
    if on is None:
        return holds(f"tidak ada tanggal {what}", citation)
    detail = f"{what} {format_date(on)}; hari pertama tahun ajaran {format_date(c.year_start)}"
    if not ended_by(on, c.year_start):
        return holds(detail, citation)
    return fails(code,
                 f"{c.child.name} telah {what} pada {format_date(on)}, sebelum atau pada hari pertama tahun "
                 f"ajaran {c.claim.academic_year}; beasiswa berakhir bila anak {what}.", detail, citation)


def child_is_unmarried(c: ClaimContext) -> Finding:
    return _ended_by(c, c.child.married_on, Code.MARRIED, "menikah")


def child_is_not_working(c: ClaimContext) -> Finding:
    return _ended_by(c, c.child.employed_on, Code.EMPLOYED, "bekerja")


def _can_still_receive(c: ClaimContext, child: Child) -> bool:
    """For I3 'passes_to_sibling': whether a beneficiary still holds a place on the claimed year's first day."""
    day = c.year_start
    return (age_on(child.birth_date, day) < c.scheme.age_limit_years.value
            and not ended_by(child.married_on, day)
            and not ended_by(child.employed_on, day))


def child_holds_a_beneficiary_place(c: ClaimContext) -> Finding:
    limit = c.scheme.children_limit
    reading = c.readings["I3"]
    citation = cite(limit.citation, reading.citation)
    places = c.beneficiaries
    if reading.setting == "passes_to_sibling":
        places = [p for p in places if p == c.child.id or _can_still_receive(c, c.case.child(p))]
    if c.child.designated is False:
        return fails(Code.CHILD_LIMIT,
                     f"{c.child.name} tidak ditetapkan sebagai anak penerima beasiswa.",
                     f"{c.child.id} ditetapkan bukan penerima", citation)
    if c.child.id in places:
        return holds(f"{c.child.id} adalah penerima ({', '.join(places)}; paling banyak {limit.value})", citation)
    if len(places) < limit.value:
        return holds(f"tempat penerima tersedia: {len(places)} dari {limit.value} terisi", citation)
    names = ", ".join(c.case.child(p).name for p in places)
    return fails(Code.CHILD_LIMIT,
                 f"Beasiswa diberikan untuk paling banyak {limit.value} anak, dan {names} telah menjadi "
                 f"penerima.", f"{len(places)} dari {limit.value} tempat penerima terisi: {', '.join(places)}",
                 citation)


def nik_agrees_with_birth_date(c: ClaimContext) -> Finding:
    reading = c.readings["I9"]
    nik, born = c.child.nik, c.child.birth_date
    detail = f"NIK {nik.value} memuat tanggal lahir {nik.value[6:12]} (DDMMYY); akta kelahiran {format_date(born)}"
    if nik.agrees_with(born):
        return holds(detail, reading.citation)
    return fails(Code.NIK_BIRTH_DATE_MISMATCH,
                 f"Tanggal lahir pada NIK {c.child.name} berbeda dengan akta kelahiran ({format_date(born)}); "
                 f"tanggal pada akta kelahiran yang dipakai.", detail, reading.citation)


def child_is_no_beneficiary_elsewhere(c: ClaimContext) -> Finding:
    reading = c.readings["I10"]
    others = c.child.other_cases
    if not others:
        return holds("tidak tercatat sebagai penerima pada kasus lain", reading.citation)
    return fails(Code.BENEFICIARY_ELSEWHERE,
                 f"{c.child.name} juga tercatat sebagai penerima beasiswa pada kasus {', '.join(others)}; "
                 f"perlu pemeriksaan penyelia.", f"penerima juga pada {', '.join(others)}", reading.citation)


def child_is_of_school_age(c: ClaimContext) -> Finding:
    """Rule book §3.3: a child younger on the year's first day than the level's admission age is a warning for
    the supervisor (a plausibility check of the birth date and the level, never a rejection)."""
    level = c.claim.level
    entry = c.law.minimum_age(level)
    if entry is None:
        return holds(f"tidak ada usia paling rendah untuk jenjang {level.value}", c.readings["I13"].citation)
    age_in_force = entry.age_on(c.year_start)
    minimum = age_in_force.value
    citation = cite(age_in_force.citation, c.readings[entry.interpretation].citation if entry.interpretation else "")
    age = age_on(c.child.birth_date, c.year_start)
    detail = f"lahir {format_date(c.child.birth_date)}; usia {age} tahun pada {format_date(c.year_start)} " \
             f"(hari pertama tahun ajaran {c.claim.academic_year}); jenjang {level.value} paling rendah {minimum} tahun"
    if age >= minimum:
        return holds(detail, citation)
    return fails(Code.BELOW_SCHOOL_AGE,
                 f"{c.child.name} berusia {age} tahun pada hari pertama tahun ajaran {c.claim.academic_year} "
                 f"({format_date(c.year_start)}), lebih muda dari usia paling rendah {minimum} tahun untuk jenjang "
                 f"{level.value}; tanggal lahir dan jenjang perlu pemeriksaan penyelia.", detail, citation)
