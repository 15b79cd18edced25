"""The checks across fields that a converter can't make: every identifier in its pattern, every reference to
a known child, no date after the claim it belongs to, no history for a year not yet begun, every account at a
known bank and as long as that bank's numbers are."""

import datetime as dt
import re

from beasiswa.casefile.convert import (
    CASE_ID,
    CASE_ID_MAX,
    LOCAL_ID,
    LOCAL_ID_MAX,
    OFFICE,
    OFFICE_MAX,
)
from beasiswa.banks import as_of, bank_for, check_account_number
from beasiswa.casefile.errors import shown
from beasiswa.model import BankAccount, Case


def check_ids(case: Case) -> list[str]:
    """Every identifier in its pattern and length (the contract's `case_id`, `office`, local ids)."""
    problems = []

    def check(path: str, value: str, pattern: re.Pattern, limit: int, example: str) -> None:
        if len(value) > limit or not pattern.fullmatch(value):
            problems.append(f"{path}: {shown(value)} bukan {example} (paling banyak {limit} karakter: "
                            f"{pattern.pattern})")

    check("case_id", case.case_id, CASE_ID, CASE_ID_MAX, "id kasus seperti 'KC-PLG-2025-000123'")
    check("office", case.office, OFFICE, OFFICE_MAX, "kode kantor seperti 'KC-PLG'")
    local = "id seperti 'anak-1'"
    for i, child in enumerate(case.children):
        check(f"children[{i}].id", child.id, LOCAL_ID, LOCAL_ID_MAX, local)
        for j, other in enumerate(child.other_cases):
            check(f"children[{i}].other_cases[{j}]", other, CASE_ID, CASE_ID_MAX,
                  "id kasus seperti 'KC-PLG-2025-000123'")
    for i, claim in enumerate(case.claims):
        check(f"claims[{i}].id", claim.id, LOCAL_ID, LOCAL_ID_MAX, "id seperti 'klaim-1'")
    return problems


def check_dates(case: Case) -> list[str]:
    """Dates that can't be: a child born, or the event happening, after a claim was submitted (rule book §3.3)."""
    problems = []
    born = {c.id: (i, c.birth_date) for i, c in enumerate(case.children)}
    for j, claim in enumerate(case.claims):
        submitted = claim.submitted_on.isoformat()
        if claim.child in born:
            i, birth_date = born[claim.child]
            if birth_date > claim.submitted_on:
                problems.append(f"children[{i}].birth_date: '{birth_date.isoformat()}' sesudah "
                                f"claims[{j}].submitted_on '{submitted}': anak lahir sebelum klaim "
                                f"untuknya diajukan")
        if case.event.date > claim.submitted_on:
            problems.append(f"event.date: '{case.event.date.isoformat()}' sesudah claims[{j}].submitted_on "
                            f"'{submitted}': klaim menyusul peristiwanya")
    return problems


def check_history(case: Case, today: dt.date, year_start) -> list[str]:
    """Payouts already made can't be for an academic year that has not begun by today. A payout carries no
    date of its own, only its year; the year's first day (interpretation I2) is the earliest it can be."""
    problems = []
    for i, payout in enumerate(case.history):
        first_day = year_start(payout.academic_year)
        if first_day > today:
            problems.append(f"history[{i}].academic_year: '{payout.academic_year}' dimulai "
                            f"{first_day.isoformat()}, sesudah hari ini {today.isoformat()}: pembayaran yang sudah "
                            f"dilakukan tidak mungkin untuk tahun itu")
    return problems


def check_references(case: Case) -> list[str]:
    """Checks across fields: unique ids, and every claim and payout naming a child of the case."""
    problems = []
    child_ids = [c.id for c in case.children]
    known = ", ".join(child_ids) or "tidak ada"
    seen: set[str] = set()
    for i, child in enumerate(case.children):
        if child.id in seen:
            problems.append(f"children[{i}].id: {child.id!r} dipakai juga oleh anak lain")
        seen.add(child.id)
    claim_ids: set[str] = set()
    for i, claim in enumerate(case.claims):
        if claim.child not in seen:
            problems.append(f"claims[{i}].child: {claim.child!r} bukan anak dalam kasus ini ({known})")
        if claim.id in claim_ids:
            problems.append(f"claims[{i}].id: {claim.id!r} dipakai juga oleh klaim lain")
        claim_ids.add(claim.id)
    for i, payout in enumerate(case.history):
        if payout.child not in seen:
            problems.append(f"history[{i}].child: {payout.child!r} bukan anak dalam kasus ini ({known})")
    return problems


def account_problems(account: BankAccount, path: str) -> list[str]:
    """Why an account cannot be paid to (its bank not in the bank table, banks/data/banks.toml; its number
    not one that bank issues), each naming the field under `path` ("claims[0].account"); [] when it can."""
    bank = bank_for(account.bank)
    if bank is None:
        return [f"{path}.bank: {shown(account.bank)} bukan bank yang dikenal (tabel bank per {as_of().isoformat()}: "
                f"nama seperti 'BRI' atau 'Bank Mandiri', atau kode sandi bank seperti '002')"]
    problem = check_account_number(bank, account.number)
    return [f"{path}.number: {problem}"] if problem else []


def check_accounts(case: Case) -> list[str]:
    """Every claim's account at a bank of the bank table, its number one that bank issues (characters, length)."""
    problems = []
    for i, claim in enumerate(case.claims):
        if claim.account is not None:
            problems += account_problems(claim.account, f"claims[{i}].account")
    return problems
