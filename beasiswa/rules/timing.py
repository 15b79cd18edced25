"""Rules on the academic year claimed against the event and the submission date (rule book I2, I4-I6),
and on paying each year once."""

import datetime as dt

from beasiswa.indonesian import format_date
from beasiswa.model import Code
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def year_covers_event(i4_setting: str, year_start: dt.date, year_end: dt.date, event_date: dt.date) -> bool:
    """Rule book I4: whether an academic year is one the benefit covers, given the event's date: a year in
    progress on the event's date or later ('in_progress_on_event_date'), or only the years starting on or after
    it ('first_starting_after_event')."""
    if i4_setting == "in_progress_on_event_date":
        return year_end >= event_date
    return year_start >= event_date


def year_is_not_before_event(c: ClaimContext) -> Finding:
    reading = c.readings["I4"]
    event_date = c.case.event.date
    citation = cite(c.scheme.benefit_basis.citation, reading.citation)
    covered = year_covers_event(reading.setting, c.year_start, c.year_end, event_date)
    if reading.setting == "in_progress_on_event_date":
        first = "yang sedang berjalan pada"
    else:  # first_starting_after_event
        first = "pertama yang dimulai setelah"
    detail = f"{c.year_text}; peristiwa {format_date(event_date)}"
    if covered:
        return holds(detail, citation)
    return fails(Code.BEFORE_EVENT,
                 f"Tahun ajaran {c.claim.academic_year} berakhir sebelum peristiwa pada {format_date(event_date)}; "
                 f"beasiswa diberikan mulai tahun ajaran {first} tanggal peristiwa.", detail, citation)


def year_has_started(c: ClaimContext) -> Finding:
    # The enrolment letter proves the year claimed, and cannot be had before the year starts.
    citation = cite(c.scheme.documents.later_claim.citation, c.readings["I5"].citation)
    submitted = c.claim.submitted_on
    detail = f"{c.year_text}; klaim diajukan {format_date(submitted)}"
    if submitted >= c.year_start:
        return holds(detail, citation)
    return fails(Code.NOT_YET_DUE,
                 f"Tahun ajaran {c.claim.academic_year} baru dimulai pada {format_date(c.year_start)}, sedangkan "
                 f"klaim diajukan pada {format_date(submitted)}: keterangan aktif sekolah belum dapat dibuktikan. "
                 f"Silakan ajukan kembali setelah tahun ajaran dimulai.", detail, citation)


def claim_is_on_time(c: ClaimContext) -> Finding:
    reading = c.readings["I6"]
    submitted = c.claim.submitted_on
    detail = f"{c.year_text}; klaim diajukan {format_date(submitted)}"
    if reading.setting == "allow" or submitted <= c.year_end:
        return holds(detail, reading.citation)
    return fails(Code.LATE_CLAIM,
                 f"Klaim untuk tahun ajaran {c.claim.academic_year} diajukan pada {format_date(submitted)}, "
                 f"setelah tahun ajaran berakhir pada {format_date(c.year_end)}; perlu pemeriksaan penyelia.",
                 detail, reading.citation)


def year_is_not_already_paid(c: ClaimContext) -> Finding:
    year = c.claim.academic_year
    citation = c.scheme.benefit_basis.citation
    if not c.tally.paid_for_year(c.child.id, year):
        return holds(f"belum ada pembayaran untuk {c.child.id} pada tahun ajaran {year}", citation)
    return fails(Code.ALREADY_CLAIMED,
                 f"{c.child.name} telah menerima beasiswa untuk tahun ajaran {year}; beasiswa dibayarkan "
                 f"satu kali untuk setiap tahun ajaran.",
                 f"{c.child.id} telah dibayar untuk tahun ajaran {year}", citation)
