"""School-admission ages (rule book §3.3, I11–I13): a child younger on the first day of the academic year than
the youngest age its level can be attended at is a warning for the supervisor, never a silent approval and
never a rejection. The ages are law as data (school-admission.toml), each with its citation."""

import pytest
from builders import LAW, case, child, claim, date, decision_of, warning_codes

from beasiswa.law import Confidence
from beasiswa.model import Code, Level, Outcome


def decision_for(born, level, year="2025/2026"):
    return decision_of(case(children=[child(born=born)], claims=[claim(year=year, level=level)]))


@pytest.mark.parametrize("level, minimum", [("SD", 6), ("MI", 6), ("TK", 4), ("PAUD", 2), ("SMP", 12),
                                            ("MTS", 12), ("SMA", 15), ("SMK", 15), ("MA", 15)])
def test_a_child_one_day_short_of_the_levels_age_on_1_july_warns_and_a_day_older_does_not(level, minimum):
    # Born on 2 July: a day short of `minimum` on 1 July 2025, the year's first day (I2); born on 1 July: of age.
    short = decision_for(date(2025 - minimum, 7, 2), level)
    assert (short.outcome, short.amount) == (Outcome.APPROVED, LAW.scheme("PP-82-2019").amount_for(Level(level)).value)
    assert warning_codes(short) == {Code.BELOW_SCHOOL_AGE} and short.reasons == ()
    assert f"lebih muda dari usia paling rendah {minimum} tahun untuk jenjang {level}" in short.warnings[0].message
    of_age = decision_for(date(2025 - minimum, 7, 1), level)
    assert Code.BELOW_SCHOOL_AGE not in warning_codes(of_age)


def test_a_child_born_after_the_contracts_sma_claim_could_be_is_warned_about_not_paid_silently():
    # The case, a child of nine claiming SMA: approved by the rules, but never without the warning.
    decision = decision_for(date(2016, 1, 1), "SMA")
    assert warning_codes(decision) >= {Code.BELOW_SCHOOL_AGE}
    assert "berusia 9 tahun pada hari pertama tahun ajaran 2025/2026 (1 Juli 2025)" in decision.warnings[-1].message


@pytest.mark.parametrize("level", ["PT", "D3", "S1", "PELATIHAN"])
def test_higher_education_and_training_have_no_minimum_age(level):
    decision = decision_for(date(2011, 5, 15), level)  # 14 on 1 July 2025
    assert Code.BELOW_SCHOOL_AGE not in warning_codes(decision)
    [step] = [s for s in decision.trace if s.rule == "child_is_of_school_age"]
    assert step.holds and step.citation == "Interpretasi I13"


def test_the_warning_cites_the_admission_rule_and_for_an_unsure_age_its_interpretation():
    sd = decision_for(date(2019, 7, 2), "SD").warnings[0].citation
    assert sd.startswith("Permendikbud 1/2021 tentang PPDB") and "Interpretasi" not in sd
    sma = decision_for(date(2011, 7, 2), "SMA").warnings[0].citation
    assert sma.startswith("Permendikbud 1/2021 tentang PPDB") and sma.endswith("Interpretasi I12")


def test_a_warning_of_age_rides_along_with_a_refusal_without_changing_it():
    decision = decision_of(case(children=[child(born=date(2019, 7, 2), married_on=date(2025, 1, 1))],
                                claims=[claim(level="SD")]))
    assert decision.outcome is Outcome.REJECTED and warning_codes(decision) == {Code.BELOW_SCHOOL_AGE}


def test_every_minimum_age_is_cited_and_every_unsure_one_names_an_interpretation_of_the_law():
    assert LAW.minimum_ages
    for entry in LAW.minimum_ages:
        assert entry.age.citation.startswith("Permendikbud")
        if entry.age.confidence is Confidence.OPEN:
            assert LAW.interpretation(entry.interpretation).confidence is Confidence.OPEN
    assert {level for e in LAW.minimum_ages for level in e.levels} == {
        Level.TK, Level.PAUD, Level.SD, Level.MI, Level.SMP, Level.MTS, Level.SMA, Level.SMK, Level.MA}
    assert LAW.interpretation("I13").setting == "no_minimum"


@pytest.fixture
def data_dir(tmp_path):
    import shutil

    from beasiswa.law.load import DATA_DIR
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _spoil(data_dir, old, new):
    path = data_dir / "school-admission.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unsure_age_without_its_interpretation_is_refused_when_the_law_is_loaded(data_dir):
    from beasiswa.law import LawError, load_law

    _spoil(data_dir, 'interpretation = "I11"\n', "")
    with pytest.raises(LawError, match=r"^school-admission\.toml: minimum_age\[1\]\.interpretation: an open value"):
        load_law(data_dir)


def test_a_level_given_two_minimum_ages_is_refused_when_the_law_is_loaded(data_dir):
    from beasiswa.law import LawError, load_law

    _spoil(data_dir, 'levels = ["TK"]', 'levels = ["TK", "SD"]')
    with pytest.raises(LawError, match=r"minimum_age\[1\]\.levels: \['SD'\] already has a minimum age"):
        load_law(data_dir)
