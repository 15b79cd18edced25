"""`beasiswa db …` and `beasiswa ledger …`: the ledger's commands, registered on the main app in beasiswa.cli.

`record` and `reverse` write: they run as registered users through the workflow's service (roles, office,
four eyes, the audit trail), as every other write does.

Exit status: 0 done; 1 the ledger or the workflow refused something (a rule named: a ledger rule, a role, an
office, four eyes, an unknown or deactivated user), `verify` (or `report`) found a break, or
`exceptions` found one; 2 bad input
(nothing written); 3 the database stayed busy through every retry (the same command may be run again).
"""

import datetime as dt
from enum import Enum
from pathlib import Path

import typer

# DB_OPTION, _engine and _fail are shared with the other sub-apps. Like every import at the top of this module
# they are light (no database layer): `beasiswa decide` imports this module to register its commands.
from beasiswa.cli_options import DB_OPTION, MAX_SEQ
from beasiswa.cli_options import engine as _engine
from beasiswa.cli_options import fail as _fail

db_app = typer.Typer(no_args_is_help=True, help="Basis data: membuat atau memperbaruinya ke revisi terbaru.")
ledger_app = typer.Typer(no_args_is_help=True, help="Buku besar pembayaran: mencatat, membatalkan, memverifikasi dan "
                                                       "mengaudit (laporan, hak, pengecualian, ekspor).")

@db_app.command("upgrade")
def upgrade_command(
    db: str = DB_OPTION,
    app_role: str = typer.Option(None, "--app-role", metavar="NAME",
                                 help="PostgreSQL: peran yang dipakai setiap perintah lain untuk tersambung (bawaan "
                                      "beasiswa_app), dibuat bila belum ada dan hanya diberi hak yang diperlukan "
                                      "aplikasi; --db menyebut pemilik, yang menjalankan migrasi. SQLite: diabaikan."),
) -> None:
    """Membuat tabel, atau membawanya ke revisi terbaru (migrasi Alembic); pada PostgreSQL, lalu hak peran
    aplikasi (beasiswa.db.roles)."""
    from beasiswa.db import database_url, redact
    from beasiswa.db.migrate import upgrade_and_grant
    from beasiswa.db.roles import APP_ROLE, RolesRefused, check_role_name

    role = APP_ROLE if app_role is None else app_role
    try:
        check_role_name(role)
    except RolesRefused as exc:
        _fail(str(exc))
    engine = _engine(db, migrated=False)
    try:
        revision, granted = upgrade_and_grant(engine, role)
    except RolesRefused as exc:
        _fail(f"basis data {redact(database_url(db))}: tidak ada yang diperbarui: {exc}")
    typer.echo(f"basis data {redact(database_url(db))}: pada revisi {revision} (terbaru)")
    if granted is not None:
        typer.echo(f"peran aplikasi {granted.role}{' (dibuat)' if granted.created else ''}, skema "
                   f"{granted.schema}: membaca {len(granted.read)} tabel, menambah baris ke {len(granted.insert)}, "
                   f"mengubah kolom {', '.join(granted.update)}; tidak lebih. Tersambunglah sebagai peran ini untuk "
                   f"setiap perintah lain.")


# Who acts: the workflow's users (`beasiswa users add`), named as the workflow's commands name them.
AS_OPTION = typer.Option(None, "--as", "--maker", envvar="BEASISWA_USER", show_envvar=True,
                         help="The registered user who makes the postings (--maker is the old name).")


def _named(as_: str | None, approver: str, command: str) -> None:
    if not as_:
        _fail(f"ledger {command}: postings are made as a registered user: --as NAME or BEASISWA_USER")
    if not approver.strip():
        _fail(f"ledger {command}: --approver {approver!r}: name the registered supervisor who approves")


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
    from beasiswa.casefile import CaseFileError, read_case
    from beasiswa.indonesian import OUTCOME_NAMES, format_rupiah
    from beasiswa.law import default_law
    from beasiswa.ledger import LedgerBusy
    from beasiswa.rules import InvalidCase, decide
    from beasiswa.workflow.service import Workflow
    from beasiswa.workflow.states import STATE_NAMES

    _named(as_, approver, "record")
    law = default_law()
    cases = []
    for path in case_files:  # every file is read and decided before anything is written (bad input: exit 2)
        try:
            case = read_case(path, today=dt.date.today())  # today at the edge: no payout in history is future
            decide(case, law)
        except (CaseFileError, InvalidCase) as exc:
            _fail(str(exc))
        cases.append((path, case))
    workflow = Workflow(_engine(db), law)
    refusals = 0
    for path, case in cases:
        try:
            result = workflow.record_case(as_, approver.strip(), case, f"ledger record {path.name}")
        except LedgerBusy as exc:
            _fail(f"kasus {case.case_id}: basis data tetap sibuk ({exc}); jalankan perintah yang sama lagi", 3)
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
    from beasiswa.indonesian import format_rupiah
    from beasiswa.ledger import LedgerBusy
    from beasiswa.model import Refusal
    from beasiswa.workflow.service import Workflow
    from beasiswa.workflow.states import STATE_NAMES

    _named(as_, approver, "reverse")
    workflow = Workflow(_engine(db))
    try:
        done = workflow.reverse(as_, seq, approver.strip(), reason, key)
    except Refusal as refusal:
        _fail(str(refusal), 1)
    except LedgerBusy as exc:
        _fail(f"basis data tetap sibuk ({exc}); jalankan perintah yang sama lagi", 3)
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
    from beasiswa.audit.anchors import findings
    from beasiswa.audit.cli import read_anchors
    from beasiswa.ledger import verify

    given = read_anchors(anchors, expect_head)
    engine = _engine(db)
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
    from beasiswa.audit.cli import head_line

    typer.echo(head_line(_engine(db)))


@ledger_app.command("anchor")
def anchor_command(
    to: Path = typer.Option(..., "--to", metavar="BERKAS",
                            help="Berkas jangkar: baris itu ditambahkan di akhirnya (berkas dibuat bila belum ada, "
                                 "tidak pernah ditulis ulang)."),
    db: str = DB_OPTION,
) -> None:
    """Menambahkan baris ujung (`ledger head`) ke berkas jangkar; `verify --anchors BERKAS` memeriksanya nanti."""
    from beasiswa.audit.anchors import append_line
    from beasiswa.audit.cli import head_line

    line = head_line(_engine(db))
    try:
        append_line(to, line)
    except OSError as exc:
        _fail(f"--to: {str(to)!r} tidak dapat ditambahi ({exc.__class__.__name__}: {exc})")
    typer.echo(f"{line}  >> {to}")


# ------------------------------------------------------------------ auditors' commands (beasiswa.ledger.report,
# entitlement, exceptions, export hold the logic; these parse options and choose where the output goes)
class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"


def _rich():
    from beasiswa.cli import out
    return out


OUT_OPTION = typer.Option(None, "--out", metavar="BERKAS", help="Tulis ke berkas ini (ditulis utuh, lalu diganti "
                                             "namanya); tanpa opsi ini CSV ke keluaran standar.")


def _tabular(fmt: str, out: Path | None, header, rows, sheet: str, extra_sheets=()) -> int:
    """Rows as CSV or XLSX to `out` (atomically), or CSV to standard output. Returns the row count."""
    import sys

    from beasiswa.ledger.export import atomic_path, write_csv, write_xlsx

    from beasiswa.ledger.export import OutputError

    if out is None:
        return write_csv(sys.stdout, header, rows)
    try:
        with atomic_path(out) as temp:
            if fmt == "xlsx":
                return write_xlsx(temp, sheet, header, rows, extra_sheets)
            with temp.open("w", encoding="utf-8", newline="") as stream:
                return write_csv(stream, header, rows)
    except OutputError as exc:  # e.g. a folder that takes no new file (/proc): nothing was written
        _fail(str(exc))
    except OSError as exc:
        _fail(f"--out: {str(out)!r} cannot be written: {exc.strerror or exc}")


def _check_out(fmt: str, out: Path | None) -> None:
    from beasiswa.ledger.export import OutputError, check_output

    try:
        if out is not None:
            check_output(out)
        elif fmt == "xlsx":
            raise OutputError("--out: XLSX ditulis ke berkas: berikan --out BERKAS.xlsx")
    except OutputError as exc:
        _fail(str(exc))


@ledger_app.command("report")
def report_command(
    by: str = typer.Option("level_group,academic_year,office", "--by",
                           metavar="DIMENSI", help="Kelompokkan menurut level_group (jenjang), academic_year (tahun "
                                "ajaran), office (kantor), dipisah koma; '' untuk seluruh jurnal."),
    period: str = typer.Option("month", "--period",
                               metavar="PERIODE", help="month (bulan) | year (tahun) | all (semua): bulan atau tahun "
                                    "kalender UTC dari posted_at (waktu posting, bukan tahun ajaran), atau satu periode."),
    format: TableFormat = typer.Option(TableFormat.table, "--format",
                                       help="table (untuk dibaca orang), csv atau xlsx."),
    out: Path = OUT_OPTION,
    check: bool = typer.Option(True, "--verify/--no-verify", help="Verifikasi rantai dulu (bawaan) dan laporkan "
                                                                  "entri yang diverifikasi."),
    db: str = DB_OPTION,
) -> None:
    """Jumlah dan total per kelompok jenjang × tahun ajaran × kantor, per periode posting, dengan saldo awal +
    pembayaran − pembatalan = saldo akhir; diakhiri hash ujung untuk disimpan di luar basis data. Status keluar 1
    bila verifikasi menemukan kerusakan (laporan tetap dicetak)."""
    from beasiswa.ledger import verify
    from beasiswa.ledger.report import (ReportOptionError, build_report, check_period, head_line, journal_head,
                                        parse_dimensions, report_rows)
    from beasiswa.ledger.views import print_report

    try:
        dimensions, period = parse_dimensions(by), check_period(period)
    except ReportOptionError as exc:
        _fail(str(exc))
    _check_out(format.value, out)
    engine = _engine(db)
    broken = False
    if check:
        verified = verify(engine)
        broken = not verified.ok
        seq, head_hash = (verified.entries, verified.head_hash) if verified.ok else journal_head(engine)
        status = "verifikasi OK" if verified.ok else f"verifikasi RUSAK: {verified.problems[0]}"
    else:
        (seq, head_hash), status = journal_head(engine), "tidak diverifikasi"
    report = build_report(engine, dimensions, period, seq)
    line = head_line(seq, head_hash, status)
    if format is TableFormat.table:
        print_report(_rich(), report)
        typer.echo(line)
    else:
        header, rows = report_rows(report)
        count = _tabular(format.value, out, header, rows, "laporan",
                         [("head", [("head_seq", seq), ("head_hash", head_hash), ("status", status)])])
        typer.echo(f"{count} baris ditulis ke {out}; {line}" if out else line, err=out is None)
    if broken:
        raise typer.Exit(1)


@ledger_app.command("entitlement")
def entitlement_command(
    case_id: str = typer.Argument(..., metavar="ID_KASUS", help="Kasus yang terdaftar."),
    format: str = typer.Option("table", "--format", metavar="table|json", help="table (untuk dibaca orang) atau json."),
    db: str = DB_OPTION,
) -> None:
    """Per anak tahun yang terpakai per kelompok jenjang (juga tahap TK dan SD), yang dibayar dan sisa terhadap
    batas per anak; per keluarga batasnya, yang dibayar dan sisa: dari jurnal, total berjalannya dan hukum."""
    import json

    from beasiswa.db import database_url, redact
    from beasiswa.law import default_law
    from beasiswa.ledger.entitlement import UnknownCase, read_entitlement, to_json
    from beasiswa.ledger.views import print_entitlement

    if format not in ("table", "json"):
        _fail(f"--format: {format!r} bukan format (table, json)")
    engine = _engine(db)
    try:
        entitlement = read_entitlement(engine, case_id, default_law())
    except UnknownCase as exc:
        _fail(f"{exc} ({redact(database_url(db))})")
    if format == "json":
        typer.echo(json.dumps(to_json(entitlement), ensure_ascii=False, indent=2))
    else:
        print_entitlement(_rich(), entitlement)


@ledger_app.command("exceptions")
def exceptions_command(
    format: str = typer.Option("table", "--format", metavar="table|csv", help="table (untuk dibaca orang) atau csv."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Entri yang tetap melanggar aturan (riwayat impor, perusakan): usia 23, menikah, bekerja, sebelum
    peristiwa, jenjang atau jumlah tidak sesuai hukum, tunjangan, batas anak, batas per anak atau keluarga, satu
    rekening pada beberapa keluarga, pembuat = penyetuju, celah nomor urut. Satu baris per temuan; status
    keluar 0 dengan "tidak ada pengecualian", 1 bila ada."""
    from beasiswa.law import default_law
    from beasiswa.ledger.exceptions import HEADER, find_exceptions, finding_rows
    from beasiswa.ledger.report import head_line, journal_head
    from beasiswa.ledger.views import print_findings

    if format not in ("table", "csv"):
        _fail(f"--format: {format!r} bukan format (table, csv)")
    _check_out(format, out)
    engine = _engine(db)
    seq, head_hash = journal_head(engine)
    found = find_exceptions(engine, default_law(), seq)
    line = head_line(seq, head_hash, f"entri sampai seq {seq} diperiksa")
    if format == "csv":
        count = _tabular("csv", out, HEADER, finding_rows(found), "exceptions")
        typer.echo(f"{count} temuan ditulis ke {out}; {line}" if out else line, err=out is None)
    elif found:
        print_findings(_rich(), found)
        typer.echo(line)
    else:
        typer.echo(f"tidak ada pengecualian; {line}")
    if found:
        raise typer.Exit(1)


@ledger_app.command("export")
def export_command(
    format: FileFormat = typer.Option(FileFormat.csv, "--format", help="csv atau xlsx."),
    out: Path = OUT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Seluruh jurnal dengan hash dan bita kanoniknya, urut seq (dialirkan). Sel teks yang diawali
    = + - @ tab atau CR diberi awalan ' (injeksi CSV); jumlah tetap angka."""
    from beasiswa.ledger.export import EXPORT_COLUMNS, journal_rows
    from beasiswa.ledger.report import head_line, journal_head

    _check_out(format.value, out)
    engine = _engine(db)
    seq, head_hash = journal_head(engine)
    count = _tabular(format.value, out, EXPORT_COLUMNS, journal_rows(engine, seq), "journal")
    line = head_line(seq, head_hash, "tidak diverifikasi; jalankan `beasiswa ledger verify`")
    typer.echo(f"{count} entri ditulis ke {out}; {line}" if out else line, err=out is None)
