"""`beasiswa ledger exceptions`: posted entries that break a rule anyway (imported history, tampering), one
finding per entry and rule with its seq; exit 0 and "no exceptions" when clean, 1 when any."""

import attrs
import pytest

from beasiswa.db import make_engine
from beasiswa.ledger.exceptions import find_exceptions, sequence_gaps
from beasiswa.model import BankAccount, Level
from audit_support import INSERT, JOURNAL_GUARDS, behind_the_back, forged_payout, run
from builders import LAW, date, law_with, payout
from ledger_support import (  # noqa: F401 - database: fixture
    APPROVER,
    MAKER,
    approved,
    case,
    child,
    claim,
    database,
    ledger,
    school_path,
    sql,
)

M = 1_000_000
CASE = case().case_id


def register(url, a_case, decision=None, pay=()):
    service = ledger(url)
    service.register(a_case, decision or approved(a_case), maker=MAKER, approver=APPROVER)
    for claim_id in pay:
        service.pay(a_case.case_id, claim_id, maker=MAKER, approver=APPROVER)
    return service


def findings(url, law=LAW):
    engine = make_engine(url)
    try:
        head = sql(url, "SELECT COALESCE(MAX(seq), 0) AS head FROM journal")[0].head
        return find_exceptions(engine, law, head)
    finally:
        engine.dispose()


def codes(url, law=LAW):
    return [(f.seq, f.code) for f in findings(url, law)]


def with_history(*history, children=None, **changes):
    return case(children=children or [child()], history=history, claims=[], **changes)


# Children old enough for the levels their payouts name (rule book §3.3: SMP from 12, SMA from 15 on the year's
# first day), so a test about another rule finds only that rule.
IN_SMP_2021 = date(2009, 5, 15)  # 12 on 1 July 2021
IN_SMA_2022 = date(2007, 5, 15)  # 15 on 1 July 2022


# --------------------------------------------------------------------------------- the child's rules
def test_imported_history_for_a_year_the_child_began_at_23_is_found_and_one_day_younger_is_not(database):
    # Born 1 July 2002: 23 on 1 July 2025, the first day of 2025/2026 (I1); born 2 July 2002: still 22.
    register(database, with_history(payout("anak-1", "2025/2026", Level.PT),
                                    children=[child(born=date(2002, 7, 1))]))
    (found,) = findings(database)
    assert (found.seq, found.code, found.child_id, found.academic_year) == (1, "AGE_LIMIT", "anak-1", "2025/2026")
    assert found.values == {"birth_date": "2002-07-01", "test_day": "2025-07-01", "age": 23, "limit": 23}
    assert "usia 23 tahun pada 1 Juli 2025" in found.detail

    younger = attrs.evolve(with_history(payout("anak-1", "2025/2026", Level.PT),
                                        children=[child(born=date(2002, 7, 2))]), case_id="KC-PLG-2025-000124")
    register(database, younger)
    assert codes(database) == [(1, "AGE_LIMIT")]


def test_with_i1_read_as_the_submission_date_the_claims_date_is_the_test_day(database):
    late = case(children=[child(born=date(2002, 8, 1))],
                claims=[claim(year="2024/2025", level=Level.PT, submitted_on=date(2025, 8, 2))])
    register(database, late, pay=("klaim-1",))
    assert codes(database) == []  # 22 on 1 July 2024
    assert codes(database, law_with(I1="submission_date")) == [(1, "AGE_LIMIT")]  # 23 on 2 August 2025


def test_imported_history_for_sd_at_five_on_the_years_first_day_is_found_and_at_six_is_not(database):
    # Born 2 July 2018: 5 on 1 July 2024, the first day of 2024/2025; SD from 6 (rule book §3.3).
    register(database, with_history(payout("anak-1", "2024/2025", Level.SD), children=[child(born=date(2018, 7, 2))]))
    (found,) = findings(database)
    assert (found.seq, found.code, found.child_id, found.academic_year) == (1, "BELOW_SCHOOL_AGE", "anak-1",
                                                                            "2024/2025")
    assert found.values == {"birth_date": "2018-07-02", "test_day": "2024-07-01", "age": 5, "minimum": 6,
                            "interpretation": None}
    assert "jenjang SD paling rendah 6 tahun" in found.detail

    six = attrs.evolve(with_history(payout("anak-1", "2024/2025", Level.SD), children=[child(born=date(2018, 7, 1))]),
                       case_id="KC-PLG-2025-000124")
    register(database, six)
    assert codes(database) == [(1, "BELOW_SCHOOL_AGE")]


@pytest.mark.parametrize("field, code", [("married_on", "MARRIED"), ("employed_on", "EMPLOYED")])
def test_a_payout_for_a_year_that_began_on_or_after_the_child_married_or_started_work_is_found(
        database, field, code):
    history = [payout("anak-1", "2024/2025", Level.SMA), payout("anak-1", "2025/2026", Level.SMA)]
    register(database, with_history(*history, children=[child(born=IN_SMP_2021, **{field: date(2025, 7, 1)})]))
    assert codes(database) == [(2, code)]  # 1 July 2025 is 2025/2026's first day; 2024/2025 began before


def test_a_payout_for_a_year_that_ended_before_the_event_is_found(database):
    register(database, with_history(payout("anak-1", "2021/2022", Level.SMP), payout("anak-1", "2022/2023",
                                                                                      Level.SMP),
                                    children=[child(born=IN_SMP_2021)]))
    assert codes(database) == [(1, "BEFORE_EVENT")]  # the event was on 14 March 2023, within 2022/2023


# ---------------------------------------------------------------------------- amounts and limits
def test_a_payout_other_than_the_tables_amount_and_a_child_paid_over_the_child_cap_are_found(database):
    register(database, with_history(*(payout("anak-1", f"{y}/{y + 1}", Level.PT, 30 * M) for y in (2023, 2024, 2025)),
                                     children=[child(born=date(2004, 5, 15))]))
    assert codes(database) == [(1, "AMOUNT_NOT_AS_TABLE"), (2, "AMOUNT_NOT_AS_TABLE"), (3, "AMOUNT_NOT_AS_TABLE"),
                               (3, "CHILD_CAP_REACHED")]
    assert findings(database)[-1].values == {"paid": 90 * M, "cap": 87 * M}


def test_a_third_child_paid_is_over_the_schemes_two_children(database):
    three = with_history(payout("anak-1", "2024/2025", Level.SMA), payout("anak-2", "2024/2025", Level.SMA),
                         payout("anak-3", "2024/2025", Level.SMA), payout("anak-3", "2025/2026", Level.SMA),
                         children=[child(c, born=IN_SMP_2021) for c in ("anak-1", "anak-2", "anak-3")])
    register(database, three)
    assert codes(database) == [(3, "CHILD_LIMIT")]
    assert findings(database)[0].values == {"beneficiaries": ["anak-1", "anak-2", "anak-3"], "limit": 2}


# ---------------------------------------------------------------- written past the database's guards
SMA_DONE = with_history(*school_path("anak-1", sma=3, last="2024/2025"), children=[child(born=IN_SMA_2022)])


def test_payouts_beyond_a_level_groups_allowance_and_twice_in_a_year_are_found(database):
    register(database, SMA_DONE)
    behind_the_back(database, INSERT, drop=JOURNAL_GUARDS,
                    **forged_payout(4, CASE, "anak-1", "2025/2026", "SMA", "SMA", "KC-PLG", 3 * M))
    behind_the_back(database, INSERT, **forged_payout(5, CASE, "anak-1", "2025/2026", "SMA", "SMA", "KC-PLG", 3 * M))
    assert codes(database) == [(4, "LEVEL_YEARS_EXHAUSTED"), (5, "ALREADY_CLAIMED"), (5, "LEVEL_YEARS_EXHAUSTED")]
    assert findings(database)[0].values == {"level_group": "SMA", "years_used": 4, "allowance": 3}


def test_a_third_tk_year_is_over_the_tk_stage_though_within_tk_sds_eight(database):
    register(database, with_history(*school_path("anak-1", tk=2, last="2023/2024"),
                                    children=[child(born=date(2018, 3, 3))]))
    behind_the_back(database, INSERT, drop=JOURNAL_GUARDS,
                    **forged_payout(3, CASE, "anak-1", "2024/2025", "TK", "TK_SD", "KC-PLG", 1_500_000))
    (found,) = findings(database)
    assert (found.seq, found.code) == (3, "LEVEL_YEARS_EXHAUSTED")
    assert found.values == {"level_group": "TK_SD", "stage": "TK", "years_used": 3, "allowance": 2}


def test_the_caps_are_reached_exactly_without_a_finding_and_one_rupiah_over_with_one(database):
    register(database, with_history(children=[child("anak-1", born=IN_SMA_2022), child("anak-2", born=IN_SMA_2022)]))
    behind_the_back(database, INSERT, drop=JOURNAL_GUARDS,
                    **forged_payout(1, CASE, "anak-1", "2023/2024", "SMA", "SMA", "KC-PLG", 87 * M))
    behind_the_back(database, INSERT, **forged_payout(2, CASE, "anak-2", "2023/2024", "SMA", "SMA", "KC-PLG", 87 * M))
    assert [c for _, c in codes(database)] == ["AMOUNT_NOT_AS_TABLE", "AMOUNT_NOT_AS_TABLE"]
    behind_the_back(database, INSERT, **forged_payout(3, CASE, "anak-2", "2024/2025", "SMA", "SMA", "KC-PLG", 1))
    assert codes(database)[2:] == [(3, "AMOUNT_NOT_AS_TABLE"), (3, "CHILD_CAP_REACHED"), (3, "FAMILY_CAP_REACHED")]
    assert findings(database)[-1].values == {"paid": 174 * M + 1, "cap": 174 * M}


def test_a_maker_who_is_the_approver_under_another_spelling_is_found_though_the_database_took_it(database):
    register(database, with_history(children=[child(born=IN_SMP_2021)]))
    head = "0" * 64
    behind_the_back(database, INSERT, **{**forged_payout(1, CASE, "anak-1", "2024/2025", "SMA", "SMA", "KC-PLG",
                                                         3 * M, maker="Ani.Maker", approver="ani.maker "),
                                         "prev": head})
    (found,) = findings(database)
    assert (found.seq, found.code, found.values) == (1, "MAKER_IS_APPROVER",
                                                     {"maker": "Ani.Maker", "approver": "ani.maker "})


def test_a_deleted_entry_leaves_a_sequence_gap(database):
    service = register(database, case(), pay=("klaim-1",))
    service.reverse(1, reason="rekening salah", maker=MAKER, approver=APPROVER)
    service.pay(CASE, "klaim-1", maker=MAKER, approver=APPROVER, key="second")
    behind_the_back(database, "DELETE FROM journal WHERE seq = 2", drop=(("journal", "journal_no_delete"),))
    found = findings(database)
    assert [(f.seq, f.code) for f in found] == [(2, "SEQUENCE_GAP"), (3, "ALREADY_CLAIMED")]
    assert found[0].values == {"missing_from": 2, "missing_to": 2, "next_seq": 3}


def test_gaps_are_named_from_the_first_missing_number():
    assert [(f.seq, f.values) for f in sequence_gaps([1, 2, 5, 6, 8])] == [
        (3, {"missing_from": 3, "missing_to": 4, "next_seq": 5}), (7, {"missing_from": 7, "missing_to": 7,
                                                                        "next_seq": 8})]
    assert [f.seq for f in sequence_gaps([2])] == [1]
    assert list(sequence_gaps([1, 2, 3])) == []


# ------------------------------------------------------------------------------------------ accounts
def with_account(case_id, number, claim_id="klaim-1"):
    account = BankAccount("BRI", number, "Siti Aminah")
    return attrs.evolve(case(claims=[claim(claim_id, account=account)]), case_id=case_id)


def test_one_account_paid_for_two_families_is_found_on_each_payout_and_not_once_one_is_reversed(database):
    register(database, with_account("KC-PLG-2025-000001", "012345678901234"), pay=("klaim-1",))
    service = register(database, with_account("KC-PLG-2025-000002", "012345678901234"), pay=("klaim-1",))
    register(database, with_account("KC-PLG-2025-000003", "987654321098765"), pay=("klaim-1",))
    found = findings(database)
    assert [(f.seq, f.code, f.case_id) for f in found] == [
        (1, "ACCOUNT_ON_SEVERAL_FAMILIES", "KC-PLG-2025-000001"),
        (2, "ACCOUNT_ON_SEVERAL_FAMILIES", "KC-PLG-2025-000002")]
    assert found[0].values == {"account_number": "012345678901234", "banks": ["BRI"],
                               "cases": ["KC-PLG-2025-000001", "KC-PLG-2025-000002"]}
    service.reverse(2, reason="rekening bukan milik anak", maker=MAKER, approver=APPROVER)
    assert codes(database) == []


# ------------------------------------------------------------------------------------ the command
def test_a_clean_journal_says_no_exceptions_and_exits_0(database):
    register(database, case(history=school_path("anak-1", smp=2, last="2024/2025")), pay=("klaim-1",))
    result = run("ledger", "exceptions", "--db", database)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("tidak ada pengecualian; ujung jurnal: seq 3, hash ")


def test_findings_are_listed_one_a_line_and_exit_1_for_an_auditors_script(database):
    register(database, with_history(payout("anak-1", "2025/2026", Level.PT),
                                    children=[child(born=date(2002, 7, 1), married_on=date(2024, 1, 1))]))
    result = run("ledger", "exceptions", "--db", database)
    assert result.exit_code == 1
    assert "AGE_LIMIT" in result.stdout and "MARRIED" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("ujung jurnal: seq 1, hash ")
    csv_result = run("ledger", "exceptions", "--format", "csv", "--db", database)
    assert csv_result.exit_code == 1
    assert csv_result.stdout.splitlines()[0] == '"seq","rule","case_id","child_id","academic_year","detail","values"'
    assert [line.split(",")[:2] for line in csv_result.stdout.splitlines()[1:]] == [
        ["1", '"AGE_LIMIT"'], ["1", '"MARRIED"']]
