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
import sqlite3
import sys

FORMAT = "beasiswa-journal/1"  # beasiswa.ledger.canonical.FORMAT; a test keeps the two equal
FIELDS = ("seq", "idempotency_key", "case_id", "child_id", "claim_id", "level", "level_group", "academic_year",
          "office", "amount", "kind", "source", "reverses_seq", "maker", "approver", "reason", "posted_at",
          "prev_hash")  # beasiswa.ledger.canonical.FIELDS, likewise

# A level_usage key as one string, the same expression in the pass (beasiswa.ledger.verify) and here.
KEY = {"sqlite": "json_array(case_id, child_id, level_group)",
       "postgresql": "json_build_array(case_id, child_id, level_group)::text"}
_NUMBERS = ("seq", "amount", "reverses_seq")
_NULLABLE = ("claim_id", "reverses_seq")


def _exact(name: str) -> str:
    return f"coalesce(to_json({name})::text, 'null')"


def _array(pieces) -> str:
    return "convert_to('[\"" + FORMAT + "\",' || " + " || ',' || ".join(pieces) + " || ']', 'UTF8')"


def _as_is() -> str:
    """The array with each text between quotes as it is (a nullable one as null when NULL), literals merged."""
    parts, literal = [], '["' + FORMAT + '"'
    for name in FIELDS:
        literal += ","
        if name in _NUMBERS and name in _NULLABLE:
            parts += [f"'{literal}'", f"coalesce({name}::text, 'null')"]
            literal = ""
        elif name in _NUMBERS:
            parts += [f"'{literal}'", f"{name}::text"]
            literal = ""
        elif name in _NULLABLE:
            parts += [f"'{literal}'", f"coalesce('\"' || {name} || '\"', 'null')"]
            literal = ""
        else:
            parts += [f"'{literal}\"'", name]
            literal = '"'
    parts.append(f"'{literal}]'")
    return "convert_to(" + " || ".join(parts) + ", 'UTF8')"


# The canonical bytes as the database writes them from the columns (SQLite's json_array writes no spaces and
# escapes as Python's json does; PostgreSQL's to_json escapes alike, the array is assembled by hand). On
# PostgreSQL, where to_json column by column is most of the time, each text is first written as is between
# quotes: that is the canonical form exactly when no text holds a character JSON escapes, which the stored
# bytes then tell by to_json making them longer by exactly the two quotes around and a backslash before each
# quote of the array's own (`_QUOTED`); any other entry is written with to_json as before. to_json reads the
# stored bytes only once they equal the columns' text, so bytes that are not UTF-8 cannot fail the query.
_TEXTS = [name for name in FIELDS if name not in _NUMBERS]
_QUOTED = ("CASE WHEN claim_id IS NULL THEN {} ELSE {} END"
           .format(2 + 2 * (len(_TEXTS) - 1) + 2, 2 + 2 * len(_TEXTS) + 2))
_PG_EXACT = f"{_array(_exact(name) for name in FIELDS)} IS DISTINCT FROM canonical"
_REBUILT = {
    "sqlite": f"CAST(json_array('{FORMAT}', {', '.join(FIELDS)}) AS BLOB) IS NOT canonical",
    "postgresql": f"CASE WHEN {_as_is()} IS DISTINCT FROM canonical THEN {_PG_EXACT} "
                  f"WHEN octet_length(to_json(convert_from(canonical, 'UTF8'))::text) = octet_length(canonical) "
                  f"+ {_QUOTED} THEN false ELSE {_PG_EXACT} END",
}
# Each case's entries summed against `family_totals`, and the cases with entries but no running total. SQLite:
# each total against its case's entries by the index; PostgreSQL: the journal summed by case in one scan,
# outer-joined with the totals.
_FAMILY = {
    "sqlite": ("SELECT f.case_id, f.paid, (SELECT CAST(sum(j.amount) AS BIGINT) FROM journal j "
               "WHERE j.case_id = f.case_id) FROM family_totals f",
               "SELECT case_id FROM (SELECT DISTINCT case_id FROM journal) j "
               "WHERE case_id NOT IN (SELECT case_id FROM family_totals)"),
    "postgresql": ("SELECT coalesce(f.case_id, j.case_id), f.paid, coalesce(j.summed, 0), f.case_id IS NULL "
                   "FROM family_totals f FULL JOIN (SELECT case_id, CAST(sum(amount) AS BIGINT) AS summed "
                   "FROM journal GROUP BY case_id) j ON j.case_id = f.case_id "
                   "WHERE f.case_id IS NULL OR f.paid IS DISTINCT FROM coalesce(j.summed, 0)"),
}
# paid_years rows that are not an unreversed payout of their own case, child and year. SQLite: row by row;
# PostgreSQL: how many rows are a payout of their own key (one join of the two tables), then whether any row's
# payout is reversed, asked of the few reversals.
_STRAY_PAID_YEAR = ("SELECT p.payout_seq FROM paid_years p LEFT JOIN journal j ON j.seq = p.payout_seq "
                    "WHERE j.seq IS NULL OR j.kind <> 'payout' OR j.case_id <> p.case_id "
                    "OR j.child_id <> p.child_id OR j.academic_year <> p.academic_year "
                    "OR EXISTS (SELECT 1 FROM journal r WHERE r.reverses_seq = p.payout_seq) LIMIT 1")
_PAID_YEARS_MATCHED = ("SELECT count(*), count(j.seq) FROM paid_years p LEFT JOIN journal j ON j.seq = p.payout_seq "
                       "AND j.kind = 'payout' AND j.case_id = p.case_id AND j.child_id = p.child_id "
                       "AND j.academic_year = p.academic_year")
_REVERSED = "SELECT reverses_seq FROM journal WHERE reverses_seq IS NOT NULL"
_REVERSED_PAID = "SELECT EXISTS (SELECT 1 FROM paid_years WHERE payout_seq = ANY(%s))"


def read(cursor, dialect: str) -> dict:
    """The answers, from a DB-API cursor on the snapshot to read."""
    cursor.execute(f"SELECT seq FROM journal WHERE {_REBUILT[dialect]} ORDER BY seq")
    differing = [seq for (seq,) in cursor.fetchall()]
    if dialect == "postgresql":
        cursor.execute(_FAMILY[dialect])
        rows = cursor.fetchall()
        family = [(case, paid, summed) for case, paid, summed, untotalled in rows if not untotalled]
        untotalled = [case for case, _paid, _summed, untotalled in rows if untotalled]
    else:
        paid, untotalled = _FAMILY[dialect]
        cursor.execute(paid)
        family = [(case, paid, summed or 0) for case, paid, summed in cursor.fetchall() if paid != (summed or 0)]
        cursor.execute(untotalled)
        untotalled = [case for (case,) in cursor.fetchall()]
    cursor.execute(f"SELECT {KEY[dialect]}, years_used FROM level_usage WHERE years_used <> 0")
    level_usage = cursor.fetchall()
    if dialect == "postgresql":
        cursor.execute(_PAID_YEARS_MATCHED)
        paid_years_count, matched = cursor.fetchone()
        stray = matched != paid_years_count
        if not stray:
            cursor.execute(_REVERSED)
            reversed_ = [seq for (seq,) in cursor.fetchall()]
            if reversed_:
                cursor.execute(_REVERSED_PAID, (reversed_,))
                stray = cursor.fetchone()[0]
    else:
        cursor.execute("SELECT count(*) FROM paid_years")
        paid_years_count = cursor.fetchone()[0]
        cursor.execute(_STRAY_PAID_YEAR)
        stray = cursor.fetchone() is not None
    return {"differing": differing, "family_totals": family, "untotalled": untotalled,
            "level_usage": level_usage, "paid_years_count": paid_years_count, "stray_paid_year": stray}


def _connect(request: dict):
    if request["dialect"] == "sqlite":
        conn = sqlite3.connect(request["database"], isolation_level=None, timeout=request["timeout"])
        conn.execute("BEGIN")  # deferred; `verify` holds the write lock, so this reads what it reads
        return conn
    import psycopg  # lazy: a side process on SQLite never loads the PostgreSQL driver

    conn = psycopg.connect(**request["connect"])
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    conn.execute(f"SET TRANSACTION SNAPSHOT '{request['snapshot']}'")  # checked by verify: hex digits, dashes
    conn.execute("SET LOCAL work_mem = '64MB'")  # the sums and the join's hash in memory, not in batches on disk
    # The pass and its backend keep the cores busy: parallel workers here only added CPU (~0.4 s a million entries).
    conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
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
