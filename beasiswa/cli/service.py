"""The workflow's service as the officers' commands use it: opened on `--db`, the claims and documents named on
the command line parsed, and what came back turned into an exit status (1 refused, 2 a refusal of bad input, 3
the database stayed busy: `refusable`). Who acts is proven in `beasiswa.cli.identity` (`acting`).
"""

import typer

from beasiswa.cli.console import fail
from beasiswa.cli.database import open_database
from beasiswa.ledger.errors import LedgerBusy
from beasiswa.model import ClaimRef, Document, Refusal


def workflow(db: str | None):
    """The workflow's service on the database of `--db`."""
    from beasiswa.workflow.service import Workflow  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    return Workflow(open_database(db))


def busy(run):
    """Run `run()`, turning a database that stayed busy through every retry into exit status 3."""
    try:
        return run()
    except LedgerBusy as exc:
        fail(f"basis data tetap sibuk ({exc}); jalankan perintah yang sama lagi", 3)


def refusable(run, *, bad_input: tuple[str, ...] = ()):
    """`run()` through `busy`; a Refusal it raises printed whole with exit status 1, or 2 when its code is one of
    `bad_input` (a value that could never be taken: INVALID_USER, PASSWORD_POLICY)."""
    try:
        return busy(run)
    except Refusal as refusal:
        fail(str(refusal), 2 if refusal.code in bad_input else 1)


def parse_refs(texts: list[str]):
    """Each CASE/CLAIM typed as a ClaimRef; exit 2 naming the one that is not."""
    refs = []
    for text in texts:
        try:
            refs.append(ClaimRef.parse(text))
        except ValueError as exc:
            fail(str(exc))
    return refs


def parse_documents(texts: list[str], option: str) -> list[Document]:
    """The document codes of `option`, repeated or separated by ';' or ','; exit 2 naming an unknown one."""
    found = []
    for text in texts:
        for code in text.replace(",", ";").split(";"):
            if code.strip():
                try:
                    found.append(Document.parse(code.strip(), "a document"))
                except ValueError as exc:
                    fail(f"{option}: {exc}")
    return found


def exit_for(steps) -> None:
    """Exit 1 when any step was refused or did not go through."""
    if any(not s.ok for s in steps):
        raise typer.Exit(1)


def hints(engine, steps) -> dict:
    """For each claim refused as not registered, the registered ids nearest to it (a mistyped id)."""
    from beasiswa.workflow.queries import suggestion  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    return {s.ref: suggestion(engine, str(s.ref)) for s in steps
            if not s.ok and s.refusal.code == "CLAIM_NOT_FOUND"}
