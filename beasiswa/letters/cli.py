"""`beasiswa letters …`: render the letters of decided claims in batches, and verify a letter's PDF.

`render` runs as named users (`--as NAME`, repeated once per office, or BEASISWA_USER): an officer or a
supervisor issues the letters of their own office, and each number issued is audited.

Exit status: `render` 0 done, 1 a user refused or some letter refused (the others were written), 2 bad input;
`verify` 0 genuine, 1 altered or unknown, 2 the file cannot be read; `samples` 0 done, 2 a PDF or pdftoppm
missing. The heavy imports (WeasyPrint) wait until a command runs.
"""

import datetime as dt
from pathlib import Path

import typer

from beasiswa.cli_options import DB_OPTION
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

letters_app = typer.Typer(no_args_is_help=True, help="Official letters: render them in batches, verify one.")

USER_ENV = "BEASISWA_USER"  # as the workflow's commands (beasiswa.workflow.cli)


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--date: {text!r} is not a date (YYYY-MM-DD)")


def _warn_if_slow_or_misfit() -> None:
    from rich.console import Console

    from beasiswa.letters.render import SERIF, font_family_installed, harfbuzz_subsetting_available

    err = Console(stderr=True)
    if not harfbuzz_subsetting_available():
        err.print("[yellow]warning:[/] HarfBuzz font subsetting (libharfbuzz-subset0) is not loaded: each PDF "
                  "is written about 7 times slower; install it with `make system-packages`", highlight=False)
    if font_family_installed(SERIF) is False:
        err.print(f"[yellow]warning:[/] the font {SERIF} (fonts-liberation2) is not installed: letters are laid "
                  f"out with another font and may not fit their pages", highlight=False)


@letters_app.command("render")
def render_command(
    out: Path = typer.Option(Path("out/letters"), "--out", help="Where the PDFs go, named by letter number."),
    workers: int = typer.Option(None, "--workers", min=1, help="Worker processes (default: one per core)."),
    claim: str = typer.Option(None, "--claim", help="Render one claim's letter: CASE_ID/CLAIM_ID "
                              "(numbered if it has none; otherwise the same letter, rewritten)."),
    date: str = typer.Option(None, "--date", help="The date new letters bear (YYYY-MM-DD; default: today)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  help="The user issuing the letters: an officer or supervisor, who issues their "
                                       "office's letters (repeat, one per office)."),
    db: str = DB_OPTION,
) -> None:
    """Number, render and register the letter of every decided claim that has none yet (resumable), as the
    named users; runs at the same time share the work."""
    from beasiswa.db import database_url
    from beasiswa.letters.register import ClaimKey, LetterRegister

    day = _day(date)
    key = None
    if claim is not None:
        try:
            key = ClaimKey.parse(claim)
        except ValueError as exc:
            _fail(str(exc))
    if out.exists() and not out.is_dir():
        _fail(f"--out: {out} is not a directory")
    as_ = [name for name in as_ or [] if name.strip()]
    if not as_:
        _fail("letters render: letters are issued as a named user: --as NAME (or BEASISWA_USER)")
    engine = _engine(db)
    issuers = _issuers(engine, as_)
    _warn_if_slow_or_misfit()
    register = LetterRegister(engine, issuers=issuers)
    if key is not None:
        _render_one(register, key, out, day)
        return
    _render_all(register, database_url(db), out, day, workers)


def _issuers(engine, names: list[str]) -> dict[str, str]:
    """Each named user checked (registered, active, allowed to issue letters), by office: the first named for
    an office issues its letters. A refusal exits 1 before anything is written."""
    from beasiswa.workflow.actions import Action
    from beasiswa.model import Refusal
    from beasiswa.workflow.records import actor
    from beasiswa.workflow.roles import check

    issuers: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            for name in names:
                user = actor(conn, name)
                check(user, Action.ISSUE_LETTER, user.office, "surat")
                issuers.setdefault(user.office, user.name)
    except Refusal as refusal:
        _fail(f"letters render: [{refusal.code}]: {refusal.message}", 1)
    return issuers


def _render_one(register, key, out: Path, day: dt.date) -> None:
    from beasiswa.letters.batch import LetterIssuer, quiet_renderer_warnings

    quiet_renderer_warnings()
    issuer = LetterIssuer(register, out)
    issued, failed, _ = issuer.run([key], day, rewrite=True)
    if failed:
        _fail(f"{failed[0].task}: {failed[0].code}: {failed[0].message}", 1)
    letter = issued[0]
    how = "numbered now" if letter.numbered else "numbered before, rewritten"
    typer.echo(f"{letter.number}: {letter.kind} letter for {letter.case_id}/{letter.claim_id} ({how}) "
               f"-> {letter.path}")


def _render_all(register, url: str, out: Path, day: dt.date, workers: int | None) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from beasiswa.letters.batch import default_workers, pending_tasks, render_batch

    chunks = pending_tasks(register, offices=register.issuers)
    total = sum(len(chunk) for chunk in chunks)
    others = sum(len(chunk) for chunk in pending_tasks(register)) - total
    left = (f"; {others} letters of other offices left to their users" if others else "")
    if not total:
        typer.echo(f"no letters to render: every decided claim of {', '.join(sorted(register.issuers))} has its "
                   f"letter{left}")
        return
    workers = workers or default_workers()
    issued, failed, skipped = [], [], []
    columns = (TextColumn("letters"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task("letters", total=total)

        def done(result):
            issued.extend(result.issued)
            failed.extend(result.failed)
            skipped.extend(result.skipped)
            progress.advance(bar, len(result.issued) + len(result.failed) + len(result.skipped))

        render_batch(url, out, chunks, day, workers, on_chunk=done, issuers=register.issuers)
    written = [i for i in issued if i.written]
    numbered = sum(1 for i in written if i.numbered)
    finished = len(written) - numbered
    elsewhere = len(issued) - len(written) + len(skipped)
    typer.echo(f"{len(written)} letters written to {out} by {min(workers, len(chunks))} workers: {numbered} "
               f"numbered now" + (f", {finished} numbered by an earlier run and finished now" if finished else "")
               + (f"; {elsewhere} done by another run at the same time" if elsewhere else "") + left)
    for failure in failed:
        typer.echo(f"  refused {failure.task}: {failure.code}: {failure.message}")
    if failed:
        raise typer.Exit(1)


@letters_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., help="A letter's PDF."),
    db: str = DB_OPTION,
) -> None:
    """Check a letter's PDF against the register: genuine (exit 0), altered or unknown (exit 1), and why."""
    from beasiswa.letters.register import LetterRegister
    from beasiswa.letters.verify import UnreadableLetter, read_letter, verify_letter

    try:
        pdf = file.read_bytes()
    except OSError as exc:
        _fail(f"{file}: cannot be read: {exc.strerror or exc}")
    try:
        letter = read_letter(pdf, str(file))
    except UnreadableLetter as exc:
        _fail(str(exc))
    register = LetterRegister(_engine(db))
    result = verify_letter(letter, register.lookup, register.problems_of)
    typer.echo(f"{result.verdict.value.upper()}: {file}" + (f" (letter {result.number})" if result.number else ""))
    for reason in result.reasons:
        typer.echo(f"  {reason}")
    if not result.genuine:
        raise typer.Exit(1)


@letters_app.command("samples")
def samples_command(
    letters: Path = typer.Option(Path("out/letters"), "--letters", help="Where the letters' PDFs are."),
    out: Path = typer.Option(Path("out"), "--out", help="Where the PNGs go."),
    db: str = DB_OPTION,
) -> None:
    """The first page of the first letter of each kind as a PNG (pdftoppm), to look at the layout."""
    from beasiswa.letters.samples import SampleError, write_samples

    if out.exists() and not out.is_dir():
        _fail(f"--out: {out} is not a directory")
    try:
        samples = write_samples(_engine(db), letters, out)
    except SampleError as exc:
        _fail(str(exc))
    if not samples:
        typer.echo("no letters registered yet: `beasiswa letters render` first")
    for sample in samples:
        typer.echo(f"{sample.png}: page 1 of {sample.number} ({sample.kind})")
