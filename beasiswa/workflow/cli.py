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
from beasiswa.cli_options import DB_OPTION, MAX_DAYS, MAX_ROWS, MAX_WORKERS
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail
from beasiswa.model.case import MAX_MONTHS
from beasiswa.cli_locale import named_values as _named  # noqa: I001 - help texts list the valid values
from beasiswa.indonesian import DOCUMENT_NAMES, OUTCOME_NAMES
from beasiswa.workflow.roles import ROLE_NAMES
from beasiswa.workflow.states import STATE_NAMES

USER_ENV = "BEASISWA_USER"
AS_OPTION = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True, metavar="NAMA",
                         help="Pengguna yang bertindak (yang dicatat).")

users_app = typer.Typer(no_args_is_help=True, help="Pengguna: siapa yang boleh bertindak, dengan peran dan kantornya (admin).")


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
        _fail(f"basis data tetap sibuk ({exc}); jalankan perintah yang sama lagi", 3)


def _refs(texts: list[str]):
    from beasiswa.model import ClaimRef

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
        _fail(f"{option}: {text!r} bukan tanggal (YYYY-MM-DD)")


def _exit_for(steps) -> None:
    if any(not s.ok for s in steps):
        raise typer.Exit(1)


# ============================================================================================== users

@users_app.command("bootstrap")
def users_bootstrap(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna admin pertama."),
    office: str = typer.Option("KP", "--office", metavar="KANTOR", help="Kantor admin (bawaan KP, kantor pusat)."),
    db: str = DB_OPTION,
) -> None:
    """Membuat admin pertama pada basis data tanpa pengguna (ditolak bila sudah ada pengguna)."""
    from beasiswa.model import Refusal

    workflow = _workflow(db)
    try:
        user = _busy(lambda: workflow.bootstrap(name, office))
    except Refusal as refusal:
        _fail(str(refusal), 2 if refusal.code == "INVALID_USER" else 1)
    _out().print(f"admin pertama dibuat: {user.name} ({user.office})", highlight=False)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna: a-z, 0-9, '.', '_', '-'."),
    role: str = typer.Option(..., "--role", metavar="PERAN", help="Peran: " + _named(ROLE_NAMES) + "."),
    office: str = typer.Option(..., "--office", metavar="KANTOR", help="Kantor, mis. KC-PLG."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menambah pengguna (hanya admin)."""
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
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menonaktifkan pengguna (hanya admin): ia tidak dapat bertindak lagi; namanya tetap dalam catatan."""
    from beasiswa.model import Refusal

    workflow = _workflow(db)
    try:
        user = _busy(lambda: workflow.deactivate_user(as_, name))
    except Refusal as refusal:
        _fail(str(refusal), 1)
    _out().print(f"pengguna dinonaktifkan: {user.name}", highlight=False)


@users_app.command("list")
def users_list(db: str = DB_OPTION) -> None:
    """Semua pengguna dengan peran, kantor dan status aktifnya."""
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


def _files_exist(files: list[Path]) -> None:
    """Every file named is there before any is taken in: a missing one is bad input (exit 2, nothing taken)."""
    from beasiswa.workflow.intake import missing_file

    missing = [m for m in map(missing_file, files) if m is not None]
    if missing:
        _fail("; ".join(missing))


def intake_command(
    files: list[Path] = typer.Argument(..., metavar="BERKAS...",
                                       help="Berkas kasus (.json) dan lembar penerimaan (.csv, .xlsx)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  metavar="NAMA", help="Pengguna yang menerima kasus; ulangi untuk beberapa kantor."),
    db: str = DB_OPTION,
) -> None:
    """Mendaftarkan kasus tiap berkas beserta anak dan klaimnya lalu memutuskan setiap klaim; ringkasan per
    berkas. Tiap kasus diterima utuh atau ditolak utuh (menyebut baris dan kolomnya); berkas yang sama lagi
    tidak mengubah apa pun."""
    from beasiswa.workflow.intake import take_in_files
    from beasiswa.workflow.views import print_intake

    if not as_:
        _fail("intake: perubahan dilakukan oleh pengguna bernama: --as NAMA atau BEASISWA_USER")
    _files_exist(files)
    workflow = _workflow(db)
    summaries = _busy(lambda: take_in_files(workflow, files, _user_for(workflow.engine, as_), dt.date.today()))
    print_intake(_out(), summaries)
    if any(s.error for s in summaries):
        raise typer.Exit(2)
    if any(not s.ok for s in summaries):
        raise typer.Exit(1)


# ============================================================================================== lookup

def queue_command(
    state: list[str] = typer.Option(None, "--state", metavar="STATUS",
                                    help="Hanya status ini (ulangi); bawaan: semua status terbuka. Status: "
                                         + _named(STATE_NAMES) + "."),
    office: str = typer.Option(None, "--office", metavar="KANTOR", help="Hanya kantor ini."),
    mine: bool = typer.Option(False, "--mine", help="Yang menunggu pengguna --as: diverifikasi atau ditinjau "
                                                    "ulang (petugas), disetujui atau dibayar (pengawas)."),
    older_than: int = typer.Option(None, "--older-than", min=0, max=MAX_DAYS, metavar="HARI",
                                   help="Hanya klaim yang berada pada statusnya lebih dari HARI hari."),
    limit: int = typer.Option(None, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH",
                              help="Paling banyak sejumlah ini (yang terlama)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Klaim yang menunggu, terlama lebih dulu."""
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
            _fail("--mine: antrean siapa? --as NAMA atau BEASISWA_USER")
        with engine.connect() as conn:
            user = find_user(conn, as_)
        if user is None:
            _fail(f"--as: pengguna {as_!r} tidak terdaftar", 1)
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
    what: str = typer.Argument(..., metavar="KLAIM|KASUS", help="ID_KASUS/ID_KLAIM atau ID_KASUS."),
    trace: bool = typer.Option(True, "--trace/--no-trace", help="Tampilkan setiap aturan yang diterapkan (bawaan)."),
    db: str = DB_OPTION,
) -> None:
    """Satu klaim atau kasus: keputusan dengan jejak aturan dan dasar hukumnya, dokumen, pembayaran, surat,
    jejak audit."""
    from beasiswa.workflow.queries import case_view, suggestion
    from beasiswa.workflow.views import print_case

    case_id, _, claim_id = what.partition("/")
    engine = _engine(db)
    view = case_view(engine, case_id.strip(), claim_id.strip() or None)
    if view is None:
        from beasiswa.workflow.errors import case_not_found, claim_not_found
        refusal = claim_not_found(f"{case_id.strip()}/{claim_id.strip()}") if claim_id else case_not_found(case_id.strip())
        _fail(f"{refusal}{suggestion(engine, what)}", 1)
    print_case(_out(), view, trace=trace)


def search_command(
    text: str = typer.Argument(..., metavar="TEKS", help="NIK (16 angka), KPJ (11 angka) atau sebagian nama."),
    limit: int = typer.Option(50, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH", help="Paling banyak sejumlah ini."),
    db: str = DB_OPTION,
) -> None:
    """Mencari kasus dan klaim menurut NIK peserta atau anak, KPJ, atau nama."""
    from beasiswa.workflow.queries import search
    from beasiswa.workflow.views import print_search

    if len(text.strip()) < 2:
        _fail(f"search: {text!r} terlalu pendek (paling sedikit 2 karakter)")
    if len(text) > 200:
        _fail(f"search: {len(text)} karakter terlalu panjang (paling banyak 200, seperti nama)")
    print_search(_out(), search(_engine(db), text, limit), text.strip())


def audit_command(
    what: str = typer.Argument(None, metavar="[KLAIM|KASUS]", help="ID_KASUS/ID_KLAIM atau ID_KASUS; bawaan: semua."),
    actor: str = typer.Option(None, "--actor", metavar="NAMA", help="Hanya yang dilakukan pengguna ini."),
    limit: int = typer.Option(None, "--limit", min=1, max=MAX_ROWS, metavar="JUMLAH", help="Hanya sejumlah baris terakhir ini."),
    db: str = DB_OPTION,
) -> None:
    """Jejak audit: siapa melakukan apa, kapan, sebelum → sesudah. Hanya ditambah; basis data menolak perubahan."""
    from beasiswa.workflow.queries import audit_entries
    from beasiswa.workflow.views import print_audit

    case_id, _, claim_id = (what or "").partition("/")
    print_audit(_out(), audit_entries(_engine(db), case_id=case_id or None, claim_id=claim_id or None,
                                      actor=actor, limit=limit))


# ============================================================================================== claim actions

# The option that asks for every claim of an office in the action's state, named whole in messages.
_ALL_FLAGS = {"verify": "--all-decided", "approve": "--all-verified", "pay": "--all-approved"}


def _bulk(action_name: str, refs_text: list[str], all_flag: bool, state, office: str | None, as_: str | None,
          db: str | None, run) -> None:
    from beasiswa.workflow.actions import Action
    from beasiswa.model import Refusal
    from beasiswa.workflow.queries import refs_in_state
    from beasiswa.workflow.records import actor
    from beasiswa.workflow.roles import check
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail(f"{action_name}: perubahan dilakukan oleh pengguna bernama: --as NAMA atau BEASISWA_USER")
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
            _fail(f"{action_name} {_ALL_FLAGS[action_name]}: [{refusal.code}]: {refusal.message}", 1)
        refs += refs_in_state(workflow.engine, state, office)
    elif office is not None:
        _fail(f"--office hanya bersama {_ALL_FLAGS[action_name]}: sebutkan klaimnya, atau minta semua klaim "
              f"kantor itu dengan {_ALL_FLAGS[action_name]} --office KANTOR")
    if not refs:
        _out().print("Tidak ada klaim.", highlight=False)
        return
    steps = _busy(lambda: run(workflow, as_, refs))
    print_steps(_out(), steps, Action(action_name), _hints(workflow.engine, steps))
    _exit_for(steps)


def _hints(engine, steps) -> dict:
    """For each claim refused as not registered, the registered ids nearest to it (a mistyped id)."""
    from beasiswa.workflow.queries import suggestion

    return {s.ref: suggestion(engine, str(s.ref)) for s in steps
            if not s.ok and s.refusal.code == "CLAIM_NOT_FOUND"}


def verify_command(
    claims: list[str] = typer.Argument(None, metavar="[KLAIM]...", help="ID_KASUS/ID_KLAIM ..."),
    all_decided: bool = typer.Option(False, "--all-decided", help="Semua klaim berstatus diputuskan di kantor itu."),
    office: str = typer.Option(None, "--office", metavar="KANTOR",
                               help="Bersama --all-decided (bawaan: kantor pengguna)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """diputuskan → diverifikasi: dokumen klaim yang diputuskan setuju telah diperiksa (oleh petugas, atau
    pengawas sebagai pengganti petugas, yang lalu tidak boleh menyetujuinya)."""
    from beasiswa.workflow.states import State

    _bulk("verify", claims, all_decided, State.DECIDED, office, as_, db, lambda w, a, r: w.verify(a, r))


def approve_command(
    claims: list[str] = typer.Argument(None, metavar="[KLAIM]...", help="ID_KASUS/ID_KLAIM ..."),
    all_verified: bool = typer.Option(False, "--all-verified",
                                      help="Semua klaim berstatus diverifikasi di kantor itu."),
    office: str = typer.Option(None, "--office", metavar="KANTOR",
                               help="Bersama --all-verified (bawaan: kantor pengguna)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """diverifikasi → disetujui (oleh pengawas yang tidak memverifikasinya: empat mata); hasil petugas yang
    menolak (override) menjadi penolakan."""
    from beasiswa.workflow.states import State

    _bulk("approve", claims, all_verified, State.VERIFIED, office, as_, db, lambda w, a, r: w.approve(a, r))


def pay_command(
    claims: list[str] = typer.Argument(None, metavar="[KLAIM]...", help="ID_KASUS/ID_KLAIM ..."),
    all_approved: bool = typer.Option(False, "--all-approved", help="Semua klaim berstatus disetujui di kantor itu."),
    office: str = typer.Option(None, "--office", metavar="KANTOR",
                               help="Bersama --all-approved (bawaan: kantor pengguna)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """disetujui → dibayar: pembayaran dibukukan ke jurnal (pembuat: yang memverifikasi; pemberi persetujuan: yang
    menyetujui)."""
    from beasiswa.workflow.states import State

    _bulk("pay", claims, all_approved, State.APPROVED, office, as_, db, lambda w, a, r: w.pay(a, r))


def _one(action_name: str, as_: str | None, db: str | None, run) -> None:
    from beasiswa.workflow.actions import Action
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail(f"{action_name}: perubahan dilakukan oleh pengguna bernama: --as NAMA atau BEASISWA_USER")
    workflow = _workflow(db)
    steps = _busy(lambda: run(workflow))
    print_steps(_out(), steps, Action(action_name), _hints(workflow.engine, steps))
    _exit_for(steps)


def return_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    missing: list[str] = typer.Option(..., "--missing", metavar="DOKUMEN",
                                      help="Dokumen yang ternyata kurang (ulangi, atau pisahkan dengan ';'). Dokumen: "
                                           + _named(DOCUMENT_NAMES) + "."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """diputuskan → dikembalikan: dokumen ternyata kurang saat diperiksa; aturan memutuskan lagi tanpa dokumen itu."""
    [ref] = _refs([claim])
    documents = _documents(missing, "--missing")
    _one("return", as_, db, lambda w: [w.return_claim(as_, ref, documents)])


def resubmit_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    documents: list[str] = typer.Option(..., "--documents", metavar="DOKUMEN",
                                        help="Dokumen yang dibawa (ulangi, atau pisahkan dengan ';'). Dokumen: "
                                             + _named(DOCUMENT_NAMES) + "."),
    on: str = typer.Option(None, "--on", metavar="TANGGAL", help="Tanggal diserahkan (YYYY-MM-DD); bawaan: hari ini."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """dikembalikan → diajukan → diputuskan lagi, dengan dokumen yang ditambahkan."""
    [ref] = _refs([claim])
    docs = _documents(documents, "--documents")
    day = _date(on, "--on")
    _one("resubmit", as_, db, lambda w: [w.resubmit(as_, ref, docs, day)])


def override_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    outcome: str = typer.Option(..., "--outcome", metavar="HASIL",
                                help="Hasil: " + _named({k: OUTCOME_NAMES[k] for k in ("approved", "rejected")}) + "."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN",
                               help="Alasan tertulis (disimpan, dan disampaikan dalam surat penolakan)."),
    code: str = typer.Option(None, "--code", metavar="KODE",
                             help="Untuk penolakan: aturan yang tidak dipenuhi klaim (kode alasan, mis. EMPLOYED)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Hasil dari petugas sebagai pengganti hasil aturan, dengan alasan tertulis; pengawas menyetujuinya."""
    from beasiswa.model import Code, Outcome

    [ref] = _refs([claim])
    try:
        chosen = Outcome.parse(outcome, "hasil keputusan")
        rule = Code.parse(code, "kode alasan") if code is not None else None
    except ValueError as exc:
        _fail(f"--outcome/--code: {exc}")
    _one("override", as_, db, lambda w: [w.override(as_, ref, chosen, reason, rule)])


def appeal_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN",
                               help="Apa yang diminta keluarga untuk ditinjau kembali."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """ditolak → peninjauan kembali: permohonan keluarga untuk ditinjau kembali (sekali per klaim)."""
    [ref] = _refs([claim])
    _one("appeal", as_, db, lambda w: [w.appeal(as_, ref, reason)])


def reconsider_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """peninjauan kembali → diputuskan lagi menurut isi basis data sekarang (atau diganti dengan override)."""
    [ref] = _refs([claim])
    _one("reconsider", as_, db, lambda w: [w.reconsider(as_, ref)])


def arrears_command(
    case_id: str = typer.Argument(..., metavar="ID_KASUS", help="Kasus yang terdaftar."),
    months: int = typer.Option(0, "--months", min=0, max=MAX_MONTHS, metavar="BULAN",
                               help="Tunggakan iuran pemberi kerja sekarang, dalam bulan (0: lunas)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Mencatat tunggakan iuran pemberi kerja (0 bila lunas) dan memutuskan lagi klaim kasus yang ditunda."""
    from beasiswa.workflow.actions import Action
    from beasiswa.workflow.views import print_steps

    if not as_:
        _fail("arrears: perubahan dilakukan oleh pengguna bernama: --as NAMA atau BEASISWA_USER")
    workflow = _workflow(db)
    refusal, steps = _busy(lambda: workflow.settle_arrears(as_, case_id, months))
    if refusal is not None:
        from beasiswa.workflow.queries import suggestion

        hint = suggestion(workflow.engine, case_id) if refusal.code == "CASE_NOT_FOUND" else ""
        _fail(f"{refusal}{hint}", 1)
    _out().print(f"Tunggakan iuran kasus {case_id} dicatat: {months} bulan.", highlight=False)
    if steps:
        print_steps(_out(), steps, Action.SETTLE_ARREARS)
    _exit_for(steps)


# ============================================================================================== process

def _letters_folder(out_dir: Path) -> None:
    """The letters' folder, made now if missing; exit 2 naming --out when it is a file or can't be made or
    written to."""
    import os

    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out: {str(out_dir)!r} is a file, not a folder for the letters")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"--out: {str(out_dir)!r} cannot be made: {exc.strerror}")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        _fail(f"--out: {str(out_dir)!r} is not writable")


def process_command(
    files: list[Path] = typer.Argument(..., metavar="BERKAS...", help="Berkas kasus dan lembar penerimaan."),
    out_dir: Path = typer.Option(..., "--out", metavar="FOLDER", help="Tempat surat ditulis (PDF)."),
    as_: list[str] = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True,
                                  metavar="NAMA", help="Yang menerima kasus (ulangi, satu per kantor); bawaan: --verify-as."),
    verify_as: list[str] = typer.Option(None, "--verify-as", metavar="NAMA",
                                        help="Petugas yang memverifikasi, per kantor (ulangi)."),
    approve_as: list[str] = typer.Option(None, "--approve-as",
                                         metavar="NAMA", help="Pengawas yang menyetujui, membayar dan menerbitkan "
                                                              "surat, per kantor (ulangi)."),
    letter_date: str = typer.Option(None, "--date", metavar="TANGGAL",
                                    help="Tanggal surat (YYYY-MM-DD); bawaan: hari ini."),
    workers: int = typer.Option(None, "--workers", min=1, max=MAX_WORKERS, metavar="JUMLAH",
                                help="Jumlah proses pembuat surat (bawaan: satu per inti prosesor)."),
    db: str = DB_OPTION,
) -> None:
    """Seluruh jalur otomatis untuk satu kelompok: terima dan putuskan, verifikasi dan setujui bila diminta (dua
    orang berbeda), bukukan pembayaran, buat surat; lalu ringkasan dan laporan buku besar."""
    from beasiswa.db import database_url
    from beasiswa.workflow.process import run_process

    if approve_as and not verify_as:
        _fail("--approve-as memerlukan --verify-as: klaim diverifikasi sebelum disetujui")
    intake_users = as_ or verify_as
    if not intake_users:
        _fail("process: kasus diterima oleh pengguna bernama: --as NAMA (atau BEASISWA_USER), atau --verify-as")
    day = _date(letter_date, "--date")
    _letters_folder(out_dir)  # before anything is written: a batch must not stop after intake on its --out
    _files_exist(files)
    engine = _engine(db)
    status = _busy(lambda: run_process(engine, database_url(db), files, out_dir, intake_users, verify_as or [],
                                       approve_as or [], day, workers, _out(), today=dt.date.today()))
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
