"""Reading without changing anything: `beasiswa queue`, `show`, `search`, and the audit trail (`beasiswa audit
[KLAIM|KASUS]`, registered as the default command of `beasiswa audit`).

Exit status: 0 shown; 1 the claim, case or user named is not registered; 2 bad input.
"""

import datetime as dt

import typer

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.database import open_database
from beasiswa.cli.identity import acting_one
from beasiswa.cli.locale import named_values
from beasiswa.cli.options import AS_OPTION, DB_OPTION, MAX_DAYS, MAX_ROWS
from beasiswa.workflow.errors import case_not_found, claim_not_found
from beasiswa.workflow.states import STATE_NAMES, State


def queue_command(
    state: list[str] = typer.Option(None, "--state", metavar="STATUS",
                                    help="Hanya status ini (ulangi); bawaan: semua status terbuka. Status: "
                                         + named_values(STATE_NAMES) + "."),
    office: str = typer.Option(None, "--office", metavar="KANTOR", help="Hanya kantor ini."),
    mine: bool = typer.Option(False, "--mine", help="Yang menunggu pengguna --as (yang sudah masuk): diverifikasi "
                                                    "atau ditinjau ulang (petugas), disetujui atau dibayar (pengawas)."),
    older_than: int = typer.Option(None, "--older-than", min=0, max=MAX_DAYS, metavar="HARI",
                                   help="Hanya klaim yang berada pada statusnya lebih dari HARI hari."),
    limit: int = typer.Option(None, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH",
                              help="Paling banyak sejumlah ini (yang terlama)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Klaim yang menunggu, terlama lebih dulu (petugas dan pengawas: kantornya sendiri)."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import queue, scoped
    from beasiswa.access.trail import find_user
    from beasiswa.workflow.views import print_queue

    try:
        states = [State.parse(s) for s in state or []]
    except ValueError as exc:
        fail(f"--state: {exc}")
    engine = open_database(db)
    reader = None
    if mine:  # whose queue: a user who signed in, like every --as
        as_ = acting_one(engine, as_, "queue --mine")
    if as_:  # the reader: an officer or a supervisor reads their own office's queue whatever --office asks
        with engine.connect() as conn:
            reader = find_user(conn, as_)
        if reader is None:
            fail(f"--as: pengguna {as_!r} tidak terdaftar", 1)
    older = None
    if older_than is not None:
        older = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=older_than)
    try:
        office = scoped(reader, office)
        rows = queue(engine, states=states, office=office, user=reader if mine else None, older_than=older,
                     limit=limit, reader=reader)
    except ValueError as exc:
        fail(str(exc))
    parts = [f"status {', '.join(s.value for s in states)}" if states else ("" if mine else "terbuka"),
             f"kantor {office}" if office else "", f"milik {as_}" if mine else "",
             f"lebih dari {older_than} hari" if older_than is not None else ""]
    print_queue(stdout(), rows, "Antrean klaim: " + ", ".join(p for p in parts if p))


def show_command(
    what: str = typer.Argument(..., metavar="KLAIM|KASUS", help="ID_KASUS/ID_KLAIM atau ID_KASUS."),
    trace: bool = typer.Option(True, "--trace/--no-trace", help="Tampilkan setiap aturan yang diterapkan (bawaan)."),
    db: str = DB_OPTION,
) -> None:
    """Satu klaim atau kasus: keputusan dengan jejak aturan dan dasar hukumnya, dokumen, pembayaran, surat,
    jejak audit."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import case_view, suggestion
    from beasiswa.workflow.views import print_case

    case_id, _, claim_id = what.partition("/")
    engine = open_database(db)
    view = case_view(engine, case_id.strip(), claim_id.strip() or None)
    if view is None:
        refusal = claim_not_found(f"{case_id.strip()}/{claim_id.strip()}") if claim_id else case_not_found(case_id.strip())
        fail(f"{refusal}{suggestion(engine, what)}", 1)
    print_case(stdout(), view, trace=trace)


def search_command(
    text: str = typer.Argument(..., metavar="TEKS", help="NIK (16 angka), KPJ (11 angka) atau sebagian nama."),
    limit: int = typer.Option(50, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH", help="Paling banyak sejumlah ini."),
    db: str = DB_OPTION,
) -> None:
    """Mencari kasus dan klaim menurut NIK peserta atau anak, KPJ, atau nama."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import search
    from beasiswa.workflow.views import print_search

    if len(text.strip()) < 2:
        fail(f"search: {text!r} terlalu pendek (paling sedikit 2 karakter)")
    if len(text) > 200:
        fail(f"search: {len(text)} karakter terlalu panjang (paling banyak 200, seperti nama)")
    print_search(stdout(), search(open_database(db), text, limit), text.strip())


def trail_command(
    what: str = typer.Argument(None, metavar="[KLAIM|KASUS]", help="ID_KASUS/ID_KLAIM atau ID_KASUS; bawaan: semua."),
    actor: str = typer.Option(None, "--actor", metavar="NAMA", help="Hanya yang dilakukan pengguna ini."),
    limit: int = typer.Option(None, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH", help="Hanya sejumlah baris terakhir ini."),
    db: str = DB_OPTION,
) -> None:
    """Jejak audit: siapa melakukan apa, kapan, sebelum → sesudah. Hanya ditambah; basis data menolak perubahan."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import audit_entries
    from beasiswa.workflow.views import print_audit

    case_id, _, claim_id = (what or "").partition("/")
    print_audit(stdout(), audit_entries(open_database(db), case_id=case_id or None, claim_id=claim_id or None,
                                   actor=actor, limit=limit))
