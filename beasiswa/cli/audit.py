"""`beasiswa audit …`: the audit trail read (`audit [CLAIM|CASE]`, as before: `trail` is the default) and
everything the database holds as evidence verified (`audit verify`). Also the anchors' options and the heads'
line, which `beasiswa ledger verify|head|anchor` share.

Exit status of `verify`: 0 every check passed; 1 a finding (each named with its seq or row); 2 bad input.
"""

from pathlib import Path

import typer

from beasiswa.cli.console import fail
from beasiswa.cli.database import open_database
from beasiswa.cli.locale import IndonesianGroup
from beasiswa.cli.lookup import trail_command
from beasiswa.cli.options import DB_OPTION

DEFAULT = "trail"


class _TrailByDefault(IndonesianGroup):
    """`beasiswa audit KC-…/klaim-1 --actor ani` reads the trail as it always did: anything that is not one of
    the group's commands (or --help) goes to `trail`."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)


audit_app = typer.Typer(cls=_TrailByDefault, no_args_is_help=False,
                        help="Jejak audit: membacanya (`audit [KLAIM|KASUS]`, bawaannya `trail`) atau memeriksa "
                             "semua bukti (`audit verify`).")
audit_app.command(DEFAULT)(trail_command)

ANCHORS_OPTION = typer.Option(None, "--anchors", metavar="BERKAS",
                              help="Berkas jangkar (`beasiswa ledger anchor --to BERKAS`): gagal bila ujung yang "
                                   "dijangkarkan tidak ada lagi dalam rantainya.")
EXPECT_OPTION = typer.Option(None, "--expect-head", metavar="SEQ:HASH",
                             help="Ujung jurnal yang dicatat di tempat lain: gagal bila tidak ada lagi dalam rantai.")


def read_anchors(anchors: Path | None, expect_head: str | None) -> list:
    """The anchors of `--anchors FILE` and `--expect-head SEQ:HASH`; exit 2 naming the line or value."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.audit.anchors import AnchorError, parse_head
    from beasiswa.audit.anchors import read_anchors as read

    try:
        found = read(anchors) if anchors is not None else []
        if expect_head is not None:
            found.append(parse_head(expect_head, "journal", "--expect-head"))
    except AnchorError as exc:
        fail(str(exc))
    return found


def head_line(engine) -> str:
    """The heads as `ledger head` prints them, read now (UTC)."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.audit.anchors import read_heads
    from beasiswa.db.uow import timestamp, utc_now

    now = timestamp(utc_now())
    return read_heads(engine).line(now)


@audit_app.command("verify")
def verify_command(anchors: Path = ANCHORS_OPTION, expect_head: str = EXPECT_OPTION, db: str = DB_OPTION) -> None:
    """Memeriksa semuanya: rantai dan total jurnal, rantai jejak audit, klaim terhadap jurnal (klaim yang dibayar
    punya pembayarannya, pembayaran punya klaimnya yang dibayar), register surat dan, bila diberikan, jangkar.
    Setiap temuan disebut dengan seq atau barisnya; status keluar 1 bila ada temuan."""
    from beasiswa.audit.checks import run  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    given = read_anchors(anchors, expect_head)
    engine = open_database(db)
    outcomes = run(engine, given)
    for outcome in outcomes:
        if outcome.findings:
            typer.echo(f"{outcome.name}: {len(outcome.findings)} temuan")
            for finding in outcome.findings:
                typer.echo(f"  - {finding}")
        else:
            typer.echo(f"{outcome.name}: OK")
    typer.echo(f"ujung: {head_line(engine)}")
    if any(o.findings for o in outcomes):
        raise typer.Exit(1)
