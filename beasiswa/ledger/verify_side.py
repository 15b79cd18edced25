"""The half of `verify` that the database answers, run as a second process on the same snapshot as the pass.

`verify` reads the journal in seq order in its own process; meanwhile this process asks the database the
questions that need no Python per row: which entries' columns, written as JSON by the database, are not their
stored canonical bytes (candidates that `verify` rebuilds exactly), what each case's entries sum to against
`family_totals`, the `level_usage` rows that count years, and whether `paid_years` holds only unreversed
payouts of their own keys. A process rather than a thread: a thread fetching rows fights the pass for the GIL
and the two together took longer than one after the other.

Started as `python -m beasiswa.ledger.verify_side`: the request (JSON) on stdin, the answer (pickle) on
stdout. It imports only the standard library and the database driver, so it starts in milliseconds.
"""

import json
import pickle
import sys

FORMAT = "beasiswa-journal/1"  # beasiswa.ledger.canonical.FORMAT; a test keeps the two equal
FIELDS = ("seq", "idempotency_key", "case_id", "child_id", "claim_id", "level", "level_group", "academic_year",
          "office", "amount", "kind", "source", "reverses_seq", "maker", "approver", "reason", "posted_at",
          "prev_hash")  # beasiswa.ledger.canonical.FIELDS, likewise

# A level_usage key as one string, the same expression in the pass (beasiswa.ledger.verify) and here.
KEY = {"sqlite": "json_array(case_id, child_id, level_group)",
       "postgresql": "json_build_array(case_id, child_id, level_group)::text"}
# The canonical bytes as the database writes them from the columns (SQLite's json_array writes no spaces and
# escapes as Python's json does; PostgreSQL's to_json escapes alike, the array is assembled by hand).
_REBUILT = {
    "sqlite": f"CAST(json_array('{FORMAT}', {', '.join(FIELDS)}) AS BLOB) IS NOT canonical",
    "postgresql": "convert_to('[\"" + FORMAT + "\",' || "
                  + " || ',' || ".join(f"coalesce(to_json({name})::text, 'null')" for name in FIELDS)
                  + " || ']', 'UTF8') IS DISTINCT FROM canonical",
}
_PAID = ("SELECT f.case_id, f.paid, (SELECT CAST(sum(j.amount) AS BIGINT) FROM journal j "
         "WHERE j.case_id = f.case_id) FROM family_totals f")
_UNTOTALLED = ("SELECT case_id FROM (SELECT DISTINCT case_id FROM journal) j "
               "WHERE case_id NOT IN (SELECT case_id FROM family_totals)")
# paid_years rows that are not an unreversed payout of their own case, child and year.
_STRAY_PAID_YEAR = ("SELECT p.payout_seq FROM paid_years p LEFT JOIN journal j ON j.seq = p.payout_seq "
                    "WHERE j.seq IS NULL OR j.kind <> 'payout' OR j.case_id <> p.case_id "
                    "OR j.child_id <> p.child_id OR j.academic_year <> p.academic_year "
                    "OR EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = p.payout_seq) LIMIT 1")


def read(cursor, dialect: str) -> dict:
    """The answers, from a DB-API cursor on the snapshot to read."""
    cursor.execute(f"SELECT seq FROM journal WHERE {_REBUILT[dialect]} ORDER BY seq")
    differing = [seq for (seq,) in cursor.fetchall()]
    cursor.execute(_PAID)
    family = [(case, paid, summed or 0) for case, paid, summed in cursor.fetchall() if paid != (summed or 0)]
    cursor.execute(_UNTOTALLED)
    untotalled = [case for (case,) in cursor.fetchall()]
    cursor.execute(f"SELECT {KEY[dialect]}, years_used FROM level_usage WHERE years_used <> 0")
    level_usage = cursor.fetchall()
    cursor.execute("SELECT count(*) FROM paid_years")
    paid_years_count = cursor.fetchone()[0]
    cursor.execute(_STRAY_PAID_YEAR)
    stray = cursor.fetchone() is not None
    return {"differing": differing, "family_totals": family, "untotalled": untotalled,
            "level_usage": level_usage, "paid_years_count": paid_years_count, "stray_paid_year": stray}


def _connect(request: dict):
    if request["dialect"] == "sqlite":
        import sqlite3

        conn = sqlite3.connect(request["database"], isolation_level=None, timeout=request["timeout"])
        conn.execute("BEGIN")  # deferred; `verify` holds the write lock, so this reads what it reads
        return conn
    import psycopg

    conn = psycopg.connect(**request["connect"])
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    conn.execute(f"SET TRANSACTION SNAPSHOT '{request['snapshot']}'")  # checked by verify: hex digits, dashes
    return conn


def main() -> None:
    request = json.loads(sys.stdin.read())
    conn = _connect(request)
    try:
        answer = read(conn.cursor(), request["dialect"])
        conn.rollback()
    finally:
        conn.close()
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
