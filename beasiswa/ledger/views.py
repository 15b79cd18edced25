"""The ledger's screens: its reports, a case's entitlement and the exceptions, as Rich tables for people.

Only the CLI imports this module (inside its commands, so `beasiswa decide` does not load Rich's tables or the
ledger); the reading and computing is in `report`, `entitlement` and `exceptions`, which know nothing of it.
"""

from rich import box
from rich.markup import escape
from rich.table import Table

from beasiswa.indonesian import format_date, format_rupiah
from beasiswa.ledger.entitlement import CaseEntitlement
from beasiswa.ledger.exceptions import Finding
from beasiswa.terminal import print_table
from beasiswa.ledger.report import LABELS, PERIOD_SHOWN, PERIOD_TITLES, Report, ReportLine, rupiah


def print_report(console, report: Report) -> None:
    """The report as a Rich table for people: amounts in rupiah, a total line per period. No cell is ever
    cut short: on a narrow terminal the lines run on rather than lose digits."""
    def cells(line: ReportLine) -> list[str]:
        return [rupiah(line.opening), str(line.payouts), rupiah(line.paid), str(line.reversals),
                rupiah(line.reversed), rupiah(line.closing)]

    rows = []
    for period in report.periods:
        for line in report.lines:
            if line.period == period:
                rows.append(([*line.key, PERIOD_SHOWN.get(period, period), *cells(line)], None))
        if report.dimensions:
            rows.append(([*(["Jumlah"] + [""] * (len(report.dimensions) - 1)), PERIOD_SHOWN.get(period, period),
                          *cells(report.totals(period))], "bold"))
    headers = [*(LABELS[name] for name in report.dimensions), "Periode", "Saldo awal", "Bayar", "Dibayar", "Batal",
               "Dibatalkan", "Saldo akhir"]
    table = Table(title=f"Jurnal beasiswa{PERIOD_TITLES[report.period]}, entri 1–{report.head_seq}; "
                        f"jumlah dalam rupiah", title_justify="left", box=box.SIMPLE_HEAD)
    for i, header in enumerate(headers):
        widest = max([len(cells_[i]) for cells_, _ in rows] or [0])
        table.add_column(header, justify="left" if i <= len(report.dimensions) else "right", no_wrap=True,
                         min_width=max(widest, len(header)))
    for cells_, style in rows:
        table.add_row(*(escape(c) for c in cells_), style=style, end_section=style is not None)
    console.print(table, highlight=False, crop=False)
    if not report.lines:
        console.print("(jurnal kosong)", highlight=False)


def print_entitlement(console, e: CaseEntitlement) -> None:
    def years(n: int | None) -> str:
        return "—" if n is None else str(n)

    console.print(f"[bold]Kasus {escape(e.case_id)}[/] · {escape(e.office)} · {e.scheme_name}", highlight=False, soft_wrap=True)
    console.print(f"Keluarga: batas {format_rupiah(e.cap)}, dibayar {format_rupiah(e.paid)}, "
                  f"sisa {format_rupiah(e.remaining)}; anak penerima {len(e.beneficiaries)} dari paling banyak "
                  f"{e.children_limit} ({escape(', '.join(e.beneficiaries)) or 'belum ada'})", highlight=False, soft_wrap=True)
    for c in e.children:
        cap = (f"batas per anak {format_rupiah(c.cap)}, dibayar {format_rupiah(c.paid)}, "
               f"sisa {format_rupiah(c.remaining)}" if c.cap is not None else f"dibayar {format_rupiah(c.paid)}")
        console.print(f"[bold]{escape(c.child_id)} · {escape(c.name)}[/] · lahir {format_date(c.birth_date)}",
                      highlight=False, soft_wrap=True)
        console.print(cap[0].upper() + cap[1:], highlight=False, soft_wrap=True)
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("Jenjang")
        table.add_column("Tahun terpakai", justify="right")
        table.add_column("Paling lama", justify="right")
        table.add_column("Sisa tahun", justify="right")
        table.add_column("Tahun ajaran dibayar")
        for g in c.groups:
            table.add_row(g.name, str(g.used), years(g.allowance), years(g.remaining), escape(", ".join(g.years)))
            for s in g.stages:
                table.add_row(f"  {s.name}", str(s.used), str(s.allowance), str(s.remaining), "")
        console.print(table, highlight=False)


def print_findings(console, found: list[Finding]) -> None:

    table = Table(title=f"Pengecualian: {len(found)} temuan", title_justify="left", box=box.SIMPLE_HEAD)
    for title in ("Seq", "Aturan", "Kasus", "Anak", "Tahun ajaran", "Keterangan"):
        table.add_column(title, justify="right" if title == "Seq" else "left",
                         no_wrap=title in ("Seq", "Aturan", "Kasus", "Anak", "Tahun ajaran"))
    for f in found:
        table.add_row(str(f.seq), f.code, *(escape(v or "") for v in (f.case_id, f.child_id, f.academic_year,
                                                                      f.detail)))
    print_table(console, table)
