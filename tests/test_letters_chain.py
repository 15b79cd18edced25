"""The letter register is tamper-evident (issue 10, item 3), on SQLite and PostgreSQL: someone who can write the
database (the guarding triggers dropped) changes a letter's kind, date or stored data, or forges a PDF and writes
its SHA-256 into the register, or rewrites a chained row's hash; `letters verify` says ALTERED and
`register_findings` names the letter and the chain row. The chain itself refuses rows out of order and changes."""

import hashlib

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from audit_support import behind_the_back
from beasiswa.db import make_engine
from beasiswa.db.migrate import _config
from beasiswa.ledger.errors import database_rule
from beasiswa.letters import chain
from beasiswa.letters.batch import LetterIssuer
from beasiswa.letters.render import LetterRenderer
from beasiswa.letters.verify import read_letter, register_findings, verify_letter
from ledger_support import beasiswa, database, dialect, sql  # noqa: F401 - fixture
from letters_support import DAY, ISSUERS, issuing, register_claims

FIRST, SECOND = "B/0001/KC-PLG/BSW/08/2025", "B/0002/KC-PLG/BSW/08/2025"
ISSUER = ISSUERS["KC-PLG"]
# The triggers that keep each table append-only: PostgreSQL's one, SQLite's two.
GUARDS = {"postgresql": {t: (f"{t}_append_only",) for t in ("letters", "letter_files", "letter_chain")},
          "sqlite": {t: (f"{t}_no_update", f"{t}_no_delete") for t in ("letters", "letter_files", "letter_chain")}}


@pytest.fixture(scope="module")
def renderer():
    return LetterRenderer()


@pytest.fixture
def two_letters(database, tmp_path, renderer):
    """Two award letters of KC-PLG numbered, rendered and recorded (chain rows 1-4); their directory."""
    keys = register_claims(database, 1, 2)
    out = tmp_path / "letters"
    issued, failed, skipped = LetterIssuer(issuing(database), out, renderer).run(keys, DAY)
    assert not failed and not skipped and [i.number for i in issued] == [FIRST, SECOND]
    return out


def pdf_of(out, number):
    return out / (number.replace("/", "_") + ".pdf")


def verdict(url, path):
    register = issuing(url)
    try:
        return verify_letter(read_letter(path.read_bytes(), str(path)), register.lookup, register.problems_of)
    finally:
        register.engine.dispose()


def findings(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return register_findings(conn)
    finally:
        engine.dispose()


def tamper(url, *statements, tables=("letters",), **params):
    drop = tuple((table, trigger) for table in tables for trigger in GUARDS[dialect(url)][table])
    behind_the_back(url, *statements, drop=drop, **params)


def test_a_register_as_issued_has_no_findings_and_its_letters_are_genuine(database, two_letters):
    assert findings(database) == []
    assert verdict(database, pdf_of(two_letters, FIRST)).verdict.value == "genuine"
    rows = sql(database, "SELECT seq, event, number, actor FROM letter_chain ORDER BY seq")
    assert [tuple(r) for r in rows] == [(1, "numbered", FIRST, ISSUER), (2, "rendered", FIRST, ISSUER),
                                        (3, "numbered", SECOND, ISSUER), (4, "rendered", SECOND, ISSUER)]


def test_a_letter_whose_kind_was_changed_in_the_register_is_altered(database, two_letters):
    tamper(database, "UPDATE letters SET kind = 'rejection' WHERE number = :n", n=FIRST)
    result = verdict(database, pdf_of(two_letters, FIRST))
    assert result.verdict.value == "altered"
    assert any("kind di register 'rejection', yang dirantai 'award'" in r for r in result.reasons)
    found = findings(database)
    assert any(f"baris rantai 1 (surat {FIRST}, penomoran)" in f and "kind" in f for f in found), found
    assert verdict(database, pdf_of(two_letters, SECOND)).verdict.value == "genuine"


def test_a_letter_whose_date_was_changed_in_the_register_is_altered(database, two_letters):
    tamper(database, "UPDATE letters SET letter_date = '2025-08-01' WHERE number = :n", n=SECOND)
    assert verdict(database, pdf_of(two_letters, SECOND)).verdict.value == "altered"
    found = findings(database)
    assert any(f"surat {SECOND}" in f and "letter_date di register '2025-08-01', yang dirantai '2025-08-27'" in f
               for f in found), found


def test_a_letter_whose_stored_data_was_changed_with_its_digest_left_is_altered(database, two_letters):
    data = bytes(sql(database, "SELECT data FROM letters WHERE number = :n", n=FIRST)[0][0])
    changed = data.replace(b'"amount":3000000', b'"amount":30000000')
    assert changed != data
    tamper(database, "UPDATE letters SET data = :d WHERE number = :n", n=FIRST, d=changed)
    result = verdict(database, pdf_of(two_letters, FIRST))
    assert result.verdict.value == "altered"
    assert any("data surat diubah sesudah dicatat" in r for r in result.reasons)
    assert any(f.startswith(f"surat {FIRST}: data surat yang tersimpan ber-SHA-256") for f in findings(database))


def forge(path):
    """One byte of the PDF's identifier changed: it still reads, and its SHA-256 is another's."""
    pdf = bytearray(path.read_bytes())
    at = pdf.index(b"/ID [(") + 6
    pdf[at] = ord("0") if pdf[at] != ord("0") else ord("1")
    path.write_bytes(bytes(pdf))
    return hashlib.sha256(bytes(pdf)).hexdigest()


def test_a_forged_pdf_whose_sha256_was_written_into_the_register_is_altered(database, two_letters):
    path = pdf_of(two_letters, FIRST)
    forged = forge(path)
    tamper(database, "UPDATE letter_files SET pdf_sha256 = :d WHERE number = :n", tables=("letter_files",),
           n=FIRST, d=forged)
    result = beasiswa("letters", "verify", str(path), "--db", database)
    assert result.returncode == 1 and result.stdout.startswith("DIUBAH:"), result.stdout + result.stderr
    assert f"pdf_sha256 di register '{forged}'" in result.stdout
    assert any(f"baris rantai 2 (surat {FIRST}, pencatatan PDF)" in f for f in findings(database))


def test_a_chained_row_rewritten_with_its_hash_recomputed_breaks_the_next_rows_link(database, two_letters):
    path = pdf_of(two_letters, FIRST)
    forged = forge(path)
    row = sql(database, "SELECT canonical FROM letter_chain WHERE seq = 2")[0]
    hashed = chain.decode(bytes(row.canonical))
    hashed["pdf_sha256"] = forged
    rewritten = chain.canonical_bytes([hashed[name] for name in chain.FIELDS])
    tamper(database, "UPDATE letter_files SET pdf_sha256 = :d WHERE number = :n",
           "UPDATE letter_chain SET canonical = :c, hash = :h WHERE seq = 2", tables=("letter_files", "letter_chain"),
           n=FIRST, d=forged, c=rewritten, h=chain.digest(rewritten))
    result = verdict(database, path)
    assert result.verdict.value == "altered"
    assert any("hash baris ini ditulis ulang" in r for r in result.reasons), result.reasons
    found = findings(database)
    chained = sql(database, "SELECT prev_hash FROM letter_chain WHERE seq = 3")[0][0]  # row 2's hash as chained
    assert found == [f"register surat, baris rantai 3 (surat {SECOND}, penomoran): prev_hash {chained[:16]}… bukan "
                     f"hash baris 2 (surat {FIRST}, {chain.digest(rewritten)[:16]}…): baris itu atau hash-nya "
                     f"diubah"]


def test_a_letter_written_straight_into_the_register_is_found_unchained(database, two_letters):
    keys = register_claims(database, 1, 1, prefix="2026")
    row = sql(database, "SELECT data, data_digest FROM letters WHERE number = :n", n=FIRST)[0]
    number = "B/0003/KC-PLG/BSW/08/2025"
    tamper(database, "UPDATE letter_sequences SET last = 3",
           "INSERT INTO letters (number, office, year, sequence, case_id, claim_id, decision_revision, kind, "
           "letter_date, data, data_digest, file_name, numbered_at) VALUES (:n, 'KC-PLG', 2025, 3, :case_id, "
           ":claim_id, 1, 'award', '2025-08-27', :data, :digest, 'B_0003_KC-PLG_BSW_08_2025.pdf', "
           "'2025-08-27T00:00:00.000000Z')", tables=(), n=number, case_id=keys[0].case_id,
           claim_id=keys[0].claim_id, data=bytes(row.data), digest=row.data_digest)
    found = findings(database)
    assert f"surat {number}: baris registernya tidak punya baris rantai penomoran (ditulis di luar aplikasi)" in found


def test_the_chain_takes_rows_only_in_order_and_never_changes_them(database, two_letters):
    head = sql(database, "SELECT hash FROM letter_chain WHERE seq = 4")[0][0]
    insert = ("INSERT INTO letter_chain (seq, event, number, actor, canonical, prev_hash, hash) "
              "VALUES (:seq, 'numbered', :n, NULL, :c, :prev, :h)")
    for seq, prev in ((6, head), (5, "0" * 64)):
        with pytest.raises(IntegrityError) as refused:
            sql(database, insert, seq=seq, n=FIRST, c=b"x", prev=prev, h="f" * 64)
        assert database_rule(str(refused.value.orig)) == "LETTER_CHAIN"
    for statement in ("UPDATE letter_chain SET hash = :h WHERE seq = 4", "DELETE FROM letter_chain WHERE seq = 4"):
        with pytest.raises(IntegrityError) as refused:
            sql(database, statement, h="f" * 64)
        assert database_rule(str(refused.value.orig)) == "LETTER_APPEND_ONLY", statement


def test_upgrading_a_register_issued_before_the_chain_chains_its_letters_in_the_order_they_were_issued(
        database, two_letters):
    engine = make_engine(database)
    with engine.connect() as conn:
        command.downgrade(_config(conn), "0004_journal_totals_by_kind")
        conn.commit()
    with engine.connect() as conn:
        assert "letter_chain" not in {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if dialect(database) == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))}
        command.upgrade(_config(conn), "head")
        conn.commit()
    engine.dispose()
    rows = sql(database, "SELECT seq, event, number, actor FROM letter_chain ORDER BY seq")
    assert [tuple(r) for r in rows] == [(1, "numbered", FIRST, None), (2, "rendered", FIRST, None),
                                        (3, "numbered", SECOND, None), (4, "rendered", SECOND, None)]
    assert findings(database) == []
    assert verdict(database, pdf_of(two_letters, SECOND)).verdict.value == "genuine"


def test_the_last_letters_deleted_from_the_register_are_found_only_against_an_anchor(database, two_letters,
                                                                                    tmp_path):
    anchors = tmp_path / "jangkar.txt"
    assert beasiswa("ledger", "anchor", "--to", str(anchors), "--db", database).returncode == 0
    assert " letters 4:" in anchors.read_text()
    tamper(database, "DELETE FROM letter_files WHERE number = :n", "DELETE FROM letter_chain WHERE seq >= 3",
           "DELETE FROM letters WHERE number = :n", tables=("letters", "letter_files", "letter_chain"), n=SECOND)
    assert beasiswa("audit", "verify", "--db", database).returncode == 0  # the shorter register is consistent
    result = beasiswa("audit", "verify", "--anchors", str(anchors), "--db", database)
    assert result.returncode == 1, result.stdout
    assert f"register surat: baris seq 4 dari jangkar {anchors}:1" in result.stdout
    assert "tidak ada lagi (register surat kini berakhir pada seq 2)" in result.stdout


def test_audit_verify_names_a_letter_changed_in_the_register(database, two_letters):
    tamper(database, "UPDATE letters SET kind = 'rejection' WHERE number = :n", n=FIRST)
    result = beasiswa("audit", "verify", "--db", database)
    assert result.returncode == 1, result.stdout
    assert "register surat" in result.stdout and FIRST in result.stdout
