"""Letter runs at the same time (issue 10, item 5), on SQLite and PostgreSQL: three `letters render` started
together share the work. None fails (no unique violation on the register), every decided claim gets one
letter, the numbers run 1..N without a gap, every PDF is written exactly once (the runs' counts of PDFs written
add up to N) and is the one the register holds, and the register's chain verifies."""

import hashlib
import re
import subprocess
import sys

from beasiswa.db import make_engine
from beasiswa.letters.verify import register_findings
from ledger_support import ROOT, database, sql  # noqa: F401 - fixture
from letters_support import DAY, as_issuers, register_claims, register_rows, sequences_of

WRITTEN = re.compile(r"^(\d+) surat ditulis", re.MULTILINE)


def race(url, out, tmp_path, runs):
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "letters_render_worker.py"), str(go), "letters",
                                "render", "--out", str(out), "--db", url, "--date", DAY.isoformat(), "--workers", "1",
                                *as_issuers()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
              for _ in range(runs)]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()
    go.touch()
    results = []
    for racer in racers:
        stdout, stderr = racer.communicate(timeout=600)
        assert racer.returncode == 0, stdout + stderr
        results.append(stdout)
    return results


def test_three_renders_at_once_share_the_work_and_write_each_pdf_once(database, tmp_path):
    keys = register_claims(database, 15, 8)
    out = tmp_path / "letters"
    outputs = race(database, out, tmp_path, 3)
    written = [int(m[1]) if (m := WRITTEN.search(o)) else 0 for o in outputs]
    assert sum(written) == 120, outputs
    rows = register_rows(database)
    assert sorted((r.case_id, r.claim_id) for r in rows) == sorted((k.case_id, k.claim_id) for k in keys)
    assert sequences_of(rows) == {("KC-PLG", 2025): list(range(1, 121))}
    for row in rows:
        assert hashlib.sha256((out / row.file_name).read_bytes()).hexdigest() == row.pdf_sha256, row.number
    assert sorted(p.name for p in out.iterdir()) == sorted(r.file_name for r in rows)  # no lock or temporary left
    assert sql(database, "SELECT COUNT(*) FROM audit_trail WHERE action = 'letter.issue'")[0][0] == 120
    engine = make_engine(database)
    with engine.connect() as conn:
        assert register_findings(conn) == []
    engine.dispose()
