"""`beasiswa decide` and `beasiswa rules [show] --on DATE`: the rules alone, without a database.

These two start fast: nothing they import at load (nor anything the other command modules import at load, as
the app imports them all) brings in SQLAlchemy, SQLModel, Alembic, psycopg, WeasyPrint or openpyxl
(tests/test_casefile.py checks it).
"""

import datetime as dt
from enum import Enum
from pathlib import Path

import typer

from beasiswa.casefile import CaseFileError, decision_to_json, dumps, read_case
from beasiswa.cli.console import fail, stdout
from beasiswa.cli.locale import IndonesianGroup
from beasiswa.cli.options import parse_day
from beasiswa.law import LawError, default_law
from beasiswa.rules import InvalidCase, decide


class Format(str, Enum):
    text = "text"
    json = "json"


def _law():
    try:
        return default_law()
    except LawError as exc:
        fail(f"data hukum: {exc}")


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
        from beasiswa.explain import print_explanation  # lazy: Rich's tables, which --format json does without

        print_explanation(stdout(), case, decision, law, trace=trace)


class _ShowByDefault(IndonesianGroup):
    """`beasiswa rules --on DATE` shows the law as it always did: anything that is not one of the group's
    commands (or --help) goes to `show`."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["show", *args]
        return super().parse_args(ctx, args)


rules_app = typer.Typer(cls=_ShowByDefault, no_args_is_help=False,
                        help="Ketentuan hukum: `rules show --on TANGGAL` (bawaan) mencetak hukum yang berlaku "
                             "pada tanggal itu.")


@rules_app.command("show")
def rules_command(
    on: str = typer.Option(None, "--on", metavar="TANGGAL",
                           help="Tanggal (YYYY-MM-DD): skema yang berlaku untuk peristiwa pada hari itu, dengan nilai "
                                "dan tafsiran yang berlaku pada hari itu; bawaan: hari ini."),
) -> None:
    """Ketentuan yang berlaku pada suatu tanggal: besaran, batas, sejak kapan, dasar hukum dan tafsiran proyek."""
    from beasiswa.explain import print_scheme  # lazy: Rich's tables, as in `decide`

    law = _law()
    day = parse_day(on, "--on")
    try:
        scheme = law.scheme_on(day)
    except LookupError as exc:
        fail(f"--on: {exc}")
    print_scheme(stdout(), law, scheme, day)
