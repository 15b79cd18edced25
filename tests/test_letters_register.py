"""The letter register (rule book §7, issue 4), on SQLite and PostgreSQL: numbers per issuing office per year,
sequential from 1, assigned in the transaction that registers the letter, never reused and never two for the
same decision, even with processes racing; the register refuses straight SQL that would change or remove it."""

import datetime as dt
import json
import subprocess
import sys

import attrs
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from beasiswa.db import make_engine
from beasiswa.db.letter_tables import SQLModel
from beasiswa.ledger.errors import database_rule
from beasiswa.letters.canonical import canonical_bytes, digest
from beasiswa.letters.register import file_name
from beasiswa.model import ClaimRef, Refusal
from ledger_support import ROOT, database, sql  # noqa: F401 - fixture
from letters_support import DAY, issuing, register_claims, register_fixtures, register_rows, sequences_of

LETTER_TABLES = {"letter_sequences", "letters", "letter_files", "letter_chain"}


def refused_by_database(url, statement, **params) -> str:
    with pytest.raises(IntegrityError) as caught:
        sql(url, statement, **params)
    return database_rule(str(caught.value.orig))


def numbered(url, key, day=DAY):
    register = issuing(url)
    try:
        return register.number(key, day)
    finally:
        register.engine.dispose()


def test_the_migration_creates_exactly_the_letter_tables_of_the_models(database):
    engine = make_engine(database)
    def include(_object, name, type_, _reflected, _compare_to):
        return type_ != "table" or name in LETTER_TABLES

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_each_office_numbers_its_letters_from_1_in_each_year(database):
    plg = register_claims(database, 1, 3, office="KC-PLG")
    sby = register_claims(database, 1, 2, office="KC-SBY")
    numbers = [numbered(database, plg[0]).entry.number, numbered(database, sby[0]).entry.number,
               numbered(database, plg[1]).entry.number, numbered(database, sby[1]).entry.number,
               numbered(database, plg[2], dt.date(2026, 1, 2)).entry.number]
    assert numbers == ["B/0001/KC-PLG/BSW/08/2025", "B/0001/KC-SBY/BSW/08/2025", "B/0002/KC-PLG/BSW/08/2025",
                       "B/0002/KC-SBY/BSW/08/2025", "B/0001/KC-PLG/BSW/01/2026"]
    assert sql(database, "SELECT office, year, last FROM letter_sequences ORDER BY office, year") == [
        ("KC-PLG", 2025, 2), ("KC-PLG", 2026, 1), ("KC-SBY", 2025, 2)]


def test_the_register_holds_the_letters_canonical_data_its_digest_and_file_name(database):
    (key,) = register_claims(database, 1, 1)
    result = numbered(database, key)
    row = issuing(database).lookup(result.entry.number)
    assert row.data == canonical_bytes(result.letter)
    assert row.data_digest == digest(row.data)
    assert (row.case_id, row.claim_id, row.kind, row.decision_revision) == (key.case_id, key.claim_id, "award", 1)
    assert row.letter_date == DAY
    assert row.file_name == file_name(row.number) == "B_0001_KC-PLG_BSW_08_2025.pdf"
    assert row.pdf_sha256 is None  # numbered; its PDF is recorded when written


def test_a_claim_numbered_again_gets_its_letter_back_and_uses_no_number(database):
    keys = register_claims(database, 1, 2)
    first = numbered(database, keys[0])
    again = numbered(database, keys[0], dt.date(2025, 9, 30))  # a later run, another day
    assert (first.created, again.created) == (True, False)
    assert again.entry.number == first.entry.number and again.letter == first.letter
    assert numbered(database, keys[1]).entry.number == "B/0002/KC-PLG/BSW/08/2025"


def test_a_pending_claim_gets_no_letter_and_no_number(database):
    register_fixtures(database, ("07",))  # klaim-1 pending (employer arrears), klaim-2 returned
    register = issuing(database)
    with pytest.raises(Refusal) as refused:
        register.number(ClaimRef("KC-SBY-2023-001204", "klaim-1"), DAY)
    assert refused.value.code == "CLAIM_PENDING"
    assert sql(database, "SELECT COUNT(*) FROM letters")[0][0] == 0
    assert [str(k) for k in register.unlettered()] == ["KC-SBY-2023-001204/klaim-2"]
    assert register.number(ClaimRef("KC-SBY-2023-001204", "klaim-2"), DAY).entry.sequence == 1


def test_a_claim_unknown_to_the_database_is_refused_naming_it(database):
    register_claims(database, 1, 1)
    register = issuing(database)
    with pytest.raises(Refusal, match="klaim-9 is not registered") as refused:
        register.number(ClaimRef("KC-PLG-2025-000001", "klaim-9"), DAY)
    assert refused.value.code == "CLAIM_NOT_REGISTERED"


def test_a_re_decided_claim_gets_a_new_letter_and_the_first_stays_in_the_register(database):
    (key,) = register_claims(database, 1, 1)
    first = numbered(database, key)
    sql(database, "UPDATE claims SET decision_revision = 2 WHERE case_id = :c AND claim_id = :k",
        c=key.case_id, k=key.claim_id)
    second = numbered(database, key)
    assert second.created and second.entry.decision_revision == 2
    assert second.entry.number == "B/0002/KC-PLG/BSW/08/2025"
    assert [r.number for r in issuing(database).letters_of(key.case_id, key.claim_id)] == [
        first.entry.number, second.entry.number]


def test_a_letter_that_would_no_longer_state_what_was_registered_is_not_rebuilt(database):
    (key,) = register_claims(database, 1, 1)
    first = numbered(database, key)
    register = issuing(database)
    entry = register.lookup(first.entry.number)
    assert register.rebuild(entry) == first.letter
    # A different letters' data (another place) would state something else than what was registered.
    register.settings = attrs.evolve(register.settings, offices={
        code: attrs.evolve(o, city="Prabumulih") for code, o in register.settings.offices.items()})
    with pytest.raises(Refusal) as refused:
        register.rebuild(entry)
    assert refused.value.code == "LETTER_DATA_CHANGED"


def test_recording_a_pdf_twice_with_the_same_digest_changes_nothing_and_another_digest_is_refused(database):
    (key,) = register_claims(database, 1, 1)
    number = numbered(database, key).entry.number
    register = issuing(database)
    assert register.record_pdf(number, "a" * 64).pdf_sha256 == "a" * 64
    assert register.record_pdf(number, "a" * 64).pdf_sha256 == "a" * 64
    with pytest.raises(Refusal) as refused:
        register.record_pdf(number, "b" * 64)
    assert refused.value.code == "LETTER_PDF_CHANGED"


# ------------------------------------------------------------------------------------- straight SQL


def test_registered_letters_cannot_be_updated_or_deleted(database):
    (key,) = register_claims(database, 1, 1)
    number = numbered(database, key).entry.number
    issuing(database).record_pdf(number, "a" * 64)
    for statement in ("UPDATE letters SET kind = 'rejection' WHERE number = :n",
                      "UPDATE letters SET data_digest = :d WHERE number = :n",
                      "DELETE FROM letters WHERE number = :n",
                      "UPDATE letter_files SET pdf_sha256 = :d WHERE number = :n",
                      "DELETE FROM letter_files WHERE number = :n"):
        assert refused_by_database(database, statement, n=number, d="0" * 64) == "LETTER_APPEND_ONLY", statement
    assert sql(database, "SELECT COUNT(*) FROM letters JOIN letter_files USING (number)")[0][0] == 1


def test_a_sequence_moves_only_forward_by_one_and_is_never_deleted(database):
    keys = register_claims(database, 1, 2)
    numbered(database, keys[0])
    for statement in ("UPDATE letter_sequences SET last = last - 1",
                      "UPDATE letter_sequences SET last = last + 2",
                      "UPDATE letter_sequences SET year = 2026",
                      "DELETE FROM letter_sequences",
                      "INSERT INTO letter_sequences (office, year, last) VALUES ('KC-SBY', 2025, 5)"):
        assert refused_by_database(database, statement) == "LETTER_SEQUENCE", statement
    assert numbered(database, keys[1]).entry.sequence == 2


# SQLite has no TRUNCATE: its DELETE, refused above, is the only way to empty a table.
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_the_register_cannot_be_truncated_where_the_database_has_truncate(database):
    (key,) = register_claims(database, 1, 1)
    numbered(database, key)
    for table in ("letters", "letter_files", "letter_sequences"):
        assert refused_by_database(database, f"TRUNCATE {table} CASCADE") == "LETTER_APPEND_ONLY", table
    assert sql(database, "SELECT COUNT(*) FROM letters")[0][0] == 1


INSERT = ("INSERT INTO letters (number, office, year, sequence, case_id, claim_id, decision_revision, kind, "
          "letter_date, data, data_digest, file_name, numbered_at) VALUES (:number, 'KC-PLG', 2025, :sequence, "
          ":case_id, :claim_id, :revision, :kind, :day, :data, :digest, :file, '2025-08-27T00:00:00.000000Z')")


def forged(key, sequence, kind="award", revision=1, month=8):
    number = f"B/{sequence:04d}/KC-PLG/BSW/{month:02d}/2025"
    return dict(number=number, sequence=sequence, case_id=key.case_id, claim_id=key.claim_id, revision=revision,
                kind=kind, day=DAY, data=b"{}", digest="0" * 64, file=file_name(number))


def test_a_letter_written_behind_the_register_must_take_the_number_its_sequence_just_issued(database):
    keys = register_claims(database, 1, 3)
    numbered(database, keys[0])  # the sequence's last is 1
    with pytest.raises(IntegrityError, match=r"letter_sequence_once|letters\.office, letters\.year, letters\.sequence"):
        sql(database, INSERT, **forged(keys[1], 1, month=9))  # 1 was issued this year, and is taken
    assert refused_by_database(database, INSERT, **forged(keys[1], 2)) == "LETTER_SEQUENCE"
    assert refused_by_database(database, INSERT, **forged(keys[1], 7)) == "LETTER_SEQUENCE"


def test_a_letter_of_another_kind_than_the_decision_is_refused_by_the_database(database):
    keys = register_claims(database, 1, 1)

    def take_next_and_insert(**row):
        engine = make_engine(database)
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO letter_sequences (office, year, last) VALUES ('KC-PLG', 2025, 0)"))
                conn.execute(text("UPDATE letter_sequences SET last = last + 1"))
                conn.execute(text(INSERT), row)
        finally:
            engine.dispose()

    with pytest.raises(IntegrityError) as caught:
        take_next_and_insert(**forged(keys[0], 1, kind="rejection"))
    assert database_rule(str(caught.value.orig)) == "LETTER_CLAIM"
    take_next_and_insert(**forged(keys[0], 1, kind="award"))  # the same row as an award goes in
    assert sql(database, "SELECT COUNT(*) FROM letters")[0][0] == 1


# ------------------------------------------------------------------------------------------ races


def race(url, tmp_path, jobs_per_racer):
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "letters_worker.py"), url, str(go),
                                DAY.isoformat(), json.dumps(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT) for jobs in jobs_per_racer]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()
    go.touch()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines()]
    return results


def test_four_processes_numbering_200_letters_get_200_distinct_consecutive_numbers(database, tmp_path):
    keys = register_claims(database, 20, 10)
    jobs = [[key.case_id, key.claim_id] for key in keys]
    results = race(database, tmp_path, [jobs[i::4] for i in range(4)])
    assert len(results) == 200 and all(r["created"] for r in results)
    assert sorted(int(r["number"].split("/")[1]) for r in results) == list(range(1, 201))
    rows = register_rows(database)
    assert sequences_of(rows) == {("KC-PLG", 2025): list(range(1, 201))}
    assert sql(database, "SELECT last FROM letter_sequences")[0][0] == 200


def test_processes_racing_for_the_same_claims_number_each_claim_once_and_skip_no_number(database, tmp_path):
    keys = register_claims(database, 5, 10)
    jobs = [[key.case_id, key.claim_id] for key in keys]
    results = race(database, tmp_path, [jobs, jobs[::-1], jobs[25:] + jobs[:25]])
    by_claim = {}
    for r in results:
        by_claim.setdefault((r["case"], r["claim"]), set()).add(r["number"])
    assert len(by_claim) == 50 and all(len(numbers) == 1 for numbers in by_claim.values())
    assert sum(r["created"] for r in results) == 50
    assert sequences_of(register_rows(database)) == {("KC-PLG", 2025): list(range(1, 51))}
