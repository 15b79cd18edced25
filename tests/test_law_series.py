"""Dated law: every parameter a series of values, each from a day with its citation; an amendment adds one value
and the scheme keeps its identity. Refused at load time, naming the parameter and the date: a value dated before
one already there, a gap, an overlap, a value without its date or its citation. A claim is decided under the
values in force on the first day of its academic year (interpretation I14), and its decision says since when
those values stood."""

import datetime as dt
import io
import re
import shutil

import pytest
from builders import LAW, case, child, claim, decision_of
from rich.console import Console

from beasiswa.explain import print_scheme
from beasiswa.law import Confidence, LawError, load_law
from beasiswa.law.load import DATA_DIR
from beasiswa.law.reform import apply_reform, parse_reform
from beasiswa.model import Level

date = dt.date
SMA_LINE = re.compile(r"^amount = \[\{ from = 2019-12-02, value = 3_000_000, .*\}\]$", re.M)
RAISED = '{ from = 2026-07-01, value = 4_000_000, citation = "Perubahan PP 82/2019 (contoh), SMA Rp4.000.000,00", ' \
         'confidence = "text" }'


@pytest.fixture
def data_dir(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _sma_series(data_dir, *entries: str) -> None:
    """Replace the SMA amount's series by `entries` (TOML inline tables)."""
    path = data_dir / "pp-82-2019.toml"
    text = path.read_text(encoding="utf-8")
    assert len(SMA_LINE.findall(text)) == 1, "pp-82-2019.toml no longer holds the SMA amount's line: update the test"
    original = SMA_LINE.search(text).group(0)[len("amount = ["):-1]
    series = ", ".join(original if e == "ORIGINAL" else e for e in entries)
    path.write_text(SMA_LINE.sub(lambda _m: f"amount = [{series}]", text), encoding="utf-8")


def _reform(*changes: dict) -> dict:
    return {"id": "uji", "title": "Usulan uji", "citation": "Usulan uji (bukan peraturan)", "change": list(changes)}


def _sma_claim(year: str, submitted: dt.date):
    return case(children=[child(born=date(2010, 5, 15))],
                claims=[claim(level="SMA", year=year, submitted_on=submitted)])


# --- the shipped data --------------------------------------------------------------------------------------


def test_every_value_of_every_scheme_is_dated_and_cited_from_the_schemes_start():
    for dated in LAW.dated:
        for scheme in dated.editions:
            for name in ("family_cap", "children_limit", "age_limit_years", "arrears_limit_months"):
                value = getattr(scheme, name)
                assert value.since == scheme.effective_from.value and value.citation.strip()


def test_every_interpretation_is_in_force_from_the_first_day_of_the_law():
    first = min(d.first.effective_from.value for d in LAW.dated)
    assert {i.in_force_from for i in LAW.interpretations} == {first}
    assert all(i.replaced_on is None for i in LAW.interpretations)


# --- an amendment adds one dated value ---------------------------------------------------------------------


def test_an_amendment_adds_an_edition_and_the_scheme_keeps_its_identity(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED)
    law = load_law(data_dir)
    dated = law.dated_scheme("PP-82-2019")
    assert dated.days == (date(2019, 12, 2), date(2026, 7, 1))
    assert [e.id for e in dated.editions] == ["PP-82-2019", "PP-82-2019"]
    assert dated.on(date(2026, 6, 30)).level_group_by_id("SMA").amount.value == 3_000_000
    assert dated.on(date(2026, 7, 1)).level_group_by_id("SMA").amount.value == 4_000_000


def test_a_claim_is_paid_the_amount_in_force_on_the_first_day_of_its_academic_year_whenever_submitted(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED)
    law = load_law(data_dir)
    before = decision_of(_sma_claim("2025/2026", date(2026, 7, 20)), law=law)  # submitted after the change
    after = decision_of(_sma_claim("2026/2027", date(2026, 7, 20)), law=law)
    assert (before.amount, after.amount) == (3_000_000, 4_000_000)


def test_a_decision_records_since_when_the_values_it_used_stood(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED)
    law = load_law(data_dir)
    assert decision_of(_sma_claim("2025/2026", date(2025, 7, 21)), law=law).law_since == date(2019, 12, 2)
    assert decision_of(_sma_claim("2026/2027", date(2026, 7, 21)), law=law).law_since == date(2026, 7, 1)


def test_rules_show_on_a_date_prints_the_values_in_force_that_day_with_their_dates(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED)
    law = load_law(data_dir)
    shown = {}
    for day in (date(2026, 6, 30), date(2026, 7, 1)):
        console = Console(width=250, record=True, file=io.StringIO())
        print_scheme(console, law, law.scheme_on(day), day)
        shown[day] = console.export_text()
    before, after = shown[date(2026, 6, 30)], shown[date(2026, 7, 1)]
    assert re.search(r"│ SMA .*│ Rp3\.000\.000,00 ", before) and "sejak 1 Juli 2026" not in before
    assert re.search(r"│ SMA .*│ Rp4\.000\.000,00 ", after) and "sejak 1 Juli 2026" in after


# --- unsound series are refused, naming the parameter and the date ------------------------------------------


def test_a_value_dated_before_an_existing_one_is_refused_naming_the_parameter_and_the_date(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED, RAISED.replace("2026-07-01", "2024-07-01"))
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\.SMA\.amount\[2\]\.from: 2024-07-01 is "
                                       r"before the existing value from 2026-07-01"):
        load_law(data_dir)


def test_two_values_from_the_same_day_overlap_and_are_refused_naming_the_parameter_and_the_date(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED, RAISED)
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\.SMA\.amount\[2\]\.from: 2026-07-01 "
                                       r"overlaps"):
        load_law(data_dir)


def test_a_series_starting_after_the_scheme_leaves_a_gap_and_is_refused_naming_the_parameter_and_the_date(data_dir):
    _sma_series(data_dir, RAISED)
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\.SMA\.amount\[0\]\.from: 2026-07-01 leaves "
                                       r"a gap: no value from the scheme's start 2019-12-02 to 2026-06-30"):
        load_law(data_dir)


def test_a_value_without_a_date_is_refused_naming_the_parameter(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED.replace("from = 2026-07-01, ", ""))
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\.SMA\.amount\[1\]\.from: the value 4000000 "
                                       r"has no date"):
        load_law(data_dir)


def test_a_value_without_a_citation_is_refused_naming_the_parameter_and_the_date(data_dir):
    _sma_series(data_dir, "ORIGINAL", RAISED.replace('citation = "Perubahan PP 82/2019 (contoh), SMA Rp4.000.000,00", ',
                                                     ""))
    with pytest.raises(LawError, match=r"^pp-82-2019\.toml: level_groups\.SMA\.amount\[1\]\.citation: the value from "
                                       r"2026-07-01 has no citation"):
        load_law(data_dir)


def test_a_value_dated_after_the_scheme_ends_is_refused(data_dir):
    path = data_dir / "pp-44-2015.toml"
    text = path.read_text(encoding="utf-8")
    old = "[[children_limit]]\nfrom = 2015-07-01\nvalue = 1\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, '[[children_limit]]\nfrom = 2020-07-01\nvalue = 1\ncitation = "x"\n'
                                      'confidence = "open"\n\n' + old, 1), encoding="utf-8")
    with pytest.raises(LawError, match=r"^pp-44-2015\.toml: children_limit\[0\]\.from: 2020-07-01"):
        load_law(data_dir)


# --- interpretations are dated too --------------------------------------------------------------------------

I6_WARN = 'setting = "warn"   # or "allow": no warning\n'


def _replace_i6(data_dir, replaced_on: str | None, follower_from: str | None) -> None:
    path = data_dir / "interpretations.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[interpretation]]\nid = "I6"')
    end = text.index("[[interpretation]]", start + 1)
    block = text[start:end]
    assert I6_WARN in block
    old = block.replace(I6_WARN, I6_WARN + (f"replaced_on = {replaced_on}\n" if replaced_on else ""))
    new = ""
    if follower_from:
        new = block.replace("in_force_from = 2015-07-01", f"in_force_from = {follower_from}") \
                   .replace(I6_WARN, 'setting = "allow"\n')
    path.write_text(text[:start] + old + new + text[end:], encoding="utf-8")


def test_a_reading_replaced_from_a_day_applies_to_the_academic_years_from_that_day(data_dir):
    _replace_i6(data_dir, "2026-07-01", "2026-07-01")
    law = load_law(data_dir)
    late_2025 = decision_of(case(claims=[claim(year="2024/2025", submitted_on=date(2025, 8, 1))]), law=law)
    assert late_2025.warnings, "2024/2025 is decided under the first reading: a late claim is warned of"
    assert law.readings_on(date(2026, 7, 1))["I6"].setting == "allow"
    assert law.readings_on(date(2026, 6, 30))["I6"].setting == "warn"


def test_a_replaced_reading_with_no_reading_after_it_is_refused_naming_the_day(data_dir):
    _replace_i6(data_dir, "2026-07-01", None)
    with pytest.raises(LawError, match=r"^interpretations\.toml: I6\.replaced_on: 2026-07-01, but no reading of I6 "
                                       r"follows"):
        load_law(data_dir)


def test_a_reading_following_a_replaced_one_later_than_the_day_leaves_a_gap_and_is_refused(data_dir):
    _replace_i6(data_dir, "2026-07-01", "2026-08-01")
    with pytest.raises(LawError, match=r"I6 from 2026-08-01 leaves a gap after the reading replaced on 2026-07-01"):
        load_law(data_dir)


def test_a_second_reading_of_a_question_never_replaced_overlaps_and_is_refused(data_dir):
    _replace_i6(data_dir, None, "2026-07-01")
    with pytest.raises(LawError, match=r"I6 from 2026-07-01 overlaps the reading above it, never replaced"):
        load_law(data_dir)


# --- a reform overlays dated values, checked the same way ------------------------------------------------


def test_a_reforms_value_is_a_proposal_with_the_reforms_citation():
    law = apply_reform(LAW, parse_reform(_reform({"scheme": "PP-82-2019", "parameter": "level_groups.SMA.amount",
                                                  "from": date(2026, 7, 1), "value": 4_000_000}), "uji.toml"))
    amount = law.dated_scheme("PP-82-2019").on(date(2026, 7, 1)).level_group_by_id("SMA").amount
    assert (amount.value, amount.confidence, amount.citation) == (4_000_000, Confidence.PROPOSED,
                                                                   "Usulan uji (bukan peraturan)")
    assert LAW.dated_scheme("PP-82-2019").on(date(2026, 7, 1)).level_group_by_id("SMA").amount.value == 3_000_000


def test_a_reforms_value_dated_before_the_schemes_existing_value_is_refused_naming_it():
    reform = parse_reform(_reform({"scheme": "PP-82-2019", "parameter": "family_cap", "from": date(2018, 7, 1),
                                   "value": 200_000_000}), "uji.toml")
    with pytest.raises(LawError, match=r"^uji\.toml \(PP-82-2019\): family_cap\[1\]\.from: 2018-07-01 is before the "
                                       r"existing value from 2019-12-02"):
        apply_reform(LAW, reform, "uji.toml")


def test_a_reform_naming_an_unknown_parameter_is_refused_listing_the_known_ones():
    reform = parse_reform(_reform({"scheme": "PP-82-2019", "parameter": "level_groups.SMU.amount",
                                   "from": date(2026, 7, 1), "value": 1}), "uji.toml")
    with pytest.raises(LawError, match=r"^uji\.toml: change\[0\]\.parameter: 'level_groups\.SMU\.amount' is not a "
                                       r"parameter of PP-82-2019; known: .*level_groups\.SMA\.amount"):
        apply_reform(LAW, reform, "uji.toml")


def test_a_reform_without_a_date_is_refused():
    with pytest.raises(LawError, match=r"^uji\.toml: change\[0\]\.from: None is not a date"):
        parse_reform(_reform({"scheme": "PP-82-2019", "parameter": "family_cap", "value": 1}), "uji.toml")


# --- the school-admission ages are dated series too -----------------------------------------------------------


def test_a_school_admission_age_without_a_date_is_refused_naming_the_entry(data_dir):
    path = data_dir / "school-admission.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("age = [{ from = 2015-07-01, value = 4,") == 1
    path.write_text(text.replace("age = [{ from = 2015-07-01, value = 4,", "age = [{ value = 4,"), encoding="utf-8")
    with pytest.raises(LawError, match=r"^school-admission\.toml: minimum_age\[1\]\.age\[0\]\.from: the value 4 has no "
                                       r"date"):
        load_law(data_dir)


def test_a_school_admission_age_amended_from_a_day_applies_from_the_academic_year_starting_then(data_dir):
    path = data_dir / "school-admission.toml"
    text = path.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("age = [{ from = 2015-07-01, value = 4,"))
    amended = line[:-1] + ', { from = 2026-07-01, value = 5, citation = "Perubahan PPDB (contoh)", confidence = "open" }]'
    path.write_text(text.replace(line, amended), encoding="utf-8")
    law = load_law(data_dir)
    tk = law.minimum_age(Level.TK)
    assert (tk.age_on(date(2026, 6, 30)).value, tk.age_on(date(2026, 7, 1)).value) == (4, 5)
