"""Finance's two questions: next year's claims projected from this year's and decided by the real rules
(`forecast`), and the same projected claims under a reform (`whatif`). A reform of nothing changes nothing; a
raise from a date changes exactly the claims of the years from that date, each by the difference, except where a
cap binds; raising amounts never lowers a claim nor changes an outcome; the last year of a schooling and the age
limit end the projection."""

import datetime as dt
from fractions import Fraction

import attrs
import pytest
from builders import LAW, case, child, claim, participant, payout
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflow_support import taken, url_of, wf_sqlite  # noqa: F401 - the fixture
from ledger_support import beasiswa

from beasiswa.budget.assumptions import NO_RATES, load_assumptions
from beasiswa.budget.projection import PATH, REPEAT, Held, project
from beasiswa.budget.service import forecast
from beasiswa.budget.tally import compare, decide_projected, percent, summarise
from beasiswa.law.reform import apply_reform, parse_reform
from beasiswa.model import AcademicYear, Code, Level, Outcome
from beasiswa.rules import decide

date = dt.date
NEXT = AcademicYear(2026)  # 2026/2027, projected from the claims of 2025/2026
ASSUMED = load_assumptions()


def held(a_case) -> Held:
    """A case as the database would hold it once its claims are decided."""
    return Held(a_case, {d.claim: d.amount for d in decide(a_case, LAW).decisions if d.amount})


def one_child(case_id: str, level: str, born: dt.date, *, history=(), office: str = "KC-PLG", **child_changes):
    return case(case_id=case_id, office=office, children=[child(born=born, **child_changes)], history=list(history),
                claims=[claim(level=level, institution="Sekolah")])


def reform(*changes: dict):
    return parse_reform({"id": "uji", "title": "Usulan uji", "citation": "Usulan uji", "change": list(changes)},
                        "uji.toml")


def sma_raise(day: dt.date, amount: int = 4_000_000):
    return reform({"scheme": "PP-82-2019", "parameter": "level_groups.SMA.amount", "from": day, "value": amount})


# A family of each level, in two offices; one SMA child near the per-child maximum (Rp83.500.000 paid once this
# year's Rp3.000.000 is counted): Rp3.000.000 more fits it, Rp4.000.000 does not.
NEAR_THE_CAP = [payout("anak-1", str(AcademicYear(y)), "TK" if y < 2018 else "SD", 11_500_000) for y in range(2016, 2023)]
FAMILIES = [
    one_child("KC-PLG-2025-000001", "SD", date(2016, 3, 1)),
    one_child("KC-PLG-2025-000002", "SMP", date(2012, 3, 1)),
    one_child("KC-PLG-2025-000003", "SMA", date(2010, 5, 15)),
    one_child("KC-SBY-2025-000004", "SMA", date(2010, 5, 15), office="KC-SBY"),
    one_child("KC-SBY-2025-000005", "S1", date(2006, 3, 1), office="KC-SBY"),
    one_child("KC-PLG-2025-000006", "SMA", date(2010, 5, 15), history=NEAR_THE_CAP),
]


def whatif_of(families, the_reform, year=NEXT, assumptions=ASSUMED):
    reformed = apply_reform(LAW, the_reform)
    projected = project([held(f) for f in families], year, LAW, assumptions)
    return compare(projected, LAW, reformed)


# --- a reform of nothing ------------------------------------------------------------------------------------


def test_a_reform_with_no_change_changes_nothing_anywhere():
    result = whatif_of(FAMILIES, reform())
    assert result.rows and all(r.change == 0 for r in result.rows) and result.change == 0 and not result.changed


def test_a_reform_restating_the_amounts_from_a_date_changes_nothing_anywhere():
    result = whatif_of(FAMILIES, sma_raise(date(2026, 7, 1), 3_000_000))
    assert all(b.amount == a.amount and b.outcome is a.outcome for b, a in result.pairs)
    assert result.change == 0 and percent(result.change, result.baseline) == "0,0%"


# --- a raise from a date ------------------------------------------------------------------------------------


def test_raising_sma_from_the_years_first_day_changes_exactly_the_sma_claims_by_the_difference_but_the_capped():
    result = whatif_of(FAMILIES, sma_raise(date(2026, 7, 1)))
    changes = {(b.claim.case_id, b.claim.variant): (b.level_group, a.amount - b.amount) for b, a in result.pairs
               if b.claim.weight}
    for (case_id, _variant), (group, change) in changes.items():
        if case_id == "KC-PLG-2025-000006":
            continue
        assert change == (1_000_000 if group == "SMA" else 0), case_id
    capped = [(b, a) for b, a in result.pairs if b.claim.case_id == "KC-PLG-2025-000006" and b.claim.variant == PATH]
    [(before, after)] = capped
    assert (before.outcome, before.amount) == (Outcome.APPROVED, 3_000_000)
    assert (after.outcome, after.amount, after.codes) == (Outcome.REJECTED, 0, (Code.CHILD_CAP_REACHED,))
    assert [e.claim.case_id for e in result.changed] == ["KC-PLG-2025-000006"] and not result.changed[0].gains


def test_raising_sma_from_a_day_after_the_years_first_day_changes_nothing_that_year():
    result = whatif_of(FAMILIES, sma_raise(date(2026, 7, 2)))
    assert result.change == 0


def test_raising_sma_from_a_date_changes_no_claim_of_the_years_before_it():
    earlier = [attrs.evolve(f, claims=tuple(attrs.evolve(c, academic_year=AcademicYear(2024),
                                                         submitted_on=date(2024, 7, 21)) for c in f.claims))
               for f in FAMILIES]
    result = whatif_of(earlier, sma_raise(date(2026, 7, 1)), year=AcademicYear(2025))
    assert result.pairs and result.change == 0


def test_the_whatif_sums_by_office_and_level_group_in_whole_rupiah_with_the_change_in_percent():
    result = whatif_of(FAMILIES, sma_raise(date(2026, 7, 1)), assumptions=NO_RATES)
    rows = {(r.office, r.level_group): r for r in result.rows}
    assert (rows[("KC-SBY", "SMA")].baseline, rows[("KC-SBY", "SMA")].reform) == (3_000_000, 4_000_000)
    assert percent(rows[("KC-SBY", "SMA")].change, rows[("KC-SBY", "SMA")].baseline) == "+33,3%"
    assert all(isinstance(r.baseline, int) and isinstance(r.reform, int) for r in result.rows)


# --- a new level group from a date -----------------------------------------------------------------------------


def vokasi(day: dt.date = date(2026, 7, 1), levels=("D1", "D2", "D3")):
    return parse_reform({"id": "uji", "title": "Usulan uji", "citation": "Usulan uji", "group": [
        {"scheme": "PP-82-2019", "id": "VOKASI", "name": "Vokasi", "from": day, "levels": list(levels),
         "amount": 9_000_000, "years": 3}]}, "uji.toml")


def test_a_new_level_group_changes_exactly_the_claims_at_its_levels_by_the_difference_and_nothing_else():
    diploma = [one_child("KC-SBY-2025-000020", "D3", date(2006, 3, 1), office="KC-SBY"),
               one_child("KC-SBY-2025-000021", "D1", date(2006, 3, 1), office="KC-SBY")]
    result = whatif_of(FAMILIES + diploma, vokasi(), assumptions=NO_RATES)
    changes = {b.claim.case_id: (a.level_group, a.amount - b.amount) for b, a in result.pairs if b.claim.weight}
    assert changes["KC-SBY-2025-000020"] == changes["KC-SBY-2025-000021"] == ("VOKASI", -3_000_000)
    assert all(change == 0 for case_id, (_group, change) in changes.items() if case_id not in
               {"KC-SBY-2025-000020", "KC-SBY-2025-000021"})
    rows = {(r.office, r.level_group): r for r in result.rows}
    assert (rows[("KC-SBY", "VOKASI")].baseline, rows[("KC-SBY", "VOKASI")].reform) == (24_000_000, 18_000_000)
    assert len(result.pairs) == len(project([held(f) for f in FAMILIES + diploma], NEXT, LAW, NO_RATES))


def test_a_new_level_group_counts_the_years_already_paid_at_its_levels():
    three_years = [payout("anak-1", str(AcademicYear(y)), "D3", 12_000_000) for y in (2023, 2024)]
    fourth = one_child("KC-SBY-2025-000022", "D3", date(2004, 3, 1), office="KC-SBY", history=three_years)
    result = whatif_of([fourth], vokasi(), assumptions=NO_RATES)
    [(before, after)] = [(b, a) for b, a in result.pairs if b.claim.variant == REPEAT or b.claim.weight]
    assert (before.outcome, before.amount) == (Outcome.APPROVED, 12_000_000)  # PT allows 5 years
    assert (after.outcome, after.amount) == (Outcome.REJECTED, 0)  # the new group 3, all paid
    assert result.changed and not result.changed[0].gains


def test_a_new_level_group_from_a_day_after_the_years_first_day_changes_nothing_that_year():
    diploma = one_child("KC-SBY-2025-000023", "D3", date(2006, 3, 1), office="KC-SBY")
    assert whatif_of([diploma], vokasi(date(2026, 7, 2)), assumptions=NO_RATES).change == 0


@pytest.mark.parametrize("field, value, message", [
    ("levels", ["D3", "S2"], r"group\[0\]\.levels: 'S2' is not covered by PP-82-2019"),
    ("levels", ["D5"], r"group\[0\]\.levels: 'D5' is not a level; known: "),
    ("levels", ["SD"], r"group\[0\]\.levels: 'SD' is in a stage of TK_SD"),
    ("levels", ["SMA", "SMK", "MA"], r"group\[0\]\.levels: \['MA', 'SMA', 'SMK'\] would leave group SMA with no level"),
    ("levels", [], r"group\[0\]\.levels: \[\] is not a list of levels"),
    ("id", "SMA", r"group\[0\]\.id: 'SMA' is already a level group of PP-82-2019"),
    ("amount", "9000000", r"group\[0\]\.amount: '9000000' is not a whole number above 0"),
    ("years", 0, r"group\[0\]\.years: 0 is not a whole number above 0"),
    ("from", None, r"group\[0\]\.from: None is not a date"),
    ("from", date(2019, 12, 2), r"group\[0\]\.from: 2019-12-02 is not after the scheme's start"),
    ("scheme", "PP-1-2030", r"group\[0\]\.scheme: 'PP-1-2030' is not a scheme"),
    ("citation", " ", r"group\[0\]\.citation: ' ': every value needs its basis"),
])
def test_a_bad_new_level_group_is_refused_naming_the_field_and_the_value(field, value, message):
    group = {"scheme": "PP-82-2019", "id": "VOKASI", "name": "Vokasi", "from": date(2026, 7, 1),
             "levels": ["D3"], "amount": 9_000_000, "years": 3, field: value}
    from beasiswa.law import LawError
    with pytest.raises(LawError, match=r"^uji\.toml: " + message):
        apply_reform(LAW, parse_reform({"id": "uji", "title": "Usulan uji", "citation": "Usulan uji",
                                        "group": [group]}, "uji.toml"), "uji.toml")


def test_the_sample_reforms_load():
    from pathlib import Path

    from beasiswa.law.reform import read_reform
    for path in sorted((Path(__file__).parent.parent / "fixtures" / "reforms").glob("*.toml")):
        apply_reform(LAW, read_reform(path), path.name)


# --- the projection ends where the schooling or the age ends -------------------------------------------------


def test_children_all_in_their_last_year_project_no_claim():
    last_years = [one_child("KC-PLG-2025-000011", "S1", date(2003, 9, 1)),  # 21: S1's 4th year by age
                  one_child("KC-PLG-2025-000012", "D3", date(2004, 9, 1),
                            ),  # 20: D3's 3rd year by age
                  one_child("KC-PLG-2025-000013", "PELATIHAN", date(2005, 9, 1))]
    assert project([held(f) for f in last_years], NEXT, LAW, ASSUMED) == []


def test_a_child_at_the_last_year_of_sma_moves_on_to_s1_and_for_the_repeating_share_stays():
    [onward, repeating] = project([held(one_child("KC-PLG-2025-000014", "SMA", date(2008, 3, 1)))], NEXT, LAW, ASSUMED)
    assert (onward.variant, [c.level for c in onward.claims]) == (PATH, [Level.S1])
    assert (repeating.variant, [c.level for c in repeating.claims]) == (REPEAT, [Level.SMA])
    assert onward.claims[0].weight == Fraction(92, 100) * Fraction(98, 100)  # PT stays 92%, SMA moves on 98%
    assert repeating.claims[0].weight == Fraction(96, 100) * Fraction(2, 100)


@pytest.mark.parametrize(("born", "projected"), [(date(2003, 7, 1), False), (date(2003, 7, 2), True)])
def test_a_child_turning_23_before_or_on_1_july_is_not_projected_a_day_younger_is(born, projected):
    s1 = one_child("KC-PLG-2025-000015", "S1", born)
    s1 = attrs.evolve(s1, children=(attrs.evolve(s1.children[0], birth_date=born),))
    second_year = attrs.evolve(s1, history=(payout("anak-1", "2024/2025", "S1"),))  # not at S1's end by years
    cases = project([Held(second_year, {"klaim-1": 12_000_000})], NEXT, LAW, NO_RATES)
    assert bool(cases) is projected


def test_a_child_married_before_the_year_is_not_projected():
    married = one_child("KC-PLG-2025-000016", "SMP", date(2012, 3, 1), married_on=date(2026, 6, 1))
    assert project([Held(married, {"klaim-1": 2_000_000})], NEXT, LAW, ASSUMED) == []


def test_a_reform_raising_the_age_limit_projects_the_children_it_would_pay_and_says_they_gain():
    turning_23 = one_child("KC-PLG-2025-000017", "S1", date(2003, 6, 1))
    turning_23 = attrs.evolve(turning_23, history=(payout("anak-1", "2024/2025", "S1"),),
                              children=(attrs.evolve(turning_23.children[0], birth_date=date(2003, 6, 1)),))
    older = reform({"scheme": "PP-82-2019", "parameter": "age_limit_years", "from": date(2026, 7, 1), "value": 24})
    reformed = apply_reform(LAW, older)
    from beasiswa.budget.service import age_limit
    projected = project([Held(turning_23, {"klaim-1": 12_000_000})], NEXT, LAW, NO_RATES,
                        age_limit([LAW, reformed], NEXT))
    result = compare(projected, LAW, reformed)
    [gained] = result.changed
    assert gained.gains and gained.baseline_codes == (Code.AGE_LIMIT,)
    assert result.change == 12_000_000


# --- the forecast ---------------------------------------------------------------------------------------------


def test_the_forecast_counts_and_sums_by_office_and_level_group_and_names_the_capped_families():
    projected = project([held(f) for f in FAMILIES], NEXT, LAW, NO_RATES)
    result = summarise(decide_projected(projected, LAW))
    rows = {(r.office, r.level_group): (r.projected, r.amount) for r in result.rows}
    assert rows[("KC-PLG", "SMA")] == (2, 6_000_000)
    assert rows[("KC-SBY", "PT")] == (1, 12_000_000)
    assert result.total_amount == sum(r.amount for r in result.rows)
    assert result.capped_families == ()
    assert result.peak_month == (2026, 7, result.total_amount)  # every claim a year after this year's July one


def test_the_forecast_of_a_database_reads_this_years_approved_claims(wf_sqlite):
    for family in FAMILIES[:3]:
        taken(wf_sqlite, family)
    question, result = forecast(wf_sqlite.engine, NEXT, LAW)
    assert question.cases == 3
    assert {(r.office, r.level_group) for r in result.rows} == {("KC-PLG", "TK_SD"), ("KC-PLG", "SMP"),
                                                                  ("KC-PLG", "SMA")}


def test_forecast_and_whatif_on_the_command_line(wf_sqlite, tmp_path):
    for family in FAMILIES:
        taken(wf_sqlite, family, as_="eko" if family.office == "KC-SBY" else "ani")
    url = url_of(wf_sqlite)
    run = beasiswa("forecast", "--year", "2026/2027", "--db", url)
    assert run.returncode == 0, run.stderr
    assert "Perkiraan beasiswa tahun ajaran 2026/2027" in run.stdout and "KC-SBY" in run.stdout
    run = beasiswa("whatif", "fixtures/reforms/sma-4-juta-2026.toml", "--year", "2026/2027", "--db", url,
                   "--out", str(tmp_path / "keluar"))
    assert run.returncode == 0, run.stderr
    assert "tidak lagi berhak: 1 klaim" in run.stdout
    written = sorted(p.name for p in (tmp_path / "keluar").iterdir())
    assert written == ["whatif.csv", "whatif.png", "whatif.svg", "whatif.xlsx"]
    csv_text = (tmp_path / "keluar" / "whatif.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0] == "kantor,jenjang,perkiraan_klaim,sekarang_rp,usulan_rp,selisih_rp,selisih_persen"


def test_a_reform_the_law_refuses_exits_2_naming_the_parameter_and_the_date(wf_sqlite, tmp_path):
    bad = tmp_path / "mundur.toml"
    bad.write_text('id = "mundur"\ntitle = "x"\ncitation = "Usulan"\n[[change]]\nscheme = "PP-82-2019"\n'
                   'parameter = "family_cap"\nfrom = 2018-07-01\nvalue = 200_000_000\n', encoding="utf-8")
    run = beasiswa("whatif", str(bad), "--year", "2026/2027", "--db", url_of(wf_sqlite), "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert "mundur.toml (PP-82-2019): family_cap[1].from: 2018-07-01 is before the existing value from 2019-12-02" \
        in run.stderr
    assert not (tmp_path / "o").exists()


def test_a_year_that_is_not_one_exits_2_naming_the_option(wf_sqlite):
    run = beasiswa("forecast", "--year", "2026/2028", "--db", url_of(wf_sqlite))
    assert run.returncode == 2 and "--year" in run.stderr


# --- the property ---------------------------------------------------------------------------------------------

LEVELS = ["TK", "SD", "SMP", "SMA", "SMK", "S1", "D3", "PELATIHAN"]
GROUPS = ["TK_SD", "SMP", "SMA", "PT"]


@st.composite
def families(draw):
    made = []
    for n in range(draw(st.integers(1, 4))):
        kids = []
        claims = []
        for k in range(draw(st.integers(1, 2))):
            born = date(draw(st.integers(2004, 2020)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
            kids.append(child(f"anak-{k + 1}", born))
            claims.append(claim(f"klaim-{k + 1}", f"anak-{k + 1}", level=draw(st.sampled_from(LEVELS)),
                                institution="Sekolah"))
        made.append(case(case_id=f"KC-PLG-2025-{n:06d}", children=kids, claims=claims,
                         participant=participant(contribution_months=draw(st.integers(0, 60)))))
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(families=families(), raises=st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 20_000_000), min_size=1),
       day=st.dates(date(2019, 12, 3), date(2028, 7, 1)))
def test_a_reform_that_only_raises_amounts_never_lowers_a_claim_nor_changes_an_outcome(families, raises, day):
    law_now = LAW.dated_scheme("PP-82-2019").on(day)
    changes = [{"scheme": "PP-82-2019", "parameter": f"level_groups.{g}.amount", "from": day,
                "value": law_now.level_group_by_id(g).amount.value + extra} for g, extra in raises.items()]
    result = whatif_of(families, reform(*changes))
    for before, after in result.pairs:
        assert after.amount >= before.amount
        assert after.outcome is before.outcome
