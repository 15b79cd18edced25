"""What officers and supervisors read at the terminal, in Indonesian: intake summaries, a result line per
claim with a total, queues, a claim or case with everything about it, search results and the audit trail.
Rich tables that never cut an id or a code (`beasiswa.terminal`); times on the clock of the case's office
(`beasiswa.office_time`: stored in UTC, shown in WIB, WITA or WIT). Nothing here changes anything.
"""

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.access.roles import ROLE_NAMES, User
from beasiswa.indonesian import DOCUMENT_NAMES, EVENT_NAMES, OUTCOME_NAMES, format_date, format_rupiah
from beasiswa.office_time import format_moment
from beasiswa.terminal import print_table
from beasiswa.workflow.intake import FileSummary
from beasiswa.workflow.queries import CaseView
from beasiswa.workflow.results import Step
from beasiswa.workflow.states import STATE_NAMES, State

_OUTCOME_STYLE = {"approved": "green", "rejected": "red", "returned": "yellow", "pending": "cyan"}
_KIND_NAMES = {"award": "penetapan (disetujui)", "rejection": "penolakan", "return": "pengembalian"}


def when(stamp: str | None, office: str | None, time: bool = True) -> str:
    """'27 Agustus 2025 16.14 WIB' (or the date alone) from the stored UTC timestamp, on the office's clock."""
    return format_moment(stamp, office, time)


def state_name(state: str | None) -> str:
    return STATE_NAMES[State(state)] if state else "-"


def outcome_text(outcome: str | None) -> str:
    if not outcome:
        return "-"
    return f"[{_OUTCOME_STYLE.get(outcome, 'white')}]{OUTCOME_NAMES.get(outcome, outcome)}[/]"


# ------------------------------------------------------------------------------------------------ intake

def print_intake(console: Console, summaries: Sequence[FileSummary]) -> None:
    """Per file: cases taken (new or with claims added), unchanged, refused; claims taken by outcome,
    unchanged, refused. Then every refusal with its rows and reason."""
    if all(s.error for s in summaries):  # nothing was read: the reasons alone, no table of blanks
        for s in summaries:
            console.print(f"[red]✗[/] {escape(s.error)}", highlight=False, soft_wrap=True)
        return
    table = Table(title="Ringkasan penerimaan berkas", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    name_width = max([len("Berkas"), *(len(Path(s.path).name) for s in summaries)])
    table.add_column("Berkas", no_wrap=True, min_width=name_width)
    headings = ("Kasus\nbaru", "Kasus\ntambah", "Kasus\ntetap", "Kasus\ntolak", "Klaim\nbaru", "Setuju", "Tolak",
                "Kem-\nbali", "Tunda", "Klaim\ntetap", "Klaim\ntolak")
    for heading in headings:
        table.add_column(heading, justify="right", no_wrap=True, min_width=6)
    totals = [0] * len(headings)
    for s in summaries:
        if s.error:
            table.add_row(escape(Path(s.path).name), *["[red]-[/]"] * len(headings))  # the reason is printed below
            continue
        o = s.outcomes
        counts = [s.cases_new, s.cases_added, s.cases_unchanged, s.cases_refused, s.claims_taken, o["approved"],
                  o["rejected"], o["returned"], o["pending"], s.claims_unchanged, s.claims_refused]
        totals = [t + c for t, c in zip(totals, counts)]
        table.add_row(escape(Path(s.path).name), *(_red(c) if i in (3, 10) else str(c) for i, c in enumerate(counts)))
    if len(summaries) > 1:
        table.add_section()
        table.add_row("[bold]Jumlah[/]", *(f"[bold]{c}[/]" for c in totals))
    # Wider than a narrow terminal rather than folded into unreadable columns.
    console.print(table, width=max(console.width, name_width + len(headings) * 8 + 2), crop=False)
    console.print("Kasus baru: didaftarkan; tambah: sudah terdaftar, klaim baru ditambahkan; tetap: sudah terdaftar, "
                  "tidak ada yang berubah; tolak: tidak diterima sama sekali.", style="dim", highlight=False)
    for s in summaries:
        if s.error:
            console.print(f"[red]✗[/] {escape(s.error)}", highlight=False, soft_wrap=True)
        for line in s.lines:
            if line.result.refusal is not None:
                where = f" ({line.unit.where})" if line.unit.where else ""
                console.print(f"[red]✗[/] {escape(s.path)}: kasus {escape(line.unit.case_id)}{where} tidak diterima "
                              f"[{line.result.refusal.code}]: {escape(line.result.refusal.message)}",
                              highlight=False, soft_wrap=True)


def _red(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"


# ------------------------------------------------------------------------------------------------ steps

def print_steps(console: Console, steps: Sequence[Step], action: Action, hints: dict | None = None) -> None:
    """A result line per claim and a total: done, refused, and the amount of those done; `hints` adds to a
    refusal what may have been meant (the nearest ids to one not registered)."""
    for s in steps:
        if s.ok:
            money = f"  {format_rupiah(s.amount)}" if s.amount else ""
            seq = f"  jurnal #{s.seq}" if s.seq else ""
            outcome = f" ({OUTCOME_NAMES.get(s.outcome, s.outcome)})" if s.outcome else ""
            console.print(f"[green]✓[/] {escape(str(s.ref))}  {state_name(s.before)} → {state_name(s.after)}"
                          f"{outcome}{money}{seq}", highlight=False, soft_wrap=True)
            for warning in s.warnings:
                console.print(f"  [yellow]![/] Peringatan {escape(warning)}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[red]✗[/] {escape(str(s.ref))}  tidak dapat {ACTION_NAMES[action]} "
                          f"[{s.refusal.code}]: {escape(s.refusal.message)}{escape((hints or {}).get(s.ref, ''))}",
                          highlight=False, soft_wrap=True)
    done = [s for s in steps if s.ok]
    total = sum(s.amount for s in done if s.outcome == "approved")
    console.print(f"Jumlah: {len(done)} berhasil, {len(steps) - len(done)} gagal dari {len(steps)} klaim"
                  f"{'; nilai ' + format_rupiah(total) if total else ''}.", highlight=False)


# ------------------------------------------------------------------------------------------------ queue

def print_queue(console: Console, rows: Sequence, title: str) -> None:
    if not rows:
        console.print(f"{title}: tidak ada klaim.", highlight=False)
        return
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Klaim", no_wrap=True)
    table.add_column("Putusan", justify="right", no_wrap=True)
    table.add_column("Status")
    for r in rows:
        override = " [magenta](diubah)[/]" if r.override_outcome else ""
        people = " / ".join(p for p in (r.verified_by, r.approved_by) if p)
        table.add_row(f"{escape(r.case_id)}/{escape(r.claim_id)}\n{escape(r.child_name)} · {r.level} {r.academic_year}",
                      f"{outcome_text(r.outcome)}{override}\n{format_rupiah(r.amount) if r.amount else '-'}",
                      f"{state_name(r.state)} sejak {when(r.state_at, r.office, time=False)}"
                      + (f"\n{people}" if people else ""))
    print_table(console, table)
    total = sum(r.amount for r in rows if r.outcome == "approved")
    console.print(f"{len(rows)} klaim; nilai putusan disetujui {format_rupiah(total)}.", highlight=False)


# ------------------------------------------------------------------------------------------------ show

def print_case(console: Console, view: CaseView, *, trace: bool = True) -> None:
    c = view.case
    console.rule(f"[bold]Kasus {escape(c.case_id)}[/] · {c.office} · {c.scheme_id}")
    console.print(f"Peserta: {escape(c.participant_name)} (KPJ {c.participant_kpj}, NIK {c.participant_nik}, "
                  f"segmen {c.segment}); {EVENT_NAMES[c.event_kind]} pada {format_date(c.event_date)}. "
                  f"Didaftarkan {when(c.registered_at, c.office)} oleh {c.registered_by}.", highlight=False)
    if view.family is not None:
        f = view.family
        console.print(f"Hak keluarga: batas {format_rupiah(f.cap)}, telah dibayar {format_rupiah(f.paid)}, sisa "
                      f"{format_rupiah(f.cap - f.paid)}.", highlight=False)
    kids = {k.child_id: k for k in view.children}
    for claim in view.claims:
        _print_claim(console, claim, kids.get(claim.child_id), trace, c.office)
    _print_journal(console, view.journal, c.office)
    _print_letters(console, view.letters)
    _print_audit(console, view.audit, title="Jejak audit", office=c.office)


def _print_claim(console: Console, r, child, trace: bool, office: str) -> None:
    child_text = f"{escape(child.name)} (NIK {child.nik})" if child else r.child_id
    table = Table(title=f"Klaim {escape(r.case_id)}/{escape(r.claim_id)}: {child_text}, {r.level} "
                        f"{r.academic_year} ({escape(r.institution)})", title_justify="left", expand=True)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("Keterangan", ratio=3)
    table.add_column("Dasar hukum", ratio=2, style="dim")
    table.add_row("Status", f"{state_name(r.state)} sejak {when(r.state_at, office)}; putusan revisi "
                            f"{r.decision_revision}", "")
    table.add_row("Putusan", outcome_text(r.outcome), "")
    if r.automatic_outcome and r.automatic_outcome != r.outcome:
        table.add_row("Putusan otomatis", outcome_text(r.automatic_outcome), "")
    if r.override_outcome:
        table.add_row("Diubah petugas", f"{r.overridden_by}, {when(r.overridden_at, office)}: "
                                        f"{escape(r.override_reason)}", "")
    table.add_row("Nilai", format_rupiah(r.amount), "")
    for reason in r.reasons:
        table.add_row("Alasan", escape(reason["message"]), escape(reason["citation"]))
    for warning in r.warnings:
        table.add_row("Peringatan", escape(warning["message"]), escape(warning["citation"]))
    documents = "; ".join(DOCUMENT_NAMES.get(d, d) for d in r.documents) or "tidak ada"
    table.add_row("Dokumen", f"{escape(documents)} (diajukan {format_date(r.submitted_on)})", "")
    if r.account_number:
        table.add_row("Rekening", escape(f"{r.account_bank} {r.account_number} a.n. {r.account_holder}"), "")
    table.add_row("Diputuskan", f"{r.decided_by or '-'}, {when(r.decided_at, office)}", "")
    if r.verified_by:
        table.add_row("Diverifikasi", f"{r.verified_by}, {when(r.verified_at, office)}", "")
    if r.approved_by:
        table.add_row("Disetujui", f"{r.approved_by}, {when(r.approved_at, office)}", "")
    if r.appealed_revision:
        table.add_row("Peninjauan kembali", f"{r.appealed_by}, {when(r.appealed_at, office)}, atas putusan revisi "
                                            f"{r.appealed_revision}: {escape(r.appeal_reason)}", "")
    if trace:
        for step in r.trace:
            mark = "[green]✓[/]" if step["holds"] else "[red]✗[/]"
            table.add_row(f"{mark} aturan", escape(f"{step['rule']}: {step['detail']}"), escape(step["citation"]))
    print_table(console, table)


def _print_journal(console: Console, entries: Sequence, office: str) -> None:
    if not entries:
        console.print("Riwayat pembayaran: belum ada.")
        return
    table = Table(title="Riwayat pembayaran (jurnal)", title_justify="left")
    for heading in ("#", "Klaim / anak", "Tahun ajaran", "Nilai", "Jenis", "Pembuat / penyetuju", "Dicatat"):
        table.add_column(heading, justify="right" if heading in ("#", "Nilai") else "left")
    for e in entries:
        kind = {"payout": "bayar", "reversal": f"koreksi #{e.reverses_seq}"}[e.kind]
        source = " (riwayat)" if e.source == "history" else ""
        table.add_row(str(e.seq), f"{e.claim_id or '-'}\n{e.child_id}", f"{e.academic_year}\n{e.level}",
                      format_rupiah(e.amount), kind + source, f"{e.maker}\n{e.approver}", when(e.posted_at, office))
    print_table(console, table)


def _print_letters(console: Console, rows: Sequence) -> None:
    if not rows:
        console.print("Surat: belum ada.")
        return
    table = Table(title="Surat", title_justify="left")
    for heading in ("Nomor", "Klaim", "Revisi", "Jenis", "Tanggal", "Berkas", "SHA-256 PDF"):
        table.add_column(heading, no_wrap=heading in ("Nomor", "Klaim", "Berkas", "SHA-256 PDF"))
    for r in rows:
        table.add_row(r.number, r.claim_id, str(r.decision_revision), _KIND_NAMES.get(r.kind, r.kind),
                      format_date(r.letter_date), r.file_name, (r.pdf_sha256 or "belum dibuat")[:16])
    print_table(console, table)


def _print_audit(console: Console, rows: Sequence, title: str, office: str | None = None) -> None:
    """The trail's rows; each time on the clock of `office`, else of the row's own (its case's or, for a
    change to a user, the actor's)."""
    table = Table(title=title, title_justify="left")
    for heading in ("#", "Waktu / oleh", "Tindakan", "Sebelum → sesudah", "Catatan"):
        # A note may hold a file's path, which may fold; ids and codes never do.
        table.add_column(heading, no_wrap=heading == "#", overflow="fold" if heading == "Catatan" else "ellipsis")
    for r in rows:
        change, who = change_text(r), actor_text(r)
        at = when(r.at, office or getattr(r, "office", None))
        table.add_row(str(r.seq), f"{at}\n{escape(who)}", f"{r.action}\n{escape(r.subject)}", escape(change),
                      escape(r.note or ""))
    print_table(console, table)


def change_text(row) -> str:
    """An audit row's change as one line: 'before → after', or for a refused attempt 'DITOLAK [CODE]: why'."""
    if row.result == "refused":  # an attempt refused: who asked (as given), and why
        return f"DITOLAK [{row.refusal_code}]: {row.refusal_message}"
    return " → ".join(part for part in (_compact(row.before), _compact(row.after)) if part)


def actor_text(row) -> str:
    """Who an audit row is of: the user, or the name given when it is no user's."""
    return row.actor or f"{row.asked_as or '(tanpa nama)'} (bukan pengguna)"


def print_audit(console: Console, rows: Sequence) -> None:
    _print_audit(console, rows, title=f"Jejak audit ({len(rows)} baris)")


def _compact(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = json.loads(value)
    return ", ".join(f"{k}={_short(v)}" for k, v in value.items())


def _short(value) -> str:
    """A list as a/b/c; a SHA-256 as its first 16 hex digits and '…', as the letters' table shows one (the whole
    hash is in the journal: `beasiswa ledger export`), so the trail's table fits a terminal."""
    if isinstance(value, list):
        return "/".join(map(str, value))
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:16] + "…"
    return str(value)


# ------------------------------------------------------------------------------------------------ search, users

def print_search(console: Console, rows: Sequence, text: str) -> None:
    table = Table(title=f"Hasil pencarian {escape(text)!s}", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("Klaim", no_wrap=True)
    table.add_column("Peserta")
    table.add_column("Anak")
    table.add_column("Putusan")
    for r in rows:
        claim = f"{r.case_id}/{r.claim_id}\n{r.level} {r.academic_year}" if r.claim_id else f"{r.case_id}\n-"
        table.add_row(claim, f"{escape(r.participant_name)}\n{r.participant_kpj}", f"{escape(r.child_name)}\n{r.child_nik}",
                      f"{outcome_text(r.outcome)}\n{state_name(r.state)}")
    print_table(console, table)
    console.print(f"{len(rows)} baris (KPJ peserta, NIK anak).", highlight=False)


def print_users(console: Console, users: Iterable[User]) -> None:
    table = Table(title="Pengguna", title_justify="left")
    for heading in ("Nama", "Peran", "Kantor", "Aktif"):
        table.add_column(heading)
    for u in users:
        table.add_row(u.name, ROLE_NAMES[u.role], u.office, "ya" if u.active else "[red]tidak[/]")
    print_table(console, table)
