"""`beasiswa db …` and `beasiswa ledger …`: the ledger's commands, registered on the main app in beasiswa.cli.

`record` and `reverse` write: they run as registered users through the workflow's service (roles, office,
four eyes, the audit trail), as every other write does.

Exit status: 0 done; 1 the ledger or the workflow refused something (a rule named: a ledger rule, a role, an
office, four eyes, an unknown or deactivated user), `verify` (or `report`) found a break, or
`exceptions` found one; 2 bad input
(nothing written); 3 the database stayed busy through every retry (the same command may be run again).
"""

from enum import Enum
from pathlib import Path

import typer

# DB_OPTION, _engine and _fail are shared with the other sub-apps. Like every import at the top of this module
# they are light (no database layer): `beasiswa decide` imports this module to register its commands.
from beasiswa.cli_options import DB_OPTION
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

db_app = typer.Typer(no_args_is_help=True, help="The database: create or bring it up to date.")
ledger_app = typer.Typer(no_args_is_help=True, help="The payout ledger: record, reverse, verify, and audit "
                                                       "(report, entitlement, exceptions, export).")

@db_app.command("upgrade")
def upgrade_command(
    db: str = DB_OPTION,
    app_role: str = typer.Option(None, "--app-role", metavar="NAME",
                                 help="PostgreSQL: the role every other command connects as (default "
                                      "beasiswa_app), created if absent and granted only what the application "
                                      "needs; --db names the owner, who runs the migrations. SQLite: ignored."),
) -> None:
    """Create the tables, or bring them to the latest revision (Alembic migrations); on PostgreSQL, then the
    application role's privileges (beasiswa.db.roles)."""
    from beasiswa.db import database_url, redact
    from beasiswa.db.migrate import upgrade_and_grant
    from beasiswa.db.roles import APP_ROLE, RolesRefused, check_role_name

    role = APP_ROLE if app_role is None else app_role
    try:
        check_role_name(role)
    except RolesRefused as exc:
        _fail(str(exc))
    engine = _engine(db, migrated=False)
    try:
        revision, granted = upgrade_and_grant(engine, role)
    except RolesRefused as exc:
        _fail(f"database {redact(database_url(db))}: nothing upgraded: {exc}")
    typer.echo(f"database {redact(database_url(db))}: at revision {revision} (head)")
    if granted is not None:
        typer.echo(f"application role {granted.role}{' (created)' if granted.created else ''}, schema "
                   f"{granted.schema}: reads {len(granted.read)} tables, adds rows to {len(granted.insert)}, "
                   f"changes columns of {', '.join(granted.update)}; nothing else. Connect as it for every "
                   f"other command.")


# Who acts: the workflow's users (`beasiswa users add`), named as the workflow's commands name them.
AS_OPTION = typer.Option(None, "--as", "--maker", envvar="BEASISWA_USER", show_envvar=True,
                         help="The registered user who makes the postings (--maker is the old name).")


def _named(as_: str | None, approver: str, command: str) -> None:
    if not as_:
        _fail(f"ledger {command}: postings are made as a registered user: --as NAME or BEASISWA_USER")
    if not approver.strip():
        _fail(f"ledger {command}: --approver {approver!r}: name the registered supervisor who approves")


@ledger_app.command("record")
def record_command(
    case_files: list[Path] = typer.Argument(..., help="Case files (beasiswa-case/1 JSON)."),
    as_: str = AS_OPTION,
    approver: str = typer.Option(..., "--approver", help="The registered supervisor of the case's office who "
                                                         "approves and pays (not the maker)."),
    db: str = DB_OPTION,
) -> None:
    """Take each case in and decide it, import its history, and pay its approved claims: verified by the maker
    (--as, an officer or supervisor of the case's office), approved and paid by --approver (a supervisor of
    that office, another person); every step audited, one transaction per case."""
    from beasiswa.casefile import CaseFileError, read_case
    from beasiswa.indonesian import format_rupiah
    from beasiswa.law import default_law
    from beasiswa.ledger import LedgerBusy
    from beasiswa.rules import InvalidCase, decide
    from beasiswa.workflow.service import Workflow

    _named(as_, approver, "record")
    law = default_law()
    cases = []
    for path in case_files:  # every file is read and decided before anything is written (bad input: exit 2)
        try:
            case = read_case(path)
            decide(case, law)
        except (CaseFileError, InvalidCase) as exc:
            _fail(str(exc))
        cases.append((path, case))
    workflow = Workflow(_engine(db), law)
    refusals = 0
    for path, case in cases:
        try:
            result = workflow.record_case(as_, approver.strip(), case, f"ledger record {path.name}")
        except LedgerBusy as exc:
            _fail(f"case {case.case_id}: the database stayed busy ({exc}); run the same command again", 3)
        refusals += result.refusals
        if result.refusal is not None:
            typer.echo(f"{case.case_id}: refused, nothing recorded: {result.refusal}")
            continue
        imported = result.history
        history = {"new": f"history: {imported} payout{'s' if imported != 1 else ''} imported",
                   "added": "already registered, claims added"}.get(result.status, "already registered")
        typer.echo(f"{case.case_id}: {result.scheme}, {history}")
        for c in result.claims:
            if c.refusal is not None:
                typer.echo(f"  {c.claim_id:<12} refused   {c.refusal}")
            elif c.seq is not None:
                state = f"seq {c.seq}" + (" (posted before)" if c.replayed else "")
                typer.echo(f"  {c.claim_id:<12} paid      {format_rupiah(c.amount):>18}  {state}")
            else:
                why = ", ".join(c.reasons) if c.reasons else f"state {c.state.value}"
                typer.echo(f"  {c.claim_id:<12} {c.outcome:<9} not paid ({why})")
    if refusals:
        raise typer.Exit(1)


@ledger_app.command("reverse")
def reverse_command(
    seq: int = typer.Argument(..., help="The sequence number of the payout to reverse."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the journal and the audit trail)."),
    as_: str = AS_OPTION,
    approver: str = typer.Option(..., "--approver", help="The registered supervisor of the payout's office who "
                                                         "approves the reversal (not the maker)."),
    key: str = typer.Option(None, "--key", help="Idempotency key (default: one per reversed payout)."),
    db: str = DB_OPTION,
) -> None:
    """Reverse one payout: a new entry with the negated amount (the payout itself is never changed), made by
    --as (an officer or supervisor of the payout's office) and approved by --approver (a supervisor of that
    office, another person); a claim it paid goes back to `decided` (diputuskan) for review; audited."""
    from beasiswa.indonesian import format_rupiah
    from beasiswa.ledger import LedgerBusy
    from beasiswa.model import Refusal
    from beasiswa.workflow.service import Workflow
    from beasiswa.workflow.states import STATE_NAMES

    _named(as_, approver, "reverse")
    workflow = Workflow(_engine(db))
    try:
        done = workflow.reverse(as_, seq, approver.strip(), reason, key)
    except Refusal as refusal:
        _fail(str(refusal), 1)
    except LedgerBusy as exc:
        _fail(f"the database stayed busy ({exc}); run the same command again", 3)
    e = done.entry
    again = " (posted before)" if done.replayed else ""
    typer.echo(f"seq {e.seq}: reversal of seq {e.reverses_seq}, {format_rupiah(e.amount)}, case {e.case_id} "
               f"child {e.child_id} {e.academic_year}{again}")
    if done.after is not None:
        typer.echo(f"klaim {done.claim}: {STATE_NAMES[done.before]} → {STATE_NAMES[done.after]} "
                   f"({done.after.value}); diverifikasi dan disetujui kembali sebelum dibayar lagi")


@ledger_app.command("verify")
def verify_command(
    anchors: Path = typer.Option(None, "--anchors", help="An anchor file (`ledger anchor --to FILE`): exit 1 when "
                                                         "an anchored head is no longer in its chain."),
    expect_head: str = typer.Option(None, "--expect-head", metavar="SEQ:HASH",
                                    help="A journal head written down elsewhere: exit 1 when it is no longer in "
                                         "the chain (an entry deleted, or its hash changed)."),
    db: str = DB_OPTION,
) -> None:
    """Recompute the hash chain and every running total from the journal, and check the anchors given; exit 1
    on any break."""
    from beasiswa.audit.anchors import findings
    from beasiswa.audit.cli import read_anchors
    from beasiswa.ledger import verify

    given = read_anchors(anchors, expect_head)
    engine = _engine(db)
    report = verify(engine)
    lost = findings(engine, given) if given else []
    if report.ok:
        typer.echo(f"OK: {report.entries} entries, head hash {report.head_hash}")
    else:
        first = report.problems[0]
        if report.broken_seq:
            first = f"at seq {report.broken_seq}: {first.removeprefix(f'seq {report.broken_seq}: ')}"
        else:
            first = f"in the running totals: {first}"
        typer.echo(f"BROKEN {first}")
        for problem in report.problems[1:]:
            typer.echo(f"  also: {problem}")
        typer.echo(f"({report.entries} entries verified before it, head hash {report.head_hash})")
    if given:
        typer.echo(f"jangkar: {len(lost)} temuan" if lost else f"jangkar: OK ({len(given)} kepala tercatat masih "
                                                                f"ada dalam rantainya)")
        for problem in lost:
            typer.echo(f"  - {problem}")
    if not report.ok or lost:
        raise typer.Exit(1)


@ledger_app.command("head")
def head_command(db: str = DB_OPTION) -> None:
    """Print the heads of the journal and of the audit trail (seq and hash, and the time) in one line, to
    keep outside the database (`ledger anchor --to FILE` appends it to an anchor file)."""
    from beasiswa.audit.cli import head_line

    typer.echo(head_line(_engine(db)))


@ledger_app.command("anchor")
def anchor_command(
    to: Path = typer.Option(..., "--to", help="The anchor file: the line is appended (the file is created if "
                                              "absent, never rewritten)."),
    db: str = DB_OPTION,
) -> None:
    """Append the heads' line (`ledger head`) to an anchor file; `verify --anchors FILE` checks them later."""
    from beasiswa.audit.anchors import append_line
    from beasiswa.audit.cli import head_line

    line = head_line(_engine(db))
    try:
        append_line(to, line)
    except OSError as exc:
        _fail(f"--to: {str(to)!r} cannot be appended to ({exc.__class__.__name__}: {exc})")
    typer.echo(f"{line}  >> {to}")


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

    if out is None:
        return write_csv(sys.stdout, header, rows)
    with atomic_path(out) as temp:
        if fmt == "xlsx":
            return write_xlsx(temp, sheet, header, rows, extra_sheets)
        with temp.open("w", encoding="utf-8", newline="") as stream:
            return write_csv(stream, header, rows)


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
                                        parse_dimensions, report_rows)
    from beasiswa.ledger.views import print_report

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
    from beasiswa.ledger.entitlement import UnknownCase, read_entitlement, to_json
    from beasiswa.ledger.views import print_entitlement

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
    from beasiswa.ledger.exceptions import HEADER, find_exceptions, finding_rows
    from beasiswa.ledger.report import head_line, journal_head
    from beasiswa.ledger.views import print_findings

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
