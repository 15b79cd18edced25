"""Batched import (`beasiswa.ledger.importer`): many cases with their history per transaction, the same
rows and refusals as registering each case with the posting service, every entry still through the
database's triggers; on SQLite and PostgreSQL."""

import datetime as dt

import attrs
import pytest
from sqlalchemy import select

import beasiswa.ledger.importer as importer
from beasiswa.db import make_engine
from beasiswa.db.tables import cases, children, claims, family_totals, journal, level_usage, paid_years
from beasiswa.ledger import verify
from beasiswa.ledger.importer import import_cases
from beasiswa.model import Level, Refusal
from builders import EVENT_UNDER_PP_44_2015, date, payout
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
    sqlite_database,
    with_id,
)

MOMENT = dt.datetime(2025, 8, 1, 3, 0, tzinfo=dt.timezone.utc)
TABLES = (cases, children, claims, family_totals, level_usage, journal, paid_years)

GOOD = [
    case(history=school_path("anak-1", smp=2, last="2024/2025")),
    with_id(case(children=[child("anak-1", born=date(2018, 2, 2)), child("anak-2")],
                 history=[*school_path("anak-1", tk=2, sd=1, last="2025/2026"),
                          *school_path("anak-2", smp=3, sma=1, last="2025/2026")],
                 claims=[claim("klaim-1", "anak-2", "2026/2027")]), "KC-PLG-2025-000200"),
    with_id(case(event=EVENT_UNDER_PP_44_2015, claims=[], history=[payout("anak-1", "2018/2019", Level.SMP, 12_000_000)]),
            "KC-PLG-2018-000300"),
]
BROKEN = {
    "LEVEL_YEARS_EXHAUSTED": case(history=school_path("anak-1", sma=4, last="2024/2025"), claims=[]),
    "TK stage": case(children=[child(born=date(2018, 2, 2))], claims=[],
                     history=school_path("anak-1", tk=3, last="2024/2025")),
    "ALREADY_CLAIMED": case(claims=[], history=[payout("anak-1", "2024/2025", Level.SMA)] * 2),
    "FAMILY_CAP_REACHED": case(event=EVENT_UNDER_PP_44_2015, claims=[],
                               history=[payout("anak-1", "2018/2019", Level.SMP, 12_000_000),
                                        payout("anak-1", "2019/2020", Level.SMP, 1)]),
    "LEVEL_NOT_COVERED": case(claims=[], history=[payout("anak-1", "2024/2025", Level.S2, 12_000_000)]),
    "CHILD_NOT_REGISTERED": case(claims=[], history=[payout("anak-9", "2024/2025", Level.SMA)]),
}


def decided(a_case):
    scheme = "PP-44-2015" if a_case.event == EVENT_UNDER_PP_44_2015 else "PP-82-2019"
    return a_case, approved(a_case, scheme=scheme)


def import_into(url, items, **options):
    service = ledger(url, clock=lambda: MOMENT)
    try:
        return import_cases(service, [decided(c) for c in items], maker=MAKER, approver=APPROVER, **options)
    finally:
        service.engine.dispose()


def contents(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(t))) for t in TABLES}
    finally:
        engine.dispose()


def verified(url):
    engine = make_engine(url)
    try:
        return verify(engine)
    finally:
        engine.dispose()


@pytest.fixture
def service_database(tmp_path):
    """A second database, on SQLite, for what the posting service writes."""
    return sqlite_database(tmp_path, "service.db")


def test_a_batch_import_writes_exactly_what_registering_each_case_writes_hashes_included(database,
                                                                                          service_database):
    result = import_into(database, GOOD)
    service = ledger(service_database, clock=lambda: MOMENT)
    for a_case in GOOD:
        service.register(*decided(a_case), maker=MAKER, approver=APPROVER)
    assert (result.registered, result.unchanged, result.entries, result.refused) == (3, 0, 10, ())
    assert contents(database) == contents(service_database)
    assert verified(database).ok


@pytest.mark.parametrize("name", BROKEN)
def test_a_case_whose_history_breaks_a_rule_is_refused_whole_as_the_service_refuses_it(database,
                                                                                      service_database, name):
    broken = with_id(BROKEN[name], "KC-PLG-2025-000666")
    result = import_into(database, [GOOD[0], broken, GOOD[1]], cases_per_batch=3)
    with pytest.raises(Refusal) as by_service:
        ledger(service_database).register(*decided(broken), maker=MAKER, approver=APPROVER)
    ((case_id, refusal),) = result.refused
    assert case_id == broken.case_id
    # The same rule and values, but for the seq of an earlier payout: in a batch refused before writing there is none.
    service_values = {k: v for k, v in by_service.value.values.items() if k != "seq"}
    assert (refusal.code, refusal.values) == (by_service.value.code, service_values)
    assert (result.registered, result.entries) == (2, 2 + 7)
    assert sql(database, "SELECT COUNT(*) AS n FROM cases WHERE case_id = 'KC-PLG-2025-000666'")[0].n == 0
    assert verified(database).ok


def test_importing_the_same_files_again_changes_nothing_and_another_file_under_a_known_id_is_refused(database):
    import_into(database, GOOD)
    before = contents(database)
    again = import_into(database, GOOD)
    assert (again.registered, again.unchanged, again.entries, again.refused) == (0, 3, 0, ())
    other = attrs.evolve(GOOD[0], history=school_path("anak-1", smp=1, last="2024/2025"))
    ((_, refusal),) = import_into(database, [other]).refused
    assert refusal.code == "CASE_ALREADY_REGISTERED"
    assert contents(database) == before


def test_batches_continue_the_chain_when_another_writer_posts_between_them(database, monkeypatch):
    def one_by_one(*args):
        raise AssertionError("a batch fell back to case-by-case registration")

    monkeypatch.setattr(importer, "_register_one", one_by_one)
    first = case(claims=[claim("klaim-1")])
    service = ledger(database)
    service.register(*decided(first), maker=MAKER, approver=APPROVER)
    many = [with_id(case(history=school_path("anak-1", smp=2, last="2024/2025"), claims=[]),
                    f"KC-PLG-2025-{n:06d}") for n in range(500, 510)]

    def items():
        for n, a_case in enumerate(many):
            if n == 4:  # while the batches before it are being written
                service.pay(first.case_id, "klaim-1", maker=MAKER, approver=APPROVER)
            yield decided(a_case)

    result = import_cases(ledger(database), items(), maker=MAKER, approver=APPROVER, cases_per_batch=2)
    assert (result.registered, result.entries, result.refused) == (10, 20, ())
    report = verified(database)
    assert report.ok and report.entries == 21


def test_a_batch_the_database_refuses_is_registered_case_by_case_so_only_the_bad_case_is_refused(
        database, monkeypatch):
    monkeypatch.setattr(importer, "history_refusal", lambda case, scheme: None)  # as if the checks missed it
    broken = with_id(BROKEN["LEVEL_YEARS_EXHAUSTED"], "KC-PLG-2025-000666")
    result = import_into(database, [GOOD[0], broken, GOOD[1]])
    assert [(case_id, r.code) for case_id, r in result.refused] == [("KC-PLG-2025-000666", "LEVEL_YEARS_EXHAUSTED")]
    assert (result.registered, result.entries) == (2, 9)
    assert verified(database).ok


def test_the_import_needs_two_people(database):
    with pytest.raises(Refusal) as refusal:
        import_cases(ledger(database), [decided(GOOD[0])], maker=MAKER, approver=MAKER.upper())
    assert refusal.value.code == "MAKER_IS_APPROVER"
