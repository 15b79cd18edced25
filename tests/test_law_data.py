"""The regulation as data: the values say what the rule book says, exactly one scheme is in force on every
day from PP 44/2015's start, and data that is not sound is refused at load time, naming the file and field."""

import datetime as dt
import shutil

import pytest
from builders import LAW, PP_44_2015, PP_82_2019

from beasiswa.law import Benefit, Cited, LawError, NoSchemeInForce, load_law
from beasiswa.law.load import DATA_DIR
from beasiswa.model import AcademicYear, EventKind, Level

# --- the values are the rule book's ---------------------------------------------------------------------


@pytest.mark.parametrize(("level", "amount", "years"), [
    (Level.TK, 1_500_000, 8), (Level.SD, 1_500_000, 8), (Level.SMP, 2_000_000, 3), (Level.SMA, 3_000_000, 3),
    (Level.PT, 12_000_000, 5), (Level.PELATIHAN, 12_000_000, 5),
])
def test_pp_82_2019_pays_the_rule_books_amount_per_year_for_the_rule_books_number_of_years(level, amount, years):
    group = PP_82_2019.level_group(level)
    assert (group.amount.value, group.years.value) == (amount, years)


def test_within_tk_sd_tk_is_paid_at_most_2_years_and_sd_at_most_6():
    group = PP_82_2019.level_group(Level.TK)
    assert {stage.id: stage.years.value for stage in group.stages} == {"TK": 2, "SD": 6}
    assert group.stage_of(Level.PAUD).id == "TK" and group.stage_of(Level.MI).id == "SD"


@pytest.mark.parametrize(("equivalent", "level"), [
    (Level.PAUD, Level.TK), (Level.MI, Level.SD), (Level.MTS, Level.SMP), (Level.SMK, Level.SMA),
    (Level.MA, Level.SMA), (Level.D1, Level.PT), (Level.D2, Level.PT), (Level.D3, Level.PT), (Level.D4, Level.PT),
    (Level.S1, Level.PT), (Level.PELATIHAN, Level.PT),
])
def test_an_equivalent_level_belongs_to_the_same_group_as_its_level(equivalent, level):
    assert PP_82_2019.level_group(equivalent) is PP_82_2019.level_group(level)


def test_pp_82_2019_limits_are_2_children_87_juta_per_child_and_174_juta_per_family():
    assert PP_82_2019.children_limit.value == 2
    assert PP_82_2019.child_cap.value == 87_000_000
    assert PP_82_2019.family_cap.value == 174_000_000


def test_the_year_allowances_at_their_amounts_add_up_to_the_child_cap():
    total = sum(g.amount.value * g.years.value for g in PP_82_2019.level_groups)
    assert total == PP_82_2019.child_cap.value


def test_jkm_death_needs_36_months_under_pp_82_2019_and_60_under_pp_44_2015_work_accidents_none():
    for scheme, jkm in ((PP_82_2019, 36), (PP_44_2015, 60)):
        months = {rule.kind: rule.minimum_contribution_months.value for rule in scheme.events}
        assert months == {EventKind.DEATH: jkm, EventKind.WORK_ACCIDENT_DEATH: 0,
                          EventKind.WORK_ACCIDENT_DISABILITY: 0}


def test_employer_arrears_of_more_than_3_months_withhold_the_benefit_under_both_schemes():
    assert PP_82_2019.arrears_limit_months.value == PP_44_2015.arrears_limit_months.value == 3


def test_pp_44_2015_pays_12_juta_once_per_participant_to_one_child():
    assert PP_44_2015.benefit is Benefit.LUMP_SUM
    assert PP_44_2015.lump_sum.value == PP_44_2015.family_cap.value == 12_000_000
    assert PP_44_2015.children_limit.value == 1


def test_s2_and_s3_are_not_covered_by_either_scheme():
    for scheme in LAW.schemes:
        assert scheme.not_covered_levels.value == {Level.S2, Level.S3}
        assert scheme.amount_for(Level.S2) is None and scheme.amount_for(Level.S3) is None


def test_both_schemes_name_the_highest_education_they_pay_for_with_its_citation():
    for scheme in LAW.schemes:
        assert scheme.covered_up_to.value == "S1 atau D4, atau pelatihan"
        assert scheme.covered_up_to.citation == scheme.not_covered_levels.citation


def _cited(obj):
    if isinstance(obj, Cited):
        yield obj
    elif isinstance(obj, tuple):
        for item in obj:
            yield from _cited(item)
    elif hasattr(obj, "__attrs_attrs__"):
        for field in obj.__attrs_attrs__:
            yield from _cited(getattr(obj, field.name))


def test_every_value_of_every_scheme_carries_its_citation():
    for scheme in LAW.schemes:
        values = list(_cited(scheme))
        assert scheme.family_cap in values and scheme.events[0].minimum_contribution_months in values
        assert all(v.citation.strip() for v in values)


def test_every_interpretation_of_the_rule_book_is_a_named_entry_with_its_reading_and_reason():
    ids = {i.id for i in LAW.interpretations}
    assert ids >= {f"I{n}" for n in range(1, 11)} | {"P1", "P2", "P3", "P4"}
    for item in LAW.interpretations:
        assert item.reading.strip() and item.reason.strip() and item.setting.strip()


def test_the_academic_year_2025_2026_runs_from_1_july_2025_to_30_june_2026():
    year = AcademicYear(2025)
    assert (LAW.year_start(year), LAW.year_end(year)) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert LAW.year_on(dt.date(2025, 6, 30)) == AcademicYear(2024)
    assert LAW.year_on(dt.date(2025, 7, 1)) == AcademicYear(2025)


# --- exactly one scheme on every day ---------------------------------------------------------------------


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_every_day_from_1_july_2015_to_2030_has_exactly_one_scheme_in_force():
    in_force = {}
    for day in _days(dt.date(2015, 7, 1), dt.date(2030, 12, 31)):
        in_force[day] = LAW.scheme_on(day).id  # raises NoSchemeInForce for none or two
        assert sum(s.in_force_on(day) for s in LAW.schemes) == 1
    assert len(in_force) == 5663


def test_pp_44_2015_applies_up_to_1_december_2019_and_pp_82_2019_from_2_december_2019():
    assert LAW.scheme_on(dt.date(2015, 7, 1)) is PP_44_2015
    assert LAW.scheme_on(dt.date(2019, 12, 1)) is PP_44_2015
    assert LAW.scheme_on(dt.date(2019, 12, 2)) is PP_82_2019
    assert LAW.scheme_on(dt.date(2030, 12, 31)) is PP_82_2019


def test_no_day_of_2015_before_1_july_has_a_scheme_and_asking_raises_rather_than_paying_nothing():
    for day in _days(dt.date(2015, 1, 1), dt.date(2015, 6, 30)):
        with pytest.raises(NoSchemeInForce, match=day.isoformat()):
            LAW.scheme_on(day)


# --- unsound data is refused at load time ---------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the law data to spoil."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _spoil(data_dir, file: str, old: str, new: str) -> None:
    path = data_dir / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{file} no longer holds {old!r}: update the test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_copy_of_the_data_loads_as_the_shipped_law(data_dir):
    assert load_law(data_dir) == LAW


def test_a_value_with_an_empty_citation_is_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "pp-82-2019.toml",
           'citation = "PP 82/2019, ketentuan penutup: mulai berlaku pada tanggal diundangkan"', 'citation = " "')
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: effective_from\.citation: every value needs its legal"):
        load_law(data_dir)


def test_a_value_without_a_citation_field_is_refused_naming_the_file_the_parameter_and_the_date(data_dir):
    _spoil(data_dir, "pp-82-2019.toml", '[[children_limit]]\nfrom = 2019-12-02\nvalue = 2\ncitation = "PP 82/2019, '
           'JKK dan JKM: beasiswa pendidikan anak diberikan untuk paling banyak 2 (dua) orang anak"\n',
           '[[children_limit]]\nfrom = 2019-12-02\nvalue = 2\n')
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: children_limit\[0\]\.citation: the value from 2019-12-02 "
                                       r"has no citation"):
        load_law(data_dir)


def test_overlapping_schemes_are_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "pp-44-2015.toml", "value = 2019-12-01", "value = 2019-12-02")
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: effective_from: 2019-12-02 overlaps PP-44-2015"):
        load_law(data_dir)


def test_a_day_between_two_schemes_under_neither_is_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "pp-44-2015.toml", "value = 2019-12-01", "value = 2019-11-30")
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: effective_from: 2019-12-02 leaves days after PP-44-2015"):
        load_law(data_dir)


def test_a_level_in_two_groups_is_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "pp-82-2019.toml", 'levels = ["SMP", "MTS"]', 'levels = ["SMP", "MTS", "SD"]')
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\[1\]\.levels: 'SD' is already in group"):
        load_law(data_dir)


def test_an_interpretation_setting_the_rules_do_not_implement_is_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "interpretations.toml", 'setting = "fixed"', 'setting = "eldest_first"')
    with pytest.raises(LawError, match=r"^interpretations\.toml: interpretation\[2\]\.setting: 'eldest_first' is not"):
        load_law(data_dir)


def test_a_missing_interpretation_is_refused_naming_the_file_and_the_interpretation(data_dir):
    text = (data_dir / "interpretations.toml").read_text(encoding="utf-8")
    i5 = text[text.index('[[interpretation]]\nid = "I5"'):text.index('[[interpretation]]\nid = "I6"')]
    _spoil(data_dir, "interpretations.toml", i5, "")
    with pytest.raises(LawError, match=r"^interpretations\.toml: interpretation 'I5' is missing"):
        load_law(data_dir)


def test_a_number_written_as_text_is_refused_naming_the_file_and_the_field(data_dir):
    _spoil(data_dir, "pp-82-2019.toml", "[[arrears_limit_months]]\nfrom = 2019-12-02\nvalue = 3\n",
           '[[arrears_limit_months]]\nfrom = 2019-12-02\nvalue = "3"\n')
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: arrears_limit_months\.value: '3' is not a whole number"):
        load_law(data_dir)


def test_a_year_allowance_written_as_text_is_refused_naming_the_group_in_the_path(data_dir):
    _spoil(data_dir, "pp-82-2019.toml", 'years = [{ from = 2019-12-02, value = 3, citation = "PP 82/2019, JKK dan JKM: '
           'sekolah menengah pertama', 'years = [{ from = 2019-12-02, value = "3", citation = "PP 82/2019, JKK dan JKM: '
           'sekolah menengah pertama')
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\[1\]\.years\.value: '3' is not a whole"):
        load_law(data_dir)
