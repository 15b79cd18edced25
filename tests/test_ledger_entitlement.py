"""`beasiswa ledger entitlement CASE`: per child the years used per level group (TK and SD stages inside
TK–SD), paid and remaining; per family the cap, paid and remaining; from the ledger and the law data."""

import json

from beasiswa.db import make_engine
from beasiswa.ledger.entitlement import read_entitlement
from beasiswa.model import Level
from audit_support import run
from builders import EVENT_UNDER_PP_44_2015, LAW, date, payout
from ledger_support import APPROVER, MAKER, approved, case, child, claim, database, ledger, school_path  # noqa: F401

M = 1_000_000
# anak-1: TK 2 and SD 1 in history, SD 2025/2026 claimed; anak-2: SMA 2 in history.
FAMILY = case(children=[child("anak-1", born=date(2019, 3, 3)), child("anak-2", born=date(2008, 1, 9))],
              history=[*school_path("anak-1", tk=2, sd=1, last="2024/2025"),
                       *school_path("anak-2", sma=2, last="2024/2025")],
              claims=[claim("klaim-1", "anak-1", level=Level.SD)])


def recorded(url, a_case=FAMILY, decision=None, pay=("klaim-1",)):
    service = ledger(url)
    service.register(a_case, decision or approved(a_case), maker=MAKER, approver=APPROVER)
    entries = [service.pay(a_case.case_id, c, maker=MAKER, approver=APPROVER).entry for c in pay]
    return service, entries


def entitlement(url, case_id=FAMILY.case_id):
    engine = make_engine(url)
    try:
        return read_entitlement(engine, case_id, LAW)
    finally:
        engine.dispose()


def group(child_entitlement, group_id):
    (found,) = [g for g in child_entitlement.groups if g.group_id == group_id]
    return found


def test_each_childs_years_are_counted_per_level_group_with_the_tk_and_sd_stages_inside_tk_sd(database):
    recorded(database)
    younger, elder = (c for c in sorted(entitlement(database).children, key=lambda c: c.child_id))
    tk_sd = group(younger, "TK_SD")
    assert (tk_sd.used, tk_sd.allowance, tk_sd.remaining) == (4, 8, 4)
    assert tk_sd.years == ("2022/2023", "2023/2024", "2024/2025", "2025/2026")
    assert [(s.stage_id, s.used, s.allowance, s.remaining) for s in tk_sd.stages] == [("TK", 2, 2, 0),
                                                                                       ("SD", 2, 6, 4)]
    sma = group(elder, "SMA")
    assert (sma.used, sma.remaining, sma.years) == (2, 1, ("2023/2024", "2024/2025"))
    assert (group(elder, "PT").used, group(elder, "PT").remaining) == (0, 5)


def test_money_is_counted_per_child_against_the_child_cap_and_per_family_against_the_family_cap(database):
    recorded(database)
    e = entitlement(database)
    paid = {c.child_id: (c.paid, c.cap, c.remaining) for c in e.children}
    assert paid == {"anak-1": (6 * M, 87 * M, 81 * M), "anak-2": (6 * M, 87 * M, 81 * M)}
    assert (e.cap, e.paid, e.remaining) == (174 * M, 12 * M, 162 * M)
    assert (e.children_limit, sorted(e.beneficiaries)) == (2, ["anak-1", "anak-2"])


def test_a_reversed_payout_gives_its_year_and_its_money_back(database):
    service, (paid,) = recorded(database)
    service.reverse(paid.seq, reason="salah jenjang", maker=MAKER, approver=APPROVER)
    younger = [c for c in entitlement(database).children if c.child_id == "anak-1"][0]
    assert (group(younger, "TK_SD").used, younger.paid) == (3, 4_500_000)
    assert entitlement(database).paid == 10_500_000


def test_a_lump_sum_case_has_a_family_cap_and_no_years_or_child_cap_to_count(database):
    lump = case(event=EVENT_UNDER_PP_44_2015, claims=[],
                history=[payout("anak-1", "2018/2019", Level.SMP, 12 * M)])
    recorded(database, lump, approved(lump, scheme="PP-44-2015"), pay=())
    e = entitlement(database)
    (only,) = e.children
    assert (e.scheme_id, e.cap, e.paid, e.remaining, e.children_limit) == ("PP-44-2015", 12 * M, 12 * M, 0, 1)
    assert (only.cap, only.remaining, group(only, "SMP").allowance, group(only, "SMP").remaining) == (
        None, None, None, None)
    assert group(only, "SMP").used == 1


def test_the_command_shows_the_family_and_each_child_in_indonesian(database):
    recorded(database)
    result = run("ledger", "entitlement", FAMILY.case_id, "--db", database)
    assert result.exit_code == 0, result.output
    assert "Keluarga: batas Rp174.000.000,00, dibayar Rp12.000.000,00, sisa Rp162.000.000,00" in result.stdout
    assert "TK/PAUD" in result.stdout and "2025/2026" in result.stdout


def test_the_command_gives_json_for_scripts(database):
    recorded(database)
    result = run("ledger", "entitlement", FAMILY.case_id, "--format", "json", "--db", database)
    data = json.loads(result.stdout)
    assert data["family"] == {"cap": 174 * M, "paid": 12 * M, "remaining": 162 * M, "children_limit": 2,
                              "beneficiaries": ["anak-2", "anak-1"]}
    elder = data["children"][0]
    assert (elder["child"], elder["paid"], elder["remaining"]) == ("anak-2", 6 * M, 81 * M)


def test_a_case_not_in_the_ledger_is_refused_with_status_2_naming_it(database):
    recorded(database)
    result = run("ledger", "entitlement", "KC-XXX-0000", "--db", database)
    assert result.exit_code == 2
    assert "ID_KASUS: 'KC-XXX-0000' tidak terdaftar di buku besar" in result.stderr
