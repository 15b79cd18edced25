"""`beasiswa payments reconcile` and `payments exceptions`: the bank's answer to the office's transfer files,
registered on the `payments` group (beasiswa.cli.payments) beside the export. `reconcile FILE` reads a camt.053
statement, a camt.054 notification or a bank's CSV result file and applies it through the workflow's service
(`Workflow.reconcile`: a supervisor of the office, one transaction, audited); `exceptions` lists the lines that
matched no transfer as they should, still open; `resolve` clears one with a note.

Exit status: 0 done (also a file reconciled before: nothing changes, and it says so); 1 refused (role, office,
an unknown user); 2 a file that cannot be read, named with the element or line and the value, nothing written;
3 the database stayed busy.
"""

from pathlib import Path

import typer
from rich.table import Table

from beasiswa.cli.console import fail, stdout
from beasiswa.cli.identity import acting_one
from beasiswa.cli.options import AS_OPTION, DB_OPTION
from beasiswa.cli.payments import office_option
from beasiswa.cli.service import refusable, workflow
from beasiswa.indonesian import EXCEPTION_KIND_NAMES, format_rupiah
from beasiswa.office_time import format_moment
from beasiswa.terminal import print_table



def reconcile_command(
    file: Path = typer.Argument(..., metavar="BERKAS",
                                help="Jawaban bank: pernyataan camt.053, notifikasi camt.054, atau berkas hasil CSV "
                                     "bank (BRI CMS, Mandiri MCM, BNI Direct)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Merekonsiliasi jawaban bank atas berkas transfer kantor: transfer yang berhasil dicatat berhasil (referensi
    dan tanggal bank), transfer yang dikembalikan dibatalkan di jurnal (pembuat: bank; penyetuju: pengawas yang
    mengimpor) dan klaimnya kembali ke petugas untuk memperbaiki rekening, sisanya menjadi pengecualian. Oleh
    pengawas kantor itu, satu transaksi, tercatat di jejak audit; berkas yang sama lagi tidak mengubah apa pun."""
    from beasiswa.payments.reading import read_statement  # lazy: pyiso20022's bindings
    from beasiswa.payments.statement import StatementError

    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments reconcile")
    try:
        statement = read_statement(file)
    except StatementError as exc:
        fail(str(exc))
    done = refusable(lambda: w.reconcile(as_, statement))
    console = stdout()
    if done.replayed:
        console.print(f"{file.name} sudah direkonsiliasi sebagai {done.statement_id} (SHA-256 sama): tidak ada "
                      f"yang berubah.", highlight=False, soft_wrap=True)
        return
    console.print(f"{done.statement_id}: {file.name} ({done.file_format}), kantor {done.office}, {done.lines} "
                  f"transfer", highlight=False)
    console.print(f"  berhasil masuk rekening: {done.settled}", highlight=False)
    console.print(f"  dikembalikan bank: {done.returned} (dibatalkan di jurnal; klaimnya kembali ke petugas)",
                  highlight=False)
    console.print(f"  pengecualian: {done.exceptions}", highlight=False)
    if done.other:
        console.print(f"  entri lain (bukan transfer beasiswa: biaya, setoran): {done.other}", highlight=False)
    seqs = dict(done.reversals)
    back = [m for m in done.matched if m.kind == "returned"]
    if back:
        table = Table(title="Dikembalikan bank", title_justify="left", show_edge=False, box=None, header_style="bold")
        for name in ("End-to-end", "Jumlah", "Alasan", "Pembatalan"):
            table.add_column(name, justify="right" if name in ("Jumlah", "Pembatalan") else "left")
        for m in back:
            table.add_row(m.line.end_to_end_id, format_rupiah(m.line.amount), m.line.return_reason or "",
                          f"seq {seqs[m.line.end_to_end_id]}")
        print_table(console, table)
    found = [m for m in done.matched if m.exception]
    if found:
        table = Table(title="Pengecualian", title_justify="left", show_edge=False, box=None, header_style="bold")
        for name in ("Baris", "Jenis", "End-to-end", "Keterangan"):
            table.add_column(name, justify="right" if name == "Baris" else "left")
        for m in found:
            table.add_row(str(m.line.line_no), EXCEPTION_KIND_NAMES[m.kind], m.line.end_to_end_id, m.detail)
        print_table(console, table)


def exceptions_command(
    office: str = typer.Option(None, "--office", metavar="KANTOR",
                               help="Kantor (auditor: bawaan semua kantor; petugas dan pengawas: kantornya)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Pengecualian rekonsiliasi yang masih terbuka: baris pernyataan bank yang tidak cocok dengan transfer mana
    pun, jumlah atau rekeningnya berbeda, atau ganda; yang terlama dahulu."""
    asked = office_option(office) if office else None
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments exceptions")
    rows = refusable(lambda: w.open_exceptions(as_, asked))
    console = stdout()
    if not rows:
        console.print("Tidak ada pengecualian rekonsiliasi yang terbuka.")
        return
    table = Table(title=f"{len(rows)} pengecualian terbuka", title_justify="left", show_edge=False, box=None,
                  header_style="bold")
    for name in ("Pernyataan", "Baris", "Diimpor", "Jenis", "End-to-end", "Jumlah", "Keterangan"):
        table.add_column(name, justify="right" if name in ("Baris", "Jumlah") else "left")
    for e in rows:
        table.add_row(e.statement_id, str(e.line_no), format_moment(e.imported_at, e.office), EXCEPTION_KIND_NAMES[e.kind],
                      e.end_to_end_id, format_rupiah(int(e.amount)), e.detail)
    print_table(console, table)


def resolve_command(
    statement: str = typer.Argument(..., metavar="PERNYATAAN", help="Nomor pernyataan, mis. RKN/KC-PLG/20250806/001."),
    line: int = typer.Argument(..., min=1, metavar="BARIS", help="Baris pengecualian dalam pernyataan itu."),
    note: str = typer.Option(..., "--note", metavar="CATATAN",
                             help="Apa yang dilakukan (mis. dikonfirmasi ke bank: transfer pihak lain)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menyelesaikan satu pengecualian rekonsiliasi dengan catatan, oleh pengawas kantornya (sekali; tercatat di
    jejak audit). Pengecualian tidak mengubah transfer atau jurnal: yang perlu diubah dikerjakan dengan perintahnya
    sendiri."""
    w = workflow(db)
    as_ = acting_one(w.engine, as_, "payments resolve")
    done = refusable(lambda: w.resolve_exception(as_, statement.strip(), line, note), bad_input=("NOTE_REQUIRED",))
    stdout().print(f"{done.statement_id} baris {done.line_no} ({EXCEPTION_KIND_NAMES[done.kind]}, {done.end_to_end_id}): "
                   f"diselesaikan.", highlight=False, soft_wrap=True)
