"""`beasiswa db …` and `beasiswa ledger …`: the ledger's commands, registered on the main app in beasiswa.cli.

Exit status: 0 done; 1 the ledger refused something (a rule named) or `verify` found a break; 2 bad input
(nothing written); 3 the database stayed busy through every retry (the same command may be run again).
"""

from pathlib import Path

import typer

from beasiswa.db import current_revision, database_url, head_revision, make_engine, redact, upgrade
from beasiswa.db.engine import DatabaseUrlError

db_app = typer.Typer(no_args_is_help=True, help="The database: create or bring it up to date.")
ledger_app = typer.Typer(no_args_is_help=True, help="The payout ledger: record, reverse, verify.")

DB_OPTION = typer.Option(None, "--db", help="Database URL (default: $BEASISWA_DATABASE_URL, else sqlite:///beasiswa.db).")


def _fail(message: str, status: int = 2):
    from beasiswa.cli import fail
    fail(message, status)


def _engine(db: str | None, *, migrated: bool = True):
    url = database_url(db)
    try:
        engine = make_engine(url)
    except DatabaseUrlError as exc:
        _fail(str(exc))
    if migrated:
        try:
            at = current_revision(engine)
        except Exception as exc:  # an unreachable server, a file that is no database
            _fail(f"database {redact(url)}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        if at != head_revision():
            _fail(f"database {redact(url)} is at revision {at or 'none'}, not {head_revision()}: "
                  f"run `beasiswa db upgrade`")
    return engine


@db_app.command("upgrade")
def upgrade_command(db: str = DB_OPTION) -> None:
    """Create the tables, or bring them to the latest revision (Alembic migrations)."""
    engine = _engine(db, migrated=False)
    revision = upgrade(engine)
    typer.echo(f"database {redact(database_url(db))}: at revision {revision} (head)")


@ledger_app.command("record")
def record_command(
    case_files: list[Path] = typer.Argument(..., help="Case files (beasiswa-case/1 JSON)."),
    maker: str = typer.Option(..., "--maker", help="Who prepared the postings."),
    approver: str = typer.Option(..., "--approver", help="Who approved them (not the maker)."),
    db: str = DB_OPTION,
) -> None:
    """Decide each case, register it with its decisions, import its history and pay its approved claims."""
    from beasiswa.casefile import CaseFileError, read_case
    from beasiswa.indonesian import format_rupiah
    from beasiswa.law import default_law
    from beasiswa.ledger import Ledger, LedgerBusy, Refused
    from beasiswa.ledger.record import record_case
    from beasiswa.rules import InvalidCase, decide

    if not maker.strip() or not approver.strip() or maker.strip().casefold() == approver.strip().casefold():
        _fail(f"--maker {maker!r}, --approver {approver!r}: two different people are needed (MAKER_IS_APPROVER)")
    law = default_law()
    decided = []
    for path in case_files:  # every file is read and decided before anything is written
        try:
            case = read_case(path)
            decided.append((case, decide(case, law)))
        except (CaseFileError, InvalidCase) as exc:
            _fail(str(exc))
    ledger = Ledger(_engine(db), law)
    refusals = 0
    for case, decision in decided:
        try:
            result = record_case(ledger, case, decision, maker=maker, approver=approver)
        except LedgerBusy as exc:
            _fail(f"case {case.case_id}: the database stayed busy ({exc}); run the same command again", 3)
        refusals += result.refusals
        if result.refused:
            typer.echo(f"{case.case_id}: refused, nothing recorded: {result.refused}")
            continue
        reg = result.registered
        imported = len(reg.history)
        history = (f"history: {imported} payout{'s' if imported != 1 else ''} imported" if reg.new
                   else "already registered")
        typer.echo(f"{case.case_id}: {reg.scheme_id}, {history}")
        for c in result.claims:
            d = c.decision
            if c.posted:
                e = c.posted.entry
                state = f"seq {e.seq}" + (" (posted before)" if c.posted.replayed else "")
                typer.echo(f"  {d.claim:<12} paid      {format_rupiah(d.amount):>18}  {state}")
            elif c.refused:
                typer.echo(f"  {d.claim:<12} refused   {c.refused}")
            else:
                codes = ", ".join(r.code.value for r in d.reasons)
                typer.echo(f"  {d.claim:<12} {d.outcome.value:<9} not paid ({codes})")
    if refusals:
        raise typer.Exit(1)


@ledger_app.command("reverse")
def reverse_command(
    seq: int = typer.Argument(..., help="The sequence number of the payout to reverse."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the journal)."),
    maker: str = typer.Option(..., "--maker"),
    approver: str = typer.Option(..., "--approver"),
    key: str = typer.Option(None, "--key", help="Idempotency key (default: one per reversed payout)."),
    db: str = DB_OPTION,
) -> None:
    """Reverse one payout: a new entry with the negated amount; the payout itself is never changed."""
    from beasiswa.indonesian import format_rupiah
    from beasiswa.ledger import Ledger, LedgerBusy, Refused

    ledger = Ledger(_engine(db))
    try:
        posted = ledger.reverse(seq, reason=reason, maker=maker, approver=approver, key=key)
    except Refused as refusal:
        _fail(str(refusal), 1)
    except LedgerBusy as exc:
        _fail(f"the database stayed busy ({exc}); run the same command again", 3)
    e = posted.entry
    again = " (posted before)" if posted.replayed else ""
    typer.echo(f"seq {e.seq}: reversal of seq {e.reverses_seq}, {format_rupiah(e.amount)}, case {e.case_id} "
               f"child {e.child_id} {e.academic_year}{again}")


@ledger_app.command("verify")
def verify_command(db: str = DB_OPTION) -> None:
    """Recompute the hash chain and every running total from the journal; exit 1 on any break."""
    from beasiswa.ledger import verify

    report = verify(_engine(db))
    if report.ok:
        typer.echo(f"OK: {report.entries} entries, head hash {report.head_hash}")
        return
    first = report.problems[0]
    if report.broken_seq:
        first = f"at seq {report.broken_seq}: {first.removeprefix(f'seq {report.broken_seq}: ')}"
    else:
        first = f"in the running totals: {first}"
    typer.echo(f"BROKEN {first}")
    for problem in report.problems[1:]:
        typer.echo(f"  also: {problem}")
    typer.echo(f"({report.entries} entries verified before it, head hash {report.head_hash})")
    raise typer.Exit(1)
