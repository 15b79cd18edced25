"""The officer's and supervisor's commands, registered on the main app by `register(app)`:
`users …`, `intake`, `queue`, `show`, `search`, `verify`, `approve`, `pay`, `return`, `resubmit`,
`override`, `appeal`, `reconsider`, `arrears`, and `process` (the whole automated path for a batch).

Every command that changes something runs as a named user: `--as NAME`, or the BEASISWA_USER environment
variable. Exit status: 0 done; 1 something was refused (each refusal names who, what and the rule) or did not
go through; 2 bad input (nothing written); 3 the database stayed busy (run the same command again).
"""

import datetime as dt
from pathlib import Path

import typer

# Light imports only (no database layer): `beasiswa decide` imports this module to register its commands.
from beasiswa.cli_options import DB_OPTION
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

USER_ENV = "BEASISWA_USER"
AS_OPTION = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True, help="The user acting (who is recorded).")

users_app = typer.Typer(no_args_is_help=True, help="Users: who may act, with a role and an office (admins).")


def _out():
    from beasiswa.cli import out
    return out


def _workflow(db: str | None):
    from beasiswa.workflow.service import Workflow

    return Workflow(_engine(db))


def _busy(run):
    """Run `run()`, turning a database that stayed busy through every retry into exit status 3."""
    from beasiswa.ledger import LedgerBusy

    try:
        return run()
    except LedgerBusy as exc:
        _fail(f"the database stayed busy ({exc}); run the same command again", 3)


def _refs(texts: list[str]):
    from beasiswa.workflow.records import ClaimRef

    refs = []
    for text in texts:
        try:
            refs.append(ClaimRef.parse(text))
        except ValueError as exc:
            _fail(str(exc))
    return refs


def _documents(texts: list[str], option: str):
    from beasiswa.model import Document

    out = []
    for text in texts:
        for code in text.replace(",", ";").split(";"):
            if code.strip():
                try:
                    out.append(Document.parse(code.strip(), "a document"))
                except ValueError as exc:
                    _fail(f"{option}: {exc}")
    return out


def _date(text: str | None, option: str) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def _exit_for(steps) -> None:
    if any(not s.ok for s in steps):
        raise typer.Exit(1)


# ============================================================================================== users

@users_app.command("bootstrap")
def users_bootstrap(
    name: str = typer.Argument(..., help="The first admin's user name."),
    office: str = typer.Option("KP", "--office", help="The admin's office (default KP, the head office)."),
    db: str = DB_OPTION,
) -> None:
    """Create the first admin on a database without users (refused once any user exists)."""
    from beasiswa.model import Refusal

    workflow = _workflow(db)
    try:
        user = _busy(lambda: workflow.bootstrap(name, office))
    except Refusal as refusal:
        _fail(str(refusal), 2 if refusal.code == "INVALID_USER" else 1)
    _out().print(f"admin pertama dibuat: {user.name} ({user.office})", highlight=False)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="User name: a-z, 0-9, '.', '_', '-'."),
    role: str = typer.Option(..., "--role", help="officer | supervisor | auditor | admin"),
    office: str = typer.Option(..., "--office", help="The office, e.g. KC-PLG."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Add a user (admins only)."""
    from beasiswa.model import Refusal
    from beasiswa.workflow.roles import ROLE_NAMES

    workflow = _workflow(db)
    try:
        user = _busy(lambda: workflow.add_user(as_, name, role, office))
    except Refusal as refusal:
        _fail(str(refusal), 2 if refusal.code == "INVALID_USER" else 1)
    _out().print(f"pengguna ditambahkan: {user.name} ({ROLE_NAMES[user.role]}, {user.office})", highlight=False)


@users_app.command("deactivate")
def users_deactivate(
    name: str = typer.Argument(...),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Deactivate a user (admins only): they can do nothing more; their name stays in the records."""
    from beasiswa.model import Refusal

    workflow = _workflow(db)
    try:
        user = _busy(lambda: workflow.deactivate_user(as_, name))
    except Refusal as refusal:
        _fail(str(refusal), 1)
    _out().print(f"pengguna dinonaktifkan: {user.name}", highlight=False)


@users_app.command("list")
def users_list(db: str = DB_OPTION) -> None:
    """Every user with role, office and whether active."""
    from beasiswa.workflow.views import print_users

    print_users(_out(), _workflow(db).list_users())


# ============================================================================================== intake

def _user_for(engine, names: list[str] | None):
    """For each case, the user of its office among `names` (the first named when none is of that office, so
    the refusal names the office rule)."""
    from beasiswa.workflow.records import find_user

    names = [n for n in (names or []) if n]
    with engine.connect() as conn:
        users = [(n, find_user(conn, n)) for n in names]
    by_office = {}
    for name, user in users:
        if user is not None:
            by_office.setdefault(user.office, name)
    first = names[0] if names else None
    return lambda case: by_office.get(case.office, first)


def intake_command(
    files: list[Path] = typer.Argument(..., help="Case files (.json) and intake sheets (.csv, .xlsx)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  help="The user taking the cases in; repeat for several offices."),
    db: str = DB_OPTION,
) -> None:
    """Register the cases of each file with their children and claims and decide every claim; a summary per
    file. Each case is taken whole or refused whole (naming the row and field); the same file again changes
    nothing."""
    from beasiswa.workflow.intake import take_in_files
    from beasiswa.workflow.views import print_intake

    if not as_:
        _fail("intake: changes are made as a named user: --as NAME or BEASISWA_USER")
    workflow = _workflow(db)
    summaries = _busy(lambda: take_in_files(workflow, files, _user_for(workflow.engine, as_)))
    print_intake(_out(), summaries)
    if any(s.error for s in summaries):
        raise typer.Exit(2)
    if any(not s.ok for s in summaries):
        raise typer.Exit(1)


# ============================================================================================== lookup

def queue_command(
    state: list[str] = typer.Option(None, "--state", help="Only these states (repeat); default: every open state."),
    office: str = typer.Option(None, "--office", help="Only this office."),
    mine: bool = typer.Option(False, "--mine", help="What awaits the user --as: to verify or reconsider "
                                                    "(officer), to approve or pay (supervisor)."),
    older_than: int = typer.Option(None, "--older-than", min=0, help="Only claims in their state for more than DAYS."),
    limit: int = typer.Option(None, "--limit", min=1, help="At most this many (the oldest)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Claims waiting, oldest first."""
    from beasiswa.workflow.queries import queue
    from beasiswa.workflow.records import find_user
    from beasiswa.workflow.states import State
    from beasiswa.workflow.views import print_queue

    try:
        states = [State.parse(s) for s in state or []]
    except ValueError as exc:
        _fail(f"--state: {exc}")
    engine = _engine(db)
    user = None
    if mine:
        if not as_:
            _fail("--mine: whose queue? --as NAME or BEASISWA_USER")
        with engine.connect() as conn:
            user = find_user(conn, as_)
        if user is None:
            _fail(f"--as: user {as_!r} is not registered", 1)
    older = None
    if older_than is not None:
        older = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=older_than)
    try:
        rows = queue(engine, states=states, office=office, user=user, older_than=older, limit=limit)
    except ValueError as exc:
        _fail(str(exc))
    parts = [f"status {', '.join(s.value for s in states)}" if states else ("" if mine else "terbuka"),
             f"kantor {office}" if office else "", f"milik {as_}" if mine else "",
             f"lebih dari {older_than} hari" if older_than is not None else ""]
    print_queue(_out(), rows, "Antrean klaim: " + ", ".join(p for p in parts if p))


def show_command(
    what: str = typer.Argument(..., metavar="CLAIM|CASE", help="CASE_ID/CLAIM_ID or CASE_ID."),
    trace: bool = typer.Option(True, "--trace/--no-trace", help="List every rule applied (default)."),
    db: str = DB_OPTION,
) -> None:
    """A claim or case: the decision with its trace and citations, documents, payouts, letters, audit trail."""
    from beasiswa.workflow.queries import case_view
    from beasiswa.workflow.views import print_case

    case_id, _, claim_id = what.partition("/")
    view = case_view(_engine(db), case_id.strip(), claim_id.strip() or None)
    if view is None:
        _fail(f"{what}: no such {'claim' if claim_id else 'case'} in this database", 1)
    print_case(_out(), view, trace=trace)


def search_command(
    text: str = typer.Argument(..., help="A NIK (16 digits), a KPJ (11 digits) or part of a name."),
    limit: int = typer.Option(50, "--limit", min=1),
    db: str = DB_OPTION,
) -> None:
    """Find cases and claims by the participant's or a child's NIK, the KPJ, or a name."""
    from beasiswa.workflow.queries import search
    from beasiswa.workflow.views import print_search

    if len(text.strip()) < 2:
        _fail(f"search: {text!r} is too short (at least 2 characters)")
    print_search(_out(), search(_engine(db), text, limit), text.strip())


def audit_command(
    what: str = typer.Argument(None, metavar="[CLAIM|CASE]", help="CASE_ID/CLAIM_ID or CASE_ID; default: all."),
    actor: str = typer.Option(None, "--actor", help="Only what this user did."),
    limit: int = typer.Option(None, "--limit", min=1, help="Only the last N rows."),
    db: str = DB_OPTION,
) -> None:
    """The audit trail: who did what, when, before → after. Append-only; the database refuses any change."""
    from beasiswa.workflow.queries import audit_entries
    from beasiswa.workflow.views import print_audit

    case_id, _, claim_id = (what or "").partition("/")
    print_audit(_out(), audit_entries(_engine(db), case_id=case_id or None, claim_id=claim_id or None,
                                      actor=actor, limit=limit))


# ============================================================================================== claim actions

def _bulk(action_name: str, refs_text: list[str], all_flag: bool, state, office: str | None, as_: str | None,
          db: str | None, run) -> None:
    from beasiswa.workflow.actions import Action
    from beasiswa.model import Refusal
    from beasiswa.workflow.queries import refs_in_state
    from beasiswa.workflow.records import actor
    from beasiswa.workflow.roles import check
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail(f"{action_name}: changes are made as a named user: --as NAME or BEASISWA_USER")
    workflow = _workflow(db)
    refs = _refs(refs_text or [])
    if all_flag:
        # Whether the user may do this to the office's claims at all is asked before they are listed: an
        # auditor or another office's officer is refused, not told that there is nothing to do.
        try:
            with workflow.engine.connect() as conn:
                user = actor(conn, as_)
            office = office or user.office
            check(user, Action(action_name), office, "klaim")
        except Refusal as refusal:
            _busy(lambda: workflow.record_refusal(as_, action_name, f"office {office}" if office else "office", refusal))
            _fail(f"{action_name} --all-…: [{refusal.code}]: {refusal.message}", 1)
        refs += refs_in_state(workflow.engine, state, office)
    elif office is not None:
        _fail("--office goes with --all-…; name the claims, or ask for all of an office's")
    if not refs:
        _out().print("Tidak ada klaim.", highlight=False)
        return
    steps = _busy(lambda: run(workflow, as_, refs))
    print_steps(_out(), steps, Action(action_name))
    _exit_for(steps)


def verify_command(
    claims: list[str] = typer.Argument(None, metavar="[CLAIM]...", help="CASE_ID/CLAIM_ID ..."),
    all_decided: bool = typer.Option(False, "--all-decided", help="Every decided claim of the office."),
    office: str = typer.Option(None, "--office", help="With --all-decided (default: the user's office)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """decided → verified: the documents of an approved decision checked (an officer, or a supervisor in an
    officer's stead, who then may not approve it)."""
    from beasiswa.workflow.states import State

    _bulk("verify", claims, all_decided, State.DECIDED, office, as_, db, lambda w, a, r: w.verify(a, r))


def approve_command(
    claims: list[str] = typer.Argument(None, metavar="[CLAIM]..."),
    all_verified: bool = typer.Option(False, "--all-verified", help="Every verified claim of the office."),
    office: str = typer.Option(None, "--office"),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """verified → approved (a supervisor who did not verify it: four eyes); an override to rejection becomes
    the rejection."""
    from beasiswa.workflow.states import State

    _bulk("approve", claims, all_verified, State.VERIFIED, office, as_, db, lambda w, a, r: w.approve(a, r))


def pay_command(
    claims: list[str] = typer.Argument(None, metavar="[CLAIM]..."),
    all_approved: bool = typer.Option(False, "--all-approved", help="Every approved claim of the office."),
    office: str = typer.Option(None, "--office"),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """approved → paid: the payout posted to the journal (maker: who verified; approver: who approved)."""
    from beasiswa.workflow.states import State

    _bulk("pay", claims, all_approved, State.APPROVED, office, as_, db, lambda w, a, r: w.pay(a, r))


def _one(action_name: str, as_: str | None, db: str | None, run) -> None:
    from beasiswa.workflow.actions import Action
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail(f"{action_name}: changes are made as a named user: --as NAME or BEASISWA_USER")
    workflow = _workflow(db)
    steps = _busy(lambda: run(workflow))
    print_steps(_out(), steps, Action(action_name))
    _exit_for(steps)


def return_command(
    claim: str = typer.Argument(..., metavar="CLAIM"),
    missing: list[str] = typer.Option(..., "--missing", help="A document found missing (repeat, or ';'-separated)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """decided → returned: documents found missing on checking; the rules decide again without them."""
    [ref] = _refs([claim])
    documents = _documents(missing, "--missing")
    _one("return", as_, db, lambda w: [w.return_claim(as_, ref, documents)])


def resubmit_command(
    claim: str = typer.Argument(..., metavar="CLAIM"),
    documents: list[str] = typer.Option(..., "--documents", help="The documents brought (repeat or ';'-separated)."),
    on: str = typer.Option(None, "--on", help="The date handed in (YYYY-MM-DD); default today."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """returned → submitted → decided again, with the documents added."""
    [ref] = _refs([claim])
    docs = _documents(documents, "--documents")
    day = _date(on, "--on")
    _one("resubmit", as_, db, lambda w: [w.resubmit(as_, ref, docs, day)])


def override_command(
    claim: str = typer.Argument(..., metavar="CLAIM"),
    outcome: str = typer.Option(..., "--outcome", help="approved | rejected"),
    reason: str = typer.Option(..., "--reason", help="The written reason (kept, and told in a rejection letter)."),
    code: str = typer.Option(None, "--code", help="For a rejection: the rule the claim fails (e.g. EMPLOYED)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """An officer's outcome instead of the rules', with a written reason; a supervisor approves it."""
    from beasiswa.model import Code, Outcome

    [ref] = _refs([claim])
    try:
        chosen = Outcome.parse(outcome, "an outcome")
        rule = Code.parse(code, "a reason code") if code is not None else None
    except ValueError as exc:
        _fail(f"--outcome/--code: {exc}")
    _one("override", as_, db, lambda w: [w.override(as_, ref, chosen, reason, rule)])


def appeal_command(
    claim: str = typer.Argument(..., metavar="CLAIM"),
    reason: str = typer.Option(..., "--reason", help="What the family asks to be reconsidered."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """rejected → appealed: the family's request for reconsideration (once per claim)."""
    [ref] = _refs([claim])
    _one("appeal", as_, db, lambda w: [w.appeal(as_, ref, reason)])


def reconsider_command(
    claim: str = typer.Argument(..., metavar="CLAIM"),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """appealed → decided again on what the database holds now (or override it instead)."""
    [ref] = _refs([claim])
    _one("reconsider", as_, db, lambda w: [w.reconsider(as_, ref)])


def arrears_command(
    case_id: str = typer.Argument(..., metavar="CASE_ID"),
    months: int = typer.Option(0, "--months", min=0, help="The employer's arrears now (0: settled)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Record the employer's arrears (0 once settled) and decide the case's pending claims again."""
    from beasiswa.workflow.actions import Action
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail("arrears: changes are made as a named user: --as NAME or BEASISWA_USER")
    workflow = _workflow(db)
    refusal, steps = _busy(lambda: workflow.settle_arrears(as_, case_id, months))
    if refusal is not None:
        _fail(str(refusal), 1)
    _out().print(f"Tunggakan iuran kasus {case_id} dicatat: {months} bulan.", highlight=False)
    if steps:
        print_steps(_out(), steps, Action.SETTLE_ARREARS)
    _exit_for(steps)


# ============================================================================================== process

def process_command(
    files: list[Path] = typer.Argument(..., metavar="INTAKE...", help="Case files and intake sheets."),
    out_dir: Path = typer.Option(..., "--out", help="Where the letters are written (PDF)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  help="Who takes the cases in (repeat, one per office); default: --verify-as."),
    verify_as: list[str] = typer.Option(None, "--verify-as", help="The officer who verifies, per office (repeat)."),
    approve_as: list[str] = typer.Option(None, "--approve-as",
                                         help="The supervisor who approves, pays and issues the letters, per "
                                              "office (repeat)."),
    letter_date: str = typer.Option(None, "--date", help="The letters' date (YYYY-MM-DD); default today."),
    workers: int = typer.Option(None, "--workers", min=1, help="Letter workers (default: one per core)."),
    db: str = DB_OPTION,
) -> None:
    """The whole automated path for a batch: intake and decide, verify and approve where asked (two different
    people), post the payouts, render the letters; then the summary and the ledger report."""
    from beasiswa.db import database_url
    from beasiswa.workflow.process import run_process

    if approve_as and not verify_as:
        _fail("--approve-as needs --verify-as: a claim is verified before it is approved")
    intake_users = as_ or verify_as
    if not intake_users:
        _fail("process: cases are taken in as a named user: --as NAME (or BEASISWA_USER), or --verify-as")
    day = _date(letter_date, "--date")
    engine = _engine(db)
    status = _busy(lambda: run_process(engine, database_url(db), files, out_dir, intake_users, verify_as or [],
                                       approve_as or [], day, workers, _out()))
    if status:
        raise typer.Exit(status)


def register(app: typer.Typer) -> None:
    """Add the workflow's commands to the main app (`audit_command` is registered by `beasiswa.audit.cli`,
    as the default of `beasiswa audit`)."""
    app.add_typer(users_app, name="users")
    for name, command in (("intake", intake_command), ("queue", queue_command), ("show", show_command),
                          ("search", search_command), ("verify", verify_command),
                          ("approve", approve_command), ("pay", pay_command), ("return", return_command),
                          ("resubmit", resubmit_command), ("override", override_command),
                          ("appeal", appeal_command), ("reconsider", reconsider_command),
                          ("arrears", arrears_command), ("process", process_command)):
        app.command(name)(command)
