"""Text explanations an officer can read to a family: a table per claim, the family's entitlement, and
the scheme in force with its citations. Indonesian throughout, for the people who read it."""

import datetime as dt
import re
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from beasiswa.indonesian import DOCUMENT_NAMES, EVENT_NAMES, OUTCOME_NAMES, SEGMENT_NAMES, format_date, format_rupiah
from beasiswa.law import Interpretation, Law, Scheme
from beasiswa.model import Case, CaseDecision, Outcome
from beasiswa.terminal import print_table

# The rule book's confidence marks (law.schema.Confidence) as the table shows them.
CONFIDENCE_NAMES = {"text": "teks peraturan", "agreed": "disepakati", "open": "terbuka", "proposed": "usulan"}


def _basis(cited) -> str:
    """A value's citation with the day it has stood since (its series' `from`)."""
    return f"{cited.citation} (berlaku sejak {format_date(cited.since)})" if cited.since else cited.citation


_STYLE = {Outcome.APPROVED: "green", Outcome.REJECTED: "red", Outcome.RETURNED: "yellow", Outcome.PENDING: "cyan"}


def print_explanation(console: Console, case: Case, decision: CaseDecision, law: Law, trace: bool = False) -> None:
    scheme = law.scheme(decision.scheme)
    p = case.participant
    console.rule(f"[bold]Kasus {case.case_id}[/] · {case.office}")
    console.print(f"Peserta: {p.name} (KPJ {p.kpj}, segmen {p.segment.value}), "
                  f"{EVENT_NAMES[case.event.kind.value]} pada {format_date(case.event.date)}.", highlight=False)
    console.print(f"Ketentuan yang berlaku: [bold]{scheme.name}[/] — {scheme.title}.", highlight=False)
    claims = {c.id: c for c in case.claims}
    dated = law.dated_scheme(decision.scheme)
    for d in decision.decisions:
        edition = dated.on(d.law_since) if d.law_since else scheme
        claim = claims[d.claim]
        child = case.child(d.child)
        table = Table(title=f"Klaim {d.claim}: {child.name}, {claim.level.value} {claim.academic_year} "
                            f"({claim.institution})", title_justify="left", show_header=True, expand=True)
        table.add_column("", style="bold", no_wrap=True)
        table.add_column("Keterangan", ratio=3)
        table.add_column("Dasar hukum", ratio=2, style="dim")
        outcome = OUTCOME_NAMES[d.outcome.value].upper()
        table.add_row("Hasil", f"[{_STYLE[d.outcome]}]{outcome}[/]", "")
        basis = edition.amount_for(claim.level)
        table.add_row("Nilai", format_rupiah(d.amount),
                      basis.citation if d.outcome is Outcome.APPROVED and basis else "")
        if d.law_since:
            table.add_row("Ketentuan", f"nilai dan tafsiran yang berlaku pada hari pertama tahun ajaran "
                                       f"{claim.academic_year} (interpretasi I14), tidak berubah sejak "
                                       f"{format_date(d.law_since)}", "")
        for r in d.reasons:
            table.add_row("Alasan", r.message, r.citation)
        for w in d.warnings:
            table.add_row("Peringatan", w.message, w.citation)
        if trace:
            for step in d.trace:
                mark = "[green]✓[/]" if step.holds else "[red]✗[/]"
                table.add_row(f"{mark} aturan", f"{step.rule}: {step.detail}", step.citation)
        print_table(console, table)
    e = decision.entitlement
    names = ", ".join(case.child(b).name for b in e.beneficiaries) or "belum ada"
    console.print(f"[bold]Hak keluarga[/]: batas {format_rupiah(e.family_cap)}, telah dibayar "
                  f"{format_rupiah(e.paid)}, sisa {format_rupiah(e.remaining)}; anak penerima: {names}.",
                  highlight=False)


def print_scheme(console: Console, law: Law, scheme: Scheme, day: dt.date) -> None:
    until = format_date(scheme.effective_until.value) if scheme.effective_until else "sekarang"
    console.rule(f"[bold]{scheme.name}[/] untuk peristiwa pada {format_date(day)}")
    console.print(f"{scheme.title}\nBerlaku untuk peristiwa {format_date(scheme.effective_from.value)} s.d. "
                  f"{until}. [dim]{scheme.effective_from.citation}[/]\n"
                  f"Nilai yang berlaku pada {format_date(day)}, untuk klaim tahun ajaran yang dimulai pada hari itu "
                  f"atau sesudahnya (interpretasi I14), masing-masing dengan tanggal mulai berlakunya.",
                  highlight=False)
    limits = Table(title="Batas dan syarat", title_justify="left", expand=True)
    limits.add_column("Ketentuan", style="bold")
    limits.add_column("Nilai")
    limits.add_column("Dasar hukum", style="dim")
    limits.add_column("Keyakinan")
    rows = [("Batas per keluarga (peserta)", format_rupiah(scheme.family_cap.value), scheme.family_cap),
            ("Jumlah anak paling banyak", str(scheme.children_limit.value), scheme.children_limit),
            ("Batas usia anak (di bawah)", f"{scheme.age_limit_years.value} tahun", scheme.age_limit_years),
            ("Tunggakan iuran pemberi kerja paling lama", f"{scheme.arrears_limit_months.value} bulan",
             scheme.arrears_limit_months),
            ("Segmen peserta", ", ".join(SEGMENT_NAMES[s.value] for s in sorted(scheme.segments.value)),
             scheme.segments),
            ("Jenjang tidak ditanggung", ", ".join(sorted(l.value for l in scheme.not_covered_levels.value)),
             scheme.not_covered_levels)]
    if scheme.child_cap:
        rows.insert(1, ("Batas per anak", format_rupiah(scheme.child_cap.value), scheme.child_cap))
    if scheme.lump_sum:
        rows.insert(0, ("Beasiswa sekaligus", format_rupiah(scheme.lump_sum.value), scheme.lump_sum))
    for event in scheme.events:
        months = event.minimum_contribution_months
        rows.append((f"Masa iur paling singkat: {EVENT_NAMES[event.kind.value]} ({event.programme})",
                     f"{months.value} bulan", months))
    for entry in law.minimum_ages:  # a warning only (rule book §3.3); an unsure age names its interpretation
        reading = f" (interpretasi {entry.interpretation})" if entry.interpretation else ""
        age = entry.age_on(day)
        rows.append((f"Usia paling rendah (peringatan): {', '.join(sorted(l.value for l in entry.levels))}",
                     f"{age.value} tahun{reading}", age))
    for name, value, cited in rows:
        limits.add_row(name, value, _basis(cited), CONFIDENCE_NAMES[cited.confidence.value])
    console.print(limits)
    groups = Table(title="Kelompok jenjang", title_justify="left", expand=True)
    groups.add_column("Kelompok", style="bold")
    groups.add_column("Jenjang")
    groups.add_column("Per tahun")
    groups.add_column("Paling lama")
    groups.add_column("Dasar hukum", style="dim")
    for g in scheme.level_groups:
        levels = ", ".join(sorted(l.value for l in g.levels))
        years = f"{g.years.value} tahun" if g.years else "-"
        if g.stages:
            years += " (" + ", ".join(f"{s.name} {s.years.value}" for s in g.stages) + ")"
        groups.add_row(g.name, levels, format_rupiah(g.amount.value) if g.amount else "-", years,
                       _basis(g.amount) if g.amount else "hanya penggolongan")
    console.print(groups)
    docs = scheme.documents
    console.print("[bold]Dokumen pengajuan pertama[/]: " +
                  "; ".join(DOCUMENT_NAMES[d.value] for d in sorted(docs.first_claim.value)) +
                  f". [dim]{docs.first_claim.citation}[/]", highlight=False)
    console.print("[bold]Dokumen tahun berikutnya[/]: " +
                  "; ".join(DOCUMENT_NAMES[d.value] for d in sorted(docs.later_claim.value)) +
                  f". [dim]{docs.later_claim.citation}[/]", highlight=False)
    readings = Table(title="Interpretasi proyek", title_justify="left", expand=True)
    readings.add_column("Id", style="bold")
    readings.add_column("Pertanyaan dan bacaan")
    readings.add_column("Setelan")
    readings.add_column("Keyakinan")
    for i in law.readings_on(day).values():
        readings.add_row(i.id, f"[bold]{i.title}[/]: {i.reading} [dim]({i.reason}; sejak "
                               f"{format_date(i.in_force_from)})[/]", i.setting, CONFIDENCE_NAMES[i.confidence.value])
    console.print(readings)


_CITED_INTERPRETATION = re.compile(r"\bInterpretasi ([A-Z]\d+)\b")


def cited_interpretations(law: Law, citations: Iterable[str]) -> list[Interpretation]:
    """The project's interpretations a decision rests on: those its citations name ("... Interpretasi I4"), in
    the order first named (an id the law does not hold is left out: the citation itself still shows it)."""
    known = {i.id: i for i in law.interpretations}
    seen: dict[str, Interpretation] = {}
    for citation in citations:
        for ident in _CITED_INTERPRETATION.findall(citation or ""):
            if ident in known and ident not in seen:
                seen[ident] = known[ident]
    return list(seen.values())
