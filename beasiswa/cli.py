"""The `beasiswa` command line: a thin shell around the rules, the case file and (later) the ledger.

Bad input never crashes: a file or value that is not valid prints one message naming the field and the
value, and exits with status 2.
"""

import datetime as dt
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from beasiswa.casefile import CaseFileError, decision_to_json, dumps, read_case
from beasiswa.cli_locale import IndonesianGroup
from beasiswa.law import LawError, default_law
from beasiswa.rules import InvalidCase, decide

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=IndonesianGroup,
                  help="Beasiswa: memutuskan, membayar dan mengaudit manfaat beasiswa BPJS Ketenagakerjaan.")
out = Console()
err = Console(stderr=True)


class Format(str, Enum):
    text = "text"
    json = "json"


def fail(message: str, status: int = 2) -> None:
    # The message quotes input values: escaped, so "[/x]" is shown as is rather than read as markup; one
    # line, not wrapped at the terminal width, so whoever reads stderr gets the field and value whole.
    err.print(f"[bold red]kesalahan:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(status)


def _law():
    try:
        return default_law()
    except LawError as exc:
        fail(f"data hukum: {exc}")


@app.command("decide")
def decide_command(
    case_file: Path = typer.Argument(..., metavar="BERKAS_KASUS", help="Berkas kasus (JSON beasiswa-case/1)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text: penjelasan; json: keluaran kontrak."),
    trace: bool = typer.Option(False, "--trace", help="Dengan text: setiap aturan yang diterapkan pada tiap klaim."),
) -> None:
    """Memutuskan setiap klaim dalam berkas kasus, tanpa basis data."""
    law = _law()
    try:
        case = read_case(case_file, today=dt.date.today())  # today at the edge: history can't be in the future
        decision = decide(case, law)
    except CaseFileError as exc:
        fail(str(exc))
    except InvalidCase as exc:
        fail(f"{case_file}: {exc}")
    if format is Format.json:
        typer.echo(dumps(decision_to_json(decision)), nl=False)
    else:
        from beasiswa.explain import print_explanation
        print_explanation(out, case, decision, law, trace=trace)


@app.command("rules")
def rules_command(
    on: str = typer.Option(None, "--on", metavar="TANGGAL", help="Tanggal peristiwa (YYYY-MM-DD); bawaan: hari ini."),
) -> None:
    """Ketentuan yang berlaku pada suatu tanggal: besaran, batas, dasar hukum dan tafsiran proyek."""
    law = _law()
    if on is None:
        day = dt.date.today()
    else:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            fail(f"--on: {on!r} bukan tanggal (YYYY-MM-DD)")
    from beasiswa.explain import print_scheme
    try:
        scheme = law.scheme_on(day)
    except LookupError as exc:
        fail(f"--on: {exc}")
    print_scheme(out, law, scheme, day)


from beasiswa.ledger.cli import db_app, ledger_app  # noqa: E402 - sub-apps, registered once `app` exists

app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")
from beasiswa.letters.cli import letters_app  # noqa: E402

app.add_typer(letters_app, name="letters")

from beasiswa.workflow.cli import register as _register_workflow  # noqa: E402 - users, intake, queue, process, ...

_register_workflow(app)
from beasiswa.audit.cli import audit_app  # noqa: E402 - `audit [CLAIM|CASE]` (the trail) and `audit verify`

app.add_typer(audit_app, name="audit")


def main() -> None:  # pragma: no cover - console entry point
    app()
