"""The claim's steps through the workflow, each run as a user who signed in (`--as NAME`, or BEASISWA_USER, or the
one user signed in: beasiswa.cli.identity): `verify`,
`approve` and `pay` (named claims, or every claim of an office in that state), `return`, `resubmit`, `override`,
`appeal`, `reconsider`, and `arrears` (a case's employer arrears recorded, its deferred claims decided again);
the group `claims`: `claims account` (a claim's account corrected).

Exit status: 0 done; 1 something was refused (each refusal names who, what and the rule) or did not go through;
2 bad input (nothing written); 3 the database stayed busy (run the same command again).
"""

from functools import partial

import typer

from beasiswa.access.actions import Action
from beasiswa.access.roles import check
from beasiswa.cli.console import fail, stdout
from beasiswa.cli.identity import acting_one
from beasiswa.cli.locale import named_values
from beasiswa.cli.options import AS_OPTION, DB_OPTION, parse_day
from beasiswa.cli.service import busy, exit_for, hints, parse_documents, parse_refs, workflow
from beasiswa.indonesian import DOCUMENT_NAMES, OUTCOME_NAMES
from beasiswa.model import Code, Outcome, Payee, Refusal
from beasiswa.model.case import MAX_MONTHS
from beasiswa.workflow.states import State

# The option that asks for every claim of an office in the action's state, named whole in messages.
_ALL_FLAGS = {"verify": "--all-decided", "approve": "--all-verified", "pay": "--all-approved"}


def _bulk(action_name: str, refs_text: list[str], all_flag: bool, state, office: str | None, as_: str | None,
          db: str | None, run) -> None:
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import refs_in_state
    from beasiswa.access.trail import actor
    from beasiswa.workflow.views import print_steps

    refs = parse_refs(refs_text or [])
    service = workflow(db)
    as_ = acting_one(service.engine, as_, action_name)
    if all_flag:
        # Whether the user may do this to the office's claims at all is asked before they are listed: an
        # auditor or another office's officer is refused, not told that there is nothing to do.
        try:
            with service.engine.connect() as conn:
                user = actor(conn, as_)
            office = office or user.office
            check(user, Action(action_name), office, "klaim")
        except Refusal as refusal:
            subject = f"office {office}" if office else "office"
            busy(partial(service.record_refusal, as_, action_name, subject, refusal))  # bound now, not in a lambda
            fail(f"{action_name} {_ALL_FLAGS[action_name]}: [{refusal.code}]: {refusal.message}", 1)
        refs += refs_in_state(service.engine, state, office)
    elif office is not None:
        fail(f"--office hanya bersama {_ALL_FLAGS[action_name]}: sebutkan klaimnya, atau minta semua klaim "
             f"kantor itu dengan {_ALL_FLAGS[action_name]} --office KANTOR")
    if not refs:
        stdout().print("Tidak ada klaim.", highlight=False)
        return
    steps = busy(lambda: run(service, as_, refs))
    print_steps(stdout(), steps, Action(action_name), hints(service.engine, steps))
    exit_for(steps)


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
    _bulk("pay", claims, all_approved, State.APPROVED, office, as_, db, lambda w, a, r: w.pay(a, r))


def _one(action_name: str, as_: str | None, db: str | None, run) -> None:
    """`run(service, user)`: one step as the user who signed in."""
    from beasiswa.workflow.views import print_steps  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    service = workflow(db)
    user = acting_one(service.engine, as_, action_name)
    steps = busy(lambda: run(service, user))
    print_steps(stdout(), steps, Action(action_name), hints(service.engine, steps))
    exit_for(steps)


def return_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    missing: list[str] = typer.Option(..., "--missing", metavar="DOKUMEN",
                                      help="Dokumen yang ternyata kurang (ulangi, atau pisahkan dengan ';'). Dokumen: "
                                           + named_values(DOCUMENT_NAMES) + "."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """diputuskan → dikembalikan: dokumen ternyata kurang saat diperiksa; aturan memutuskan lagi tanpa dokumen itu."""
    [ref] = parse_refs([claim])
    lacking = parse_documents(missing, "--missing")
    _one("return", as_, db, lambda w, a: [w.return_claim(a, ref, lacking)])


def resubmit_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    documents: list[str] = typer.Option(..., "--documents", metavar="DOKUMEN",
                                        help="Dokumen yang dibawa (ulangi, atau pisahkan dengan ';'). Dokumen: "
                                             + named_values(DOCUMENT_NAMES) + "."),
    on: str = typer.Option(None, "--on", metavar="TANGGAL", help="Tanggal diserahkan (YYYY-MM-DD); bawaan: hari ini."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """dikembalikan → diajukan → diputuskan lagi, dengan dokumen yang ditambahkan."""
    [ref] = parse_refs([claim])
    docs = parse_documents(documents, "--documents")
    day = parse_day(on, "--on")
    _one("resubmit", as_, db, lambda w, a: [w.resubmit(a, ref, docs, day)])


def override_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    outcome: str = typer.Option(..., "--outcome", metavar="HASIL",
                                help="Hasil: " + named_values({k: OUTCOME_NAMES[k] for k in ("approved", "rejected")})
                                     + "."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN",
                               help="Alasan tertulis (disimpan, dan disampaikan dalam surat penolakan)."),
    code: str = typer.Option(None, "--code", metavar="KODE",
                             help="Untuk penolakan: aturan yang tidak dipenuhi klaim (kode alasan, mis. EMPLOYED)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Hasil dari petugas sebagai pengganti hasil aturan, dengan alasan tertulis; pengawas menyetujuinya."""
    [ref] = parse_refs([claim])
    try:
        chosen = Outcome.parse(outcome, "hasil keputusan")
        rule = Code.parse(code, "kode alasan") if code is not None else None
    except ValueError as exc:
        fail(f"--outcome/--code: {exc}")
    _one("override", as_, db, lambda w, a: [w.override(a, ref, chosen, reason, rule)])


def appeal_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN",
                               help="Apa yang diminta keluarga untuk ditinjau kembali."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """ditolak → peninjauan kembali: permohonan keluarga untuk ditinjau kembali (sekali per klaim)."""
    [ref] = parse_refs([claim])
    _one("appeal", as_, db, lambda w, a: [w.appeal(a, ref, reason)])


def reconsider_command(
    claim: str = typer.Argument(..., metavar="KLAIM", help="ID_KASUS/ID_KLAIM."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """peninjauan kembali → diputuskan lagi menurut isi basis data sekarang (atau diganti dengan override)."""
    [ref] = parse_refs([claim])
    _one("reconsider", as_, db, lambda w, a: [w.reconsider(a, ref)])


def arrears_command(
    case_id: str = typer.Argument(..., metavar="ID_KASUS", help="Kasus yang terdaftar."),
    months: int = typer.Option(0, "--months", min=0, max=MAX_MONTHS, metavar="BULAN",
                               help="Tunggakan iuran pemberi kerja sekarang, dalam bulan (0: lunas)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Mencatat tunggakan iuran pemberi kerja (0 bila lunas) dan memutuskan lagi klaim kasus yang ditunda."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.workflow.queries import suggestion
    from beasiswa.workflow.views import print_steps

    service = workflow(db)
    as_ = acting_one(service.engine, as_, "arrears")
    refusal, steps = busy(lambda: service.settle_arrears(as_, case_id, months))
    if refusal is not None:
        hint = suggestion(service.engine, case_id) if refusal.code == "CASE_NOT_FOUND" else ""
        fail(f"{refusal}{hint}", 1)
    stdout().print(f"Tunggakan iuran kasus {case_id} dicatat: {months} bulan.", highlight=False)
    if steps:
        print_steps(stdout(), steps, Action.SETTLE_ARREARS)
    exit_for(steps)


claims_app = typer.Typer(no_args_is_help=True, help="Klaim: memperbaiki data pembayaran klaim (rekening).")


@claims_app.command("account")
def account_command(
    case_id: str = typer.Argument(..., metavar="ID_KASUS", help="Kasus yang terdaftar."),
    claim_id: str = typer.Argument(..., metavar="ID_KLAIM", help="Klaim dalam kasus itu."),
    bank: str = typer.Option(..., "--bank", metavar="BANK",
                             help="Bank rekening: nama, nama singkat atau kode sandi bank (mis. BRI, 'Bank Mandiri', 002)."),
    number: str = typer.Option(..., "--number", metavar="NOMOR", help="Nomor rekening, angka saja, sepanjang nomor bank itu."),
    holder: str = typer.Option(..., "--holder", metavar="NAMA", help="Nama pemilik rekening seperti di buku tabungan."),
    payee: str = typer.Option(None, "--payee", metavar="PENERIMA",
                              help="Pemilik rekening: child (anak) atau guardian (wali); bawaan: seperti sekarang."),
    reason: str = typer.Option(..., "--reason", metavar="ALASAN",
                               help="Mengapa rekening diperbaiki (mis. transfer dikembalikan bank: rekening ditutup)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Memperbaiki rekening klaim (mis. setelah bank mengembalikan transfernya) sebelum pembayaran disetujui lagi:
    oleh petugas kantor klaim itu, atau pengawas sebagai penggantinya; dengan alasan tertulis, tercatat di jejak audit."""
    from beasiswa.casefile import CaseFileError, parse_account  # lazy: the bank table, read only here

    [ref] = parse_refs([f"{case_id}/{claim_id}"])
    try:
        account = parse_account({"bank": bank, "number": number, "holder": holder}, "rekening")
        chosen = Payee.parse(payee, "pemilik rekening", "--payee") if payee is not None else None
    except (CaseFileError, ValueError) as exc:
        fail(str(exc).replace("rekening.bank", "--bank").replace("rekening.number", "--number")
             .replace("rekening.holder", "--holder"))
    from beasiswa.workflow.views import print_steps  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    service = workflow(db)
    user = acting_one(service.engine, as_, "claims account")
    steps = busy(lambda: [service.correct_account(user, ref, account, chosen, reason)])
    print_steps(stdout(), steps, Action.CORRECT_ACCOUNT, hints(service.engine, steps))
    exit_for(steps)
