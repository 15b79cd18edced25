"""Every invariant of the ledger, attacked through the posting service and straight through SQL, on SQLite
and PostgreSQL: the service refuses naming the rule, and the database refuses on its own."""

import secrets
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from beasiswa.db import make_engine
from beasiswa.ledger.errors import database_rule
from beasiswa.model import Level, Refusal
from beasiswa.rules import decide
from builders import LAW
from ledger_support import (
    APPROVER,
    MAKER,
    approved,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    dialect,
    ledger,
    school_path,
    sql,
)


def register(url, case_, decision=None):
    service = ledger(url)
    service.register(case_, decision or approved(case_), maker=MAKER, approver=APPROVER)
    return service


def pay(service, case_, claim_id, **changes):
    return service.pay(case_.case_id, claim_id, maker=changes.pop("maker", MAKER),
                       approver=changes.pop("approver", APPROVER), **changes)


def refused_by_database(url, statement, **params) -> str:
    """The rule the database names when it refuses `statement`; fails the test if it does not refuse."""
    with pytest.raises(IntegrityError) as caught:
        sql(url, statement, **params)
    return database_rule(str(caught.value.orig))


def head(url):
    rows = sql(url, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
    return (rows[0].seq, rows[0].hash) if rows else (0, "0" * 64)


INSERT = ("INSERT INTO journal (seq, idempotency_key, case_id, child_id, claim_id, level, level_group, academic_year,"
          " office, amount, kind, source, reverses_seq, maker, approver, reason, posted_at, prev_hash, hash, canonical)"
          " VALUES (:seq, :key, :case_id, :child_id, :claim_id, :level, :level_group, :academic_year, :office,"
          " :amount, :kind, :source, :reverses_seq, :maker, :approver, :reason, :posted_at, :prev_hash, :hash,"
          " :canonical)")


def forged(url, **fields) -> dict:
    """A journal row written behind the service's back: at the head of the chain unless told otherwise."""
    seq, prev = head(url)
    row = dict(seq=seq + 1, key=secrets.token_hex(8), case_id="KC-PLG-2025-000123", child_id="anak-1",
               claim_id=None, level="SMA", level_group="SMA", academic_year="2025/2026", office="KC-PLG",
               amount=3_000_000, kind="payout", source="history", reverses_seq=None, maker=MAKER,
               approver=APPROVER, reason="", posted_at="2025-07-21T00:00:00.000000Z", prev_hash=prev,
               hash=secrets.token_hex(32), canonical=b"forged")
    row.update(fields)
    return row


def forge_refused(url, **fields) -> str:
    return refused_by_database(url, INSERT, **forged(url, **fields))


def forge(url, **fields) -> None:
    sql(url, INSERT, **forged(url, **fields))


# A family 4,5 juta from its cap (Rp169.500.000 of Rp174.000.000) with a third child whose TK–SD years are
# untouched: the cap, not an allowance, is what stops payouts for anak-3.
NEAR_CAP = case(
    children=[child("anak-1"), child("anak-2", female=False), child("anak-3", born=child().birth_date)],
    history=[*school_path("anak-1", tk=2, sd=6, smp=3, sma=3, pt=5),
             *school_path("anak-2", sd=5, smp=3, sma=3, pt=5)],
    claims=[claim("klaim-1", "anak-3", "2016/2017", Level.SD), claim("klaim-2", "anak-3", "2017/2018", Level.SD)],
)


# ----------------------------------------------------------------------------------------- amounts
def test_the_database_refuses_a_payout_of_zero_or_less_and_takes_one_rupiah(database):
    register(database, case(claims=[]))
    assert forge_refused(database, amount=0) == "AMOUNT_NOT_POSITIVE"
    assert forge_refused(database, amount=-3_000_000) == "AMOUNT_NOT_POSITIVE"
    forge(database, amount=1)
    assert sql(database, "SELECT paid FROM family_totals")[0].paid == 1


def test_the_database_refuses_a_payout_for_a_claim_that_was_not_approved_or_of_another_amount(database):
    rejected = case(claims=[claim(level=Level.S2)])
    register(database, rejected, decide(rejected, LAW))
    assert forge_refused(database, claim_id="klaim-1", source="ledger", level="S2", level_group="PT",
                         amount=12_000_000) == "CLAIM_NOT_APPROVED"


def test_the_service_pays_only_an_approved_decision(database):
    rejected = case(claims=[claim(level=Level.S2)])
    service = register(database, rejected, decide(rejected, LAW))
    with pytest.raises(Refusal) as refusal:
        pay(service, rejected, "klaim-1")
    assert refusal.value.code == "CLAIM_NOT_APPROVED"
    assert "LEVEL_NOT_COVERED" in refusal.value.message


def test_the_database_pays_an_approved_claim_only_its_decided_amount(database):
    register(database, case())
    assert forge_refused(database, claim_id="klaim-1", source="ledger", amount=3_000_001) == "CLAIM_NOT_APPROVED"
    forge(database, claim_id="klaim-1", source="ledger", amount=3_000_000)


# --------------------------------------------------------------------------------------- reversals
def test_a_reversal_negates_its_payout_exactly_and_the_database_refuses_one_rupiah_less(database):
    service = register(database, case())
    paid = pay(service, case(), "klaim-1").entry
    base = dict(kind="reversal", source="ledger", claim_id="klaim-1", reverses_seq=paid.seq, reason="salah")
    assert forge_refused(database, **base, amount=-2_999_999) == "REVERSAL_MISMATCH"
    assert forge_refused(database, **base, amount=3_000_000) == "REVERSAL_MISMATCH"
    forge(database, **base, amount=-3_000_000)
    assert sql(database, "SELECT paid FROM family_totals")[0].paid == 0


def test_the_database_refuses_a_reversal_of_another_child_year_or_level_group(database):
    two = case(children=[child("anak-1"), child("anak-2")],
               claims=[claim("klaim-1", "anak-1"), claim("klaim-2", "anak-2")])
    service = register(database, two)
    paid = pay(service, two, "klaim-1").entry
    pay(service, two, "klaim-2")
    base = dict(kind="reversal", source="ledger", claim_id="klaim-1", reverses_seq=paid.seq, reason="salah",
                amount=-3_000_000)
    assert forge_refused(database, **{**base, "child_id": "anak-2"}) == "REVERSAL_MISMATCH"
    assert forge_refused(database, **{**base, "academic_year": "2024/2025"}) == "REVERSAL_MISMATCH"
    assert forge_refused(database, **{**base, "level_group": "SMP"}) == "REVERSAL_MISMATCH"


def test_a_payout_is_reversed_at_most_once(database):
    service = register(database, case())
    paid = pay(service, case(), "klaim-1").entry
    service.reverse(paid.seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    with pytest.raises(Refusal) as refusal:
        service.reverse(paid.seq, reason="lagi", maker=MAKER, approver=APPROVER, key="second")
    assert refusal.value.code == "ALREADY_REVERSED"
    assert forge_refused(database, kind="reversal", source="ledger", claim_id="klaim-1", reverses_seq=paid.seq,
                         reason="lagi", amount=-3_000_000) == "ALREADY_REVERSED"


def test_a_reversal_is_not_reversed(database):
    service = register(database, case())
    paid = pay(service, case(), "klaim-1").entry
    reversal = service.reverse(paid.seq, reason="salah", maker=MAKER, approver=APPROVER).entry
    with pytest.raises(Refusal) as refusal:
        service.reverse(reversal.seq, reason="balik", maker=MAKER, approver=APPROVER)
    assert refusal.value.code == "NOT_A_PAYOUT"
    assert forge_refused(database, kind="reversal", source="ledger", claim_id="klaim-1",
                         reverses_seq=reversal.seq, reason="balik", amount=3_000_000) == "REVERSAL_MISMATCH"
    assert forge_refused(database, kind="reversal", source="ledger", claim_id="klaim-1",
                         reverses_seq=reversal.seq, reason="balik", amount=-3_000_000) == "REVERSAL_MISMATCH"


def test_a_reversal_needs_a_reason(database):
    service = register(database, case())
    paid = pay(service, case(), "klaim-1").entry
    with pytest.raises(Refusal) as refusal:
        service.reverse(paid.seq, reason="  ", maker=MAKER, approver=APPROVER)
    assert refusal.value.code == "REASON_REQUIRED"
    assert forge_refused(database, kind="reversal", source="ledger", claim_id="klaim-1", reverses_seq=paid.seq,
                         reason="", amount=-3_000_000) == "REASON_REQUIRED"


# --------------------------------------------------------------------------- one payout per child-year
TWICE_IN_A_YEAR = case(claims=[claim("klaim-1"), claim("klaim-2")])


def test_a_second_payout_for_the_same_child_and_year_is_refused(database):
    service = register(database, TWICE_IN_A_YEAR)
    first = pay(service, TWICE_IN_A_YEAR, "klaim-1").entry
    with pytest.raises(Refusal) as refusal:
        pay(service, TWICE_IN_A_YEAR, "klaim-2")
    assert refusal.value.code == "ALREADY_CLAIMED"
    assert refusal.value.values["seq"] == first.seq
    assert forge_refused(database, claim_id="klaim-2", source="ledger") == "ALREADY_CLAIMED"


def test_after_its_payout_is_reversed_the_year_can_be_paid_once_more(database):
    service = register(database, TWICE_IN_A_YEAR)
    first = pay(service, TWICE_IN_A_YEAR, "klaim-1").entry
    service.reverse(first.seq, reason="klaim ganda", maker=MAKER, approver=APPROVER)
    second = pay(service, TWICE_IN_A_YEAR, "klaim-2").entry
    assert second.seq == first.seq + 2
    assert sql(database, "SELECT payout_seq FROM paid_years")[0].payout_seq == second.seq


# ------------------------------------------------------------------------------------- allowances
THREE_SMA_YEARS = case(history=school_path("anak-1", sma=2, last="2024/2025"),
                       claims=[claim("klaim-1", year="2025/2026"), claim("klaim-2", year="2026/2027")])


def test_the_third_sma_year_is_paid_and_the_fourth_is_refused(database):
    service = register(database, THREE_SMA_YEARS)
    assert pay(service, THREE_SMA_YEARS, "klaim-1").entry.amount == 3_000_000
    with pytest.raises(Refusal) as refusal:
        pay(service, THREE_SMA_YEARS, "klaim-2")
    assert refusal.value.code == "LEVEL_YEARS_EXHAUSTED"
    assert refusal.value.values == dict(case_id=THREE_SMA_YEARS.case_id, child_id="anak-1", level_group="SMA",
                                        years_used=3, allowance=3)


def test_the_database_refuses_a_year_beyond_the_allowance(database):
    service = register(database, THREE_SMA_YEARS)
    pay(service, THREE_SMA_YEARS, "klaim-1")
    assert forge_refused(database, academic_year="2027/2028") == "LEVEL_YEARS_EXHAUSTED"


def test_tk_counts_two_years_inside_tk_sd(database):
    kindergarten = case(children=[child(born=child().birth_date)],
                        history=school_path("anak-1", tk=2, last="2016/2017"),
                        claims=[claim("klaim-1", year="2017/2018", level=Level.TK),
                                claim("klaim-2", year="2017/2018", level=Level.SD)])
    service = register(database, kindergarten)
    with pytest.raises(Refusal) as refusal:
        pay(service, kindergarten, "klaim-1")
    assert refusal.value.code == "LEVEL_YEARS_EXHAUSTED"
    assert refusal.value.values["stage"] == "TK"
    assert pay(service, kindergarten, "klaim-2").entry.level == "SD"


def test_a_case_whose_history_breaks_an_allowance_is_refused_whole(database):
    broken = case(history=school_path("anak-1", sma=4, last="2024/2025"), claims=[])
    with pytest.raises(Refusal) as refusal:
        register(database, broken)
    assert refusal.value.code == "LEVEL_YEARS_EXHAUSTED"
    assert sql(database, "SELECT COUNT(*) AS n FROM cases")[0].n == 0
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 0


# ------------------------------------------------------------------------------------ family cap
def test_a_payout_reaching_the_family_cap_exactly_is_paid_and_one_rupiah_more_is_refused(database):
    decision = approved(NEAR_CAP, {"klaim-1": 4_500_001, "klaim-2": 4_500_000})
    service = register(database, NEAR_CAP, decision)
    with pytest.raises(Refusal) as refusal:
        pay(service, NEAR_CAP, "klaim-1")
    assert refusal.value.code == "FAMILY_CAP_REACHED"
    assert refusal.value.values == dict(case_id=NEAR_CAP.case_id, paid=169_500_000, cap=174_000_000,
                                        amount=4_500_001)
    pay(service, NEAR_CAP, "klaim-2")
    assert sql(database, "SELECT paid, cap FROM family_totals")[0] == (174_000_000, 174_000_000)


def test_the_database_refuses_a_payout_over_the_family_cap(database):
    register(database, NEAR_CAP)
    assert forge_refused(database, child_id="anak-3", level="SD", level_group="TK_SD", academic_year="2016/2017",
                         amount=4_500_001) == "FAMILY_CAP_REACHED"
    forge(database, child_id="anak-3", level="SD", level_group="TK_SD", academic_year="2016/2017",
          amount=4_500_000)


def test_a_rule_only_the_database_caught_is_still_named_not_reported_as_a_failure(database):
    service = register(database, NEAR_CAP)
    request = dict(idempotency_key="behind-the-checks", case_id=NEAR_CAP.case_id, child_id="anak-3",
                   claim_id=None, level="SD", level_group="TK_SD", academic_year="2016/2017", office="KC-PLG",
                   amount=6_000_000, kind="payout", source="history", reverses_seq=None, maker=MAKER,
                   approver=APPROVER, reason="")
    with pytest.raises(Refusal) as refusal:
        service.run(lambda conn: service._append(conn, request))  # the service's checks skipped
    assert refusal.value.code == "FAMILY_CAP_REACHED"


# ---------------------------------------------------------------------------------- maker, approver
def test_maker_and_approver_must_be_two_people(database):
    service = register(database, case())
    for approver in (MAKER, MAKER.upper()):
        with pytest.raises(Refusal) as refusal:
            pay(service, case(), "klaim-1", approver=approver)
        assert refusal.value.code == "MAKER_IS_APPROVER"
    assert forge_refused(database, claim_id="klaim-1", source="ledger", approver=MAKER) == "MAKER_IS_APPROVER"
    assert pay(service, case(), "klaim-1").entry.approver == APPROVER


# ---------------------------------------------------------------------------------- append-only
def test_journal_rows_are_never_updated_or_deleted(database):
    service = register(database, case())
    pay(service, case(), "klaim-1")
    assert refused_by_database(database, "UPDATE journal SET amount = 1") == "JOURNAL_APPEND_ONLY"
    assert refused_by_database(database, "UPDATE journal SET reason = 'x'") == "JOURNAL_APPEND_ONLY"
    assert refused_by_database(database, "DELETE FROM journal") == "JOURNAL_APPEND_ONLY"
    if dialect(database) == "postgresql":
        assert refused_by_database(database, "TRUNCATE journal CASCADE") == "JOURNAL_APPEND_ONLY"
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 1


def test_running_totals_follow_the_journal_and_nothing_else(database):
    service = register(database, case())
    pay(service, case(), "klaim-1")
    assert refused_by_database(database, "UPDATE family_totals SET paid = 0") == "TOTALS_FROM_JOURNAL"
    assert refused_by_database(database, "UPDATE family_totals SET cap = 999000000") == "TOTALS_FIXED"
    assert refused_by_database(database, "DELETE FROM family_totals") == "TOTALS_FIXED"
    assert refused_by_database(database, "UPDATE level_usage SET allowance = 9") == "TOTALS_FIXED"
    assert refused_by_database(database, "UPDATE level_usage SET years_used = 0") == "TOTALS_FROM_JOURNAL"
    assert refused_by_database(database, "DELETE FROM paid_years") == "TOTALS_FROM_JOURNAL"
    assert refused_by_database(
        database, "INSERT INTO paid_years (case_id, child_id, academic_year, level_group, level, payout_seq) "
                  "VALUES ('KC-PLG-2025-000123', 'anak-1', '2026/2027', 'SMA', 'SMA', 1)") == "TOTALS_FROM_JOURNAL"
    assert sql(database, "SELECT paid FROM family_totals")[0].paid == 3_000_000


# -------------------------------------------------------------------------------- chain and seq
def test_the_database_refuses_a_gap_in_the_sequence_or_a_broken_link(database):
    register(database, case(claims=[]))
    forge(database)
    seq, _ = head(database)
    assert forge_refused(database, seq=seq + 2, academic_year="2024/2025") == "JOURNAL_SEQUENCE"
    assert forge_refused(database, prev_hash="f" * 64, academic_year="2024/2025") == "JOURNAL_CHAIN"


def test_a_payout_for_a_case_never_registered_is_refused(database):
    service = ledger(database)
    with pytest.raises(Refusal) as refusal:
        service.pay("KC-XXX-0", "klaim-1", maker=MAKER, approver=APPROVER)
    assert refusal.value.code == "CASE_NOT_REGISTERED"
    with pytest.raises(IntegrityError):
        forge(database, case_id="KC-XXX-0")


# ----------------------------------------------------------------------------------- idempotency
def test_the_same_key_with_the_same_payload_returns_the_first_result(database):
    service = register(database, case())
    first = pay(service, case(), "klaim-1", key="k-1")
    again = pay(service, case(), "klaim-1", key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.entry == first.entry
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 1


def test_the_same_key_with_another_payload_is_refused(database):
    two = case(children=[child("anak-1"), child("anak-2")],
               claims=[claim("klaim-1", "anak-1"), claim("klaim-2", "anak-2")])
    service = register(database, two)
    pay(service, two, "klaim-1", key="k-1")
    with pytest.raises(Refusal) as refusal:
        pay(service, two, "klaim-2", key="k-1")
    assert refusal.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert "claim_id 'klaim-1' → 'klaim-2'" in refusal.value.message
    assert forge_refused(database, key="k-1", child_id="anak-2", academic_year="2024/2025") == "IDEMPOTENCY_KEY_REUSED"


# --------------------------------------------------------------------------------- registration
def test_imported_history_is_marked_as_such_and_carries_no_claim(database):
    with_history = case(history=school_path("anak-1", smp=2, last="2024/2025"))
    service = register(database, with_history)
    pay(service, with_history, "klaim-1")
    rows = sql(database, "SELECT seq, source, claim_id, kind FROM journal ORDER BY seq")
    assert [tuple(r) for r in rows] == [(1, "history", None, "payout"), (2, "history", None, "payout"),
                                       (3, "ledger", "klaim-1", "payout")]


def test_registering_the_same_file_again_changes_nothing_and_another_file_under_its_id_is_refused(database):
    with_history = case(history=school_path("anak-1", smp=1, last="2024/2025"))
    service = register(database, with_history)
    again = service.register(with_history, approved(with_history), maker=MAKER, approver=APPROVER)
    assert not again.new and [e.seq for e in again.history] == [1]
    other = case(history=school_path("anak-1", smp=2, last="2024/2025"))
    with pytest.raises(Refusal) as refusal:
        service.register(other, approved(other), maker=MAKER, approver=APPROVER)
    assert refusal.value.code == "CASE_ALREADY_REGISTERED"
    assert sql(database, "SELECT COUNT(*) AS n FROM journal")[0].n == 1


# ----------------------------------------------------------------------------------------- retries
def test_a_lock_held_by_another_writer_is_waited_out_and_retried_never_refused(database):
    service = ledger(database, lock_timeout_ms=100)
    service.register(case(), approved(case()), maker=MAKER, approver=APPROVER)
    blocker = make_engine(database)
    holding, release = threading.Event(), threading.Event()

    def hold_the_family_row():
        with blocker.begin() as conn:
            if dialect(database) == "postgresql":
                conn.execute(text("SELECT paid FROM family_totals FOR UPDATE"))
            else:
                conn.execute(text("UPDATE cases SET registered_by = registered_by"))  # the write lock
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold_the_family_row)
    thread.start()
    holding.wait(10)
    timer = threading.Timer(0.6, release.set)  # let a few attempts time out first
    timer.start()
    try:
        posted = pay(service, case(), "klaim-1")
    finally:
        release.set()
        thread.join()
        blocker.dispose()
    assert posted.entry.seq == 1
    assert service.retries >= 1


# ------------------------------------------------------------------------- the two ways of paying
# `pay` posts an ordinary payout from one read of the rows it checks, and hands anything else to the checked
# path, which reads them again and names the rule. Both must post the same entries and refuse the same payouts.
PAYOUT_STORY = [  # (case, its decision's amounts, the claims paid in order; "reverse" reverses the last payout)
    (TWICE_IN_A_YEAR, None, ["klaim-1", "klaim-1", "klaim-2", "reverse", "klaim-2"]),
    (THREE_SMA_YEARS, None, ["klaim-1", "klaim-2"]),
    (NEAR_CAP, {"klaim-1": 4_500_001, "klaim-2": 4_500_000}, ["klaim-1", "klaim-2", "klaim-1"]),
    (case(children=[child(born=child().birth_date)], history=school_path("anak-1", tk=2, last="2016/2017"),
          claims=[claim("klaim-1", year="2017/2018", level=Level.TK),
                  claim("klaim-2", year="2017/2018", level=Level.SD)]), None, ["klaim-1", "klaim-2"]),
    (case(claims=[claim("klaim-1"), claim("klaim-2", year="2026/2027")]), None, ["klaim-1", "klaim-3"]),
]


def tell_story(url, suffix: str) -> list:
    """Every step of PAYOUT_STORY on cases of their own: the entry posted (without its place in the chain) or
    the rule that refused it."""
    from beasiswa.ledger import verify
    from ledger_support import with_id

    service = ledger(url)
    told = []
    for number, (case_, amounts, steps) in enumerate(PAYOUT_STORY):
        own = with_id(case_, f"{case_.case_id[:-4]}{suffix}{number}")
        service.register(own, approved(own, amounts), maker=MAKER, approver=APPROVER)
        last = None
        for step in steps:
            try:
                if step == "reverse":
                    posted = service.reverse(last, reason="klaim ganda", maker=MAKER, approver=APPROVER)
                else:
                    posted = pay(service, own, step)
            except Refusal as refusal:
                values = {k: v for k, v in refusal.values.items() if k not in ("case_id", "seq")}
                told.append((step, refusal.code, values))
                continue
            last = posted.entry.seq
            told.append((step, posted.replayed, posted.entry.child_id, posted.entry.claim_id, posted.entry.amount,
                         posted.entry.level, posted.entry.academic_year, posted.entry.kind))
    assert verify(service.engine).ok
    service.engine.dispose()
    return told


def test_an_ordinary_payout_and_the_checked_path_post_the_same_entries_and_refuse_the_same_payouts(
        database, monkeypatch):
    quick = tell_story(database, "91")
    monkeypatch.setattr("beasiswa.ledger.quick.ordinary_payout", lambda *args, **kwargs: None)
    checked = tell_story(database, "92")
    assert quick == checked
    assert [step[1] for step in quick if isinstance(step[1], str)] == [
        "ALREADY_CLAIMED", "LEVEL_YEARS_EXHAUSTED", "FAMILY_CAP_REACHED", "FAMILY_CAP_REACHED",
        "LEVEL_YEARS_EXHAUSTED", "CLAIM_NOT_FOUND"]
