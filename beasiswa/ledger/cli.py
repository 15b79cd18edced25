"""`beasiswa db …` and `beasiswa ledger …`: the ledger's commands, registered on the main app in beasiswa.cli.

Exit status: 0 done; 1 the ledger refused something (a rule named), `verify` (or `report`) found a break, or
`exceptions` found one; 2 bad input
(nothing written); 3 the database stayed busy through every retry (the same command may be run again).
"""

import datetime as dt
from enum import Enum
from pathlib import Path

import typer

# DB_OPTION, _engine and _fail are shared with the other sub-apps. Like every import at the top of this module
# they are light (no database layer): `beasiswa decide` imports this module to register its commands.
from beasiswa.cli_options import DB_OPTION, MAX_SEQ
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

db_app = typer.Typer(no_args_is_help=True, help="The database: create or bring it up to date.")
ledger_app = typer.Typer(no_args_is_help=True, help="The payout ledger: record, reverse, verify, and audit "
                                                       "(report, entitlement, exceptions, export).")

@db_app.command("upgrade")
def upgrade_command(db: str = DB_OPTION) -> None:
    """Create the tables, or bring them to the latest revision (Alembic migrations)."""
    from beasiswa.db import database_url, redact, upgrade

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
    from beasiswa.ledger import Ledger, LedgerBusy
    from beasiswa.ledger.record import record_case
    from beasiswa.rules import InvalidCase, decide

    if not maker.strip() or not approver.strip() or maker.strip().casefold() == approver.strip().casefold():
        _fail(f"--maker {maker!r}, --approver {approver!r}: two different people are needed (MAKER_IS_APPROVER)")
    law = default_law()
    decided = []
    for path in case_files:  # every file is read and decided before anything is written
        try:
            case = read_case(path, today=dt.date.today())  # today at the edge: no payout in history is future
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
    seq: int = typer.Argument(..., min=1, max=MAX_SEQ, help="The sequence number of the payout to reverse."),
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


# ------------------------------------------------------------------ auditors' commands (beasiswa.ledger.report,
# entitlement, exceptions, export hold the logic; these parse options and choose where the output goes)
class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


def _rich():
    from beasiswa.cli import out
    return out


OUT_OPTION = typer.Option(None, "--out", help="Write to this file (written whole, then renamed into place); "
                                             "CSV goes to standard output without it.")


def _tabular(fmt: str, out: Path | None, header, rows, sheet: str, extra_sheets=()) -> int:
    """Rows as CSV or XLSX to `out` (atomically), or CSV to standard output. Returns the row count."""
    import sys

    from beasiswa.ledger.export import atomic_path, write_csv, write_xlsx

    from beasiswa.ledger.export import OutputError

    if out is None:
        return write_csv(sys.stdout, header, rows)
    try:
        with atomic_path(out) as temp:
            if fmt == "xlsx":
                return write_xlsx(temp, sheet, header, rows, extra_sheets)
            with temp.open("w", encoding="utf-8", newline="") as stream:
                return write_csv(stream, header, rows)
    except OutputError as exc:  # e.g. a folder that takes no new file (/proc): nothing was written
        _fail(str(exc))
    except OSError as exc:
        _fail(f"--out: {str(out)!r} cannot be written: {exc.strerror or exc}")


def _check_out(fmt: str, out: Path | None) -> None:
    from beasiswa.ledger.export import OutputError, check_output

    try:
        if out is not None:
            check_output(out)
        elif fmt == "xlsx":
            raise OutputError("--out: XLSX is written to a file: give --out FILE.xlsx")
    except OutputError as exc:
        _fail(str(exc))


@ledger_app.command("report")
def report_command(
    by: str = typer.Option("level_group,academic_year,office", "--by",
                           help="Group by any of level_group, academic_year, office (comma-separated; '' for "
                                "the whole journal)."),
    period: str = typer.Option("month", "--period",
                               help="month | year | all: the UTC calendar month or year of posted_at (posting "
                                    "time, not the academic year paid for), or one period for everything."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", help="table (people), csv or xlsx."),
    out: Path = OUT_OPTION,
    check: bool = typer.Option(True, "--verify/--no-verify", help="Verify the chain first (default) and report "
                                                                  "the entries it verified."),
    db: str = DB_OPTION,
) -> None:
    """Counts and totals by level group × academic year × office, per posting period, with opening +
    payouts − reversals = closing; ends with the head hash to keep outside the database. Exit 1 if verify
    finds a break (the report is still printed)."""
    from beasiswa.ledger import verify
    from beasiswa.ledger.report import (ReportOptionError, build_report, check_period, head_line, journal_head,
                                        parse_dimensions, print_report, report_rows)

    try:
        dimensions, period = parse_dimensions(by), check_period(period)
    except ReportOptionError as exc:
        _fail(str(exc))
    _check_out(format.value, out)
    engine = _engine(db)
    broken = False
    if check:
        verified = verify(engine)
        broken = not verified.ok
        seq, head_hash = (verified.entries, verified.head_hash) if verified.ok else journal_head(engine)
        status = "verify OK" if verified.ok else f"verify BROKEN: {verified.problems[0]}"
    else:
        (seq, head_hash), status = journal_head(engine), "not verified"
    report = build_report(engine, dimensions, period, seq)
    line = head_line(seq, head_hash, status)
    if format is TableFormat.table:
        print_report(_rich(), report)
        typer.echo(line)
    else:
        header, rows = report_rows(report)
        count = _tabular(format.value, out, header, rows, "laporan",
                         [("head", [("head_seq", seq), ("head_hash", head_hash), ("status", status)])])
        typer.echo(f"{count} lines written to {out}; {line}" if out else line, err=out is None)
    if broken:
        raise typer.Exit(1)


@ledger_app.command("entitlement")
def entitlement_command(
    case_id: str = typer.Argument(..., metavar="CASE_ID", help="A registered case."),
    format: str = typer.Option("table", "--format", help="table or json."),
    db: str = DB_OPTION,
) -> None:
    """Per child the years used per level group (TK and SD stages too), paid and remaining against the
    per-child cap; per family the cap, paid and remaining: from the journal, its running totals and the law."""
    import json

    from beasiswa.db import database_url, redact
    from beasiswa.law import default_law
    from beasiswa.ledger.entitlement import UnknownCase, print_entitlement, read_entitlement, to_json

    if format not in ("table", "json"):
        _fail(f"--format: {format!r} is not a format (table, json)")
    engine = _engine(db)
    try:
        entitlement = read_entitlement(engine, case_id, default_law())
    except UnknownCase as exc:
        _fail(f"{exc} ({redact(database_url(db))})")
    if format == "json":
        typer.echo(json.dumps(to_json(entitlement), ensure_ascii=False, indent=2))
    else:
        print_entitlement(_rich(), entitlement)


@ledger_app.command("exceptions")
def exceptions_command(
    format: str = typer.Option("table", "--format", help="table or csv."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Entries that break a rule anyway (imported history, tampering): age 23, married, working, before the
    event, level or amount not the law's, allowance, child limit, child or family cap, one account on several
    families, maker = approver, sequence gaps. One line per finding; exit 0 with "no exceptions", 1 if any."""
    from beasiswa.law import default_law
    from beasiswa.ledger.exceptions import HEADER, find_exceptions, finding_rows, print_findings
    from beasiswa.ledger.report import head_line, journal_head

    if format not in ("table", "csv"):
        _fail(f"--format: {format!r} is not a format (table, csv)")
    _check_out(format, out)
    engine = _engine(db)
    seq, head_hash = journal_head(engine)
    found = find_exceptions(engine, default_law(), seq)
    line = head_line(seq, head_hash, f"entries up to seq {seq} checked")
    if format == "csv":
        count = _tabular("csv", out, HEADER, finding_rows(found), "exceptions")
        typer.echo(f"{count} findings written to {out}; {line}" if out else line, err=out is None)
    elif found:
        print_findings(_rich(), found)
        typer.echo(line)
    else:
        typer.echo(f"no exceptions; {line}")
    if found:
        raise typer.Exit(1)


@ledger_app.command("export")
def export_command(
    format: FileFormat = typer.Option(FileFormat.csv, "--format", help="csv or xlsx."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """The whole journal with its hashes and canonical bytes, in seq order (streamed). Text cells starting
    with = + - @ tab or CR are prefixed with ' (CSV injection); amounts stay numbers."""
    from beasiswa.ledger.export import EXPORT_COLUMNS, journal_rows
    from beasiswa.ledger.report import head_line, journal_head

    _check_out(format.value, out)
    engine = _engine(db)
    seq, head_hash = journal_head(engine)
    count = _tabular(format.value, out, EXPORT_COLUMNS, journal_rows(engine, seq), "journal")
    line = head_line(seq, head_hash, "not verified; run `beasiswa ledger verify`")
    typer.echo(f"{count} entries written to {out}; {line}" if out else line, err=out is None)
