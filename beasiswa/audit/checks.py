"""`beasiswa audit verify`: every check of the database's evidence, each a list of findings.

A check takes the engine and returns its findings, each a message (Indonesian, for the auditor) naming the
sequence number or row it is about; none means the check passed. Checks are named "module:function" and
imported when run, so a new check is one line of `CHECKS`.
"""

from collections.abc import Callable
from importlib import import_module

import attrs
from sqlalchemy.engine import Engine

from beasiswa.audit import anchors as anchors_
from beasiswa.audit.trail import verify_trail
from beasiswa.ledger import verify
from beasiswa.letters.verify import register_findings
from beasiswa.payments import store
from beasiswa.payments.verify import stored_findings

# (what the auditor reads, "module:function").
CHECKS: list[tuple[str, str]] = [
    ("jurnal", "beasiswa.audit.checks:journal_findings"),
    ("jejak audit", "beasiswa.audit.checks:trail_findings"),
    ("klaim dan jurnal", "beasiswa.audit.crosscheck:findings"),
    ("register surat", "beasiswa.audit.checks:letter_findings"),
    ("berkas transfer", "beasiswa.audit.checks:transfer_findings"),
]


@attrs.frozen
class Checked:
    name: str
    findings: tuple[str, ...]


def journal_findings(engine: Engine) -> list[str]:
    """The journal's chain and running totals (`beasiswa.ledger.verify`)."""
    report = verify(engine)
    return [f"jurnal {p}" if p.startswith("seq ") else f"jurnal: {p}" for p in report.problems]


def trail_findings(engine: Engine) -> list[str]:
    """The audit trail's chain (`beasiswa.audit.trail`)."""
    return list(verify_trail(engine).problems)


def letter_findings(engine: Engine) -> list[str]:
    """The letter register's chain, each row against its chained bytes and its stored data's digest
    (`beasiswa.letters.verify.register_findings`)."""
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return register_findings(conn)


def transfer_findings(engine: Engine) -> list[str]:
    """Every stored transfer file against the SHA-256, count and total recorded at its export
    (`beasiswa.payments.verify.stored_findings`; `beasiswa payments verify --file` checks the bank's copies)."""
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        found = stored_findings(store.batch_rows(conn, content=True), store.transfer_sums(conn))
    return [f"kelompok transfer {f.batch_id}: {f.message}" for f in found]


def _load(target: str) -> Callable[[Engine], list[str]]:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def run(engine: Engine, anchors: list[anchors_.Anchor] = ()) -> list[Checked]:
    """Every check in CHECKS, then the anchors given (if any), in order."""
    out = [Checked(name, tuple(_load(target)(engine))) for name, target in CHECKS]
    if anchors:
        out.append(Checked("jangkar", tuple(anchors_.findings(engine, list(anchors)))))
    return out
