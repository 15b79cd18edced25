"""Where the commands write: standard output for what was asked, standard error for `fail`'s one-line message.

Bad input never crashes: a file or value that is not valid prints one message naming the field and the value,
and exits with status 2 (or the status the caller names).

A console is made when a command prints, not when the app is imported: Rich fixes a console's width from
$COLUMNS when it is made, and the terminal a command prints to is the one of that moment (a test runner sets
COLUMNS for each command it invokes).
"""

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape


def stdout() -> Console:
    return Console()


def stderr() -> Console:
    return Console(stderr=True)


def fail(message: str, status: int = 2) -> NoReturn:
    """One message on stderr naming the field and the value, then exit with `status`."""
    # The message quotes input values: escaped, so "[/x]" is shown as is rather than read as markup; one
    # line, not wrapped at the terminal width, so whoever reads stderr gets the field and value whole.
    stderr().print(f"[bold red]kesalahan:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(status)
