"""`beasiswa ledger …`: the payout ledger's commands. `record` and `reverse` write: they run as registered users
through the workflow's service (roles, office, four eyes, the audit trail), as every other write does. `verify`,
`head` and `anchor` check the journal's chain and keep its head; the auditors' commands (`report`,
`entitlement`, `exceptions`, `export`) are in beasiswa.cli.reports.

Exit status: 0 done; 1 the ledger or the workflow refused something (a rule named: a ledger rule, a role, an
office, four eyes, an unknown or deactivated user), `verify` (or `report`) found a break, or
`exceptions` found one; 2 bad input
(nothing written); 3 the database stayed busy through every retry (the same command may be run again).
"""

import datetime as dt
from pathlib import Path

import typer

from beasiswa.casefile import CaseFileError, read_case
from beasiswa.cli.audit import head_line, read_anchors
from beasiswa.cli.console import fail
from beasiswa.cli.database import open_database
from beasiswa.cli.identity import acting_one
from beasiswa.cli.options import AS_HELP, DB_OPTION, MAX_SEQ, USER_ENV
from beasiswa.cli.service import refusable
from beasiswa.cli.reports import entitlement_command, exceptions_command, export_command, report_command
from beasiswa.indonesian import OUTCOME_NAMES, format_rupiah
from beasiswa.law import default_law
from beasiswa.ledger.errors import LedgerBusy
from beasiswa.rules import InvalidCase, decide
from beasiswa.workflow.states import STATE_NAMES

ledger_app = typer.Typer(no_args_is_help=True, help="Buku besar pembayaran: mencatat, membatalkan, memverifikasi dan "
                                                       "mengaudit (laporan, hak, pengecualian, ekspor).")

# Who acts: the workflow's users (`beasiswa users add`), named as the workflow's commands name them; the maker
# and the approver both signed in (`beasiswa login`, or BEASISWA_TOKEN), since both act.
AS_OPTION = typer.Option(None, "--as", "--maker", envvar=USER_ENV, show_envvar=True, metavar="NAMA",
                         help=AS_HELP + " Pembuat posting (--maker: nama lamanya).")


def _named(engine, as_: str | None, approver: str, command: str) -> tuple[str, str]:
    """The maker and the approver, each proven by their token."""
    if not approver.strip():
        fail(f"ledger {command}: --approver {approver!r}: sebutkan pengawas terdaftar yang menyetujui")
    maker = acting_one(engine, as_, f"ledger {command}")
    return maker, acting_one(engine, approver.strip(), f"ledger {command}", "--approver")


@ledger_app.command("record")
def record_command(
    case_files: list[Path] = typer.Argument(..., metavar="BERKAS_KASUS...",
                                            help="Berkas kasus (JSON beasiswa-case/1)."),
    as_: str = AS_OPTION,
    approver: str = typer.Option(..., "--approver", metavar="NAMA",
                                 help="Pengawas terdaftar di kantor kasus itu yang menyetujui dan membayar (bukan "
                                      "pembuat)."),
    db: str = DB_OPTION,
) -> None:
    """Menerima dan memutuskan tiap kasus, mengimpor riwayatnya, dan membayar klaim yang disetujui: diverifikasi
    oleh pembuat (--as, petugas atau pengawas kantor kasus itu), disetujui dan dibayar oleh --approver (pengawas
    kantor itu, orang lain); setiap langkah tercatat di jejak audit, satu transaksi per kasus."""
    from beasiswa.workflow.service import Workflow  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    law = default_law()
    cases = []
    for path in case_files:  # every file is read and decided before anything is written (bad input: exit 2)
        try:
            case = read_case(path, today=dt.date.today())  # today at the edge: no payout in history is future
            decide(case, law)
        except (CaseFileError, InvalidCase) as exc:
            fail(str(exc))
        cases.append((path, case))
    workflow = Workflow(open_database(db), law)
    as_, approver = _named(workflow.engine, as_, approver, "record")
    refusals = 0
    for path, case in cases:
        try:
            result = workflow.record_case(as_, approver, case, f"ledger record {path.name}")
        except LedgerBusy as exc:
            fail(f"kasus {case.case_id}: basis data tetap sibuk ({exc}); jalankan perintah yang sama lagi", 3)
        refusals += result.refusals
        if result.refusal is not None:
            typer.echo(f"{case.case_id}: ditolak, tidak ada yang dicatat: {result.refusal}")
            continue
        imported = result.history
        history = {"new": f"riwayat: {imported} pembayaran diimpor",
                   "added": "sudah terdaftar, klaim ditambahkan"}.get(result.status, "sudah terdaftar")
        typer.echo(f"{case.case_id}: {result.scheme}, {history}")
        for c in result.claims:
            if c.refusal is not None:
                typer.echo(f"  {c.claim_id:<12} ditolak      {c.refusal}")
            elif c.seq is not None:
                state = f"seq {c.seq}" + (" (dibukukan sebelumnya)" if c.replayed else "")
                typer.echo(f"  {c.claim_id:<12} dibayar      {format_rupiah(c.amount):>18}  {state}")
            else:
                why = ", ".join(c.reasons) if c.reasons else f"status {STATE_NAMES[c.state]}"
                typer.echo(f"  {c.claim_id:<12} {OUTCOME_NAMES[c.outcome]:<12} tidak dibayar ({why})")
    if refusals:
        raise typer.Exit(1)


@ledger_app.command("reverse")
def reverse_command(
    seq: int = typer.Argument(..., min=1, max=MAX_SEQ, metavar="SEQ",
                              help="Nomor urut (seq) pembayaran yang dibatalkan."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN", help="Alasannya (disimpan di jurnal dan jejak audit)."),
    as_: str = AS_OPTION,
    approver: str = typer.Option(..., "--approver", metavar="NAMA",
                                 help="Pengawas terdaftar di kantor pembayaran itu yang menyetujui pembatalan (bukan "
                                      "pembuat)."),
    key: str = typer.Option(None, "--key", metavar="KUNCI",
                            help="Kunci idempotensi (bawaan: satu per pembayaran yang dibatalkan)."),
    db: str = DB_OPTION,
) -> None:
    """Membatalkan satu pembayaran: entri baru dengan jumlah negatif (pembayaran itu sendiri tidak pernah diubah),
    dibuat oleh --as (petugas atau pengawas kantor pembayaran itu) dan disetujui oleh --approver (pengawas kantor
    itu, orang lain); klaim yang dibayarnya kembali ke `decided` (diputuskan) untuk ditinjau; tercatat di jejak
    audit."""
    from beasiswa.workflow.service import Workflow  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    workflow = Workflow(open_database(db))
    as_, approver = _named(workflow.engine, as_, approver, "reverse")
    done = refusable(lambda: workflow.reverse(as_, seq, approver, reason, key))
    e = done.entry
    again = " (dibukukan sebelumnya)" if done.replayed else ""
    typer.echo(f"seq {e.seq}: pembatalan seq {e.reverses_seq}, {format_rupiah(e.amount)}, kasus {e.case_id} "
               f"anak {e.child_id} {e.academic_year}{again}")
    if done.after is not None:
        typer.echo(f"klaim {done.claim}: {STATE_NAMES[done.before]} → {STATE_NAMES[done.after]} "
                   f"({done.after.value}); diverifikasi dan disetujui kembali sebelum dibayar lagi")


@ledger_app.command("verify")
def verify_command(
    anchors: Path = typer.Option(None, "--anchors", metavar="BERKAS",
                                 help="Berkas jangkar (`ledger anchor --to BERKAS`): status keluar 1 bila ujung yang "
                                      "dijangkarkan tidak ada lagi dalam rantainya."),
    expect_head: str = typer.Option(None, "--expect-head", metavar="SEQ:HASH",
                                    help="Ujung jurnal yang dicatat di tempat lain: status keluar 1 bila tidak ada "
                                         "lagi dalam rantai (entri dihapus, atau hash-nya berubah)."),
    db: str = DB_OPTION,
) -> None:
    """Menghitung ulang rantai hash dan setiap total berjalan dari jurnal, dan memeriksa jangkar yang diberikan;
    status keluar 1 bila ada yang rusak."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.audit.anchors import findings
    from beasiswa.ledger import verify

    given = read_anchors(anchors, expect_head)
    engine = open_database(db)
    report = verify(engine)
    lost = findings(engine, given) if given else []
    if report.ok:
        typer.echo(f"OK: {report.entries} entri, hash ujung {report.head_hash}")
    else:
        first = report.problems[0]
        if report.broken_seq:
            first = f"pada seq {report.broken_seq}: {first.removeprefix(f'seq {report.broken_seq}: ')}"
        else:
            first = f"pada total berjalan: {first}"
        typer.echo(f"RUSAK {first}")
        for problem in report.problems[1:]:
            typer.echo(f"  juga: {problem}")
        typer.echo(f"({report.entries} entri terverifikasi sebelumnya, hash ujung {report.head_hash})")
    if given:
        typer.echo(f"jangkar: {len(lost)} temuan" if lost else f"jangkar: OK ({len(given)} kepala tercatat masih "
                                                                f"ada dalam rantainya)")
        for problem in lost:
            typer.echo(f"  - {problem}")
    if not report.ok or lost:
        raise typer.Exit(1)


@ledger_app.command("head")
def head_command(db: str = DB_OPTION) -> None:
    """Mencetak ujung jurnal, jejak audit dan register surat (seq dan hash, serta waktunya) dalam satu baris,
    untuk disimpan di luar basis data (`ledger anchor --to BERKAS` menambahkannya ke berkas jangkar)."""
    typer.echo(head_line(open_database(db)))


@ledger_app.command("anchor")
def anchor_command(
    to: Path = typer.Option(..., "--to", metavar="BERKAS",
                            help="Berkas jangkar: baris itu ditambahkan di akhirnya (berkas dibuat bila belum ada, "
                                 "tidak pernah ditulis ulang)."),
    db: str = DB_OPTION,
) -> None:
    """Menambahkan baris ujung (`ledger head`) ke berkas jangkar; `verify --anchors BERKAS` memeriksanya nanti."""
    from beasiswa.audit.anchors import append_line  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    line = head_line(open_database(db))
    try:
        append_line(to, line)
    except OSError as exc:
        fail(f"--to: {str(to)!r} tidak dapat ditambahi ({exc.__class__.__name__}: {exc})")
    typer.echo(f"{line}  >> {to}")


# The auditors' commands, after the five above (the order of `beasiswa ledger --help`).
for _name, _command in (("report", report_command), ("entitlement", entitlement_command),
                        ("exceptions", exceptions_command), ("export", export_command)):
    ledger_app.command(_name)(_command)
