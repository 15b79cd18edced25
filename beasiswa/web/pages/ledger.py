"""Jurnal: the payout journal for auditors (every office, or one) and supervisors (their office's, on the
server whatever the address asks): the report by level group and office per posting period (month, year, or
all: `beasiswa ledger report`), with a chart of what was paid; the exceptions (`beasiswa ledger exceptions`),
loaded after the page (they read the whole journal); verify with the heads kept outside the database
(`beasiswa ledger verify --anchors`, its verdict audited: a POST with the CSRF token); the journal to download
as the CSV or XLSX `beasiswa ledger export` writes.

The report and the export name the head they read up to (seq and hash, not verified: verify says whether the
chain holds). Verify reads the whole chain, every office's (it is one); a supervisor reads its verdict, the
auditor its details too (they may name other offices' entries).
"""

import os
import tempfile
from pathlib import Path

from fastapi import Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from beasiswa.access.roles import Role, check_office
from beasiswa.audit.anchors import AnchorError, FORMAT as ANCHOR_FORMAT, parse_head, parse_line
from beasiswa.indonesian import format_rupiah
from beasiswa.law import default_law
from beasiswa.ledger.exceptions import find_exceptions, of_office
from beasiswa.ledger.export import EXPORT_COLUMNS, journal_rows, write_csv, write_xlsx
from beasiswa.ledger.report import build_report, journal_head
from beasiswa.model import Refusal
from beasiswa.workflow.payment_report import payment_lines
from beasiswa.web.access import roles, route
from beasiswa.web.charts import bar_chart
from beasiswa.web.render import page
from beasiswa.web.scope import office_of
from beasiswa.workflow.journal_check import check_journal

READERS = roles(Role.SUPERVISOR, Role.AUDITOR)
DIMENSIONS = ("level_group", "office")
PERIODS = {"bulan": "month", "tahun": "year", "semua": "all"}
PERIOD_NAMES = {"bulan": "per bulan posting", "tahun": "per tahun posting", "semua": "seluruh jurnal"}
MAX_ANCHORS_TEXT = 20_000
SHOWN_FINDINGS = 200


@route("GET", "/jurnal", READERS)
async def ledger_page(request: Request) -> Response:
    return await _page(request)


@route("POST", "/jurnal/verifikasi", READERS)
async def verify_ledger(request: Request) -> Response:
    form = await request.form()
    text = str(form.get("jangkar", ""))[:MAX_ANCHORS_TEXT + 1]
    if len(text) > MAX_ANCHORS_TEXT:
        return await _page(request, anchors_text=text[:200], status=400,
                           verify_error=f"Jangkar: lebih dari {MAX_ANCHORS_TEXT} karakter; tempel baris jangkar "
                                        f"yang perlu diperiksa saja.")
    try:
        anchors = parse_anchors(text)
    except AnchorError as exc:
        return await _page(request, anchors_text=text, status=400, verify_error=f"Jangkar: {exc}.")
    user = request.state.session.user
    try:
        checked = await run_in_threadpool(check_journal, request.app.state.site.workflow, user.name, anchors)
    except Refusal as refusal:
        return await _page(request, anchors_text=text, status=403, verify_error=refusal.message)
    return await _page(request, anchors_text=text, checked=checked)


@route("GET", "/jurnal/pengecualian", READERS)
async def exceptions_part(request: Request) -> Response:
    site, user = request.app.state.site, request.state.session.user
    office = _office(request.query_params, user)
    seq, head_hash = await run_in_threadpool(journal_head, site.engine)
    found = await run_in_threadpool(find_exceptions, site.engine, default_law(), seq)
    if office:
        found = await run_in_threadpool(of_office, site.engine, found, office)
    context = {"findings": found[:SHOWN_FINDINGS], "total": len(found), "seq": seq, "office": office}
    partial = request.headers.get("hx-request") == "true"
    return page(request, "jurnal_pengecualian.html" if partial else "jurnal_pengecualian_halaman.html", context)


@route("GET", "/jurnal/ekspor", READERS)
async def export(request: Request) -> Response:
    site, user, asked = request.app.state.site, request.state.session.user, request.query_params
    fmt = asked.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return page(request, "galat.html", {"status": 400, "title": "Permintaan tidak dapat dibaca",
                                            "message": f"Format: {fmt[:20]!r} bukan format ekspor (csv, xlsx)."},
                    status=400)
    office = _office(asked, user)
    seq, _ = await run_in_threadpool(journal_head, site.engine)
    path = await run_in_threadpool(_export_file, site.engine, fmt, seq, office)
    name = f"jurnal-{office + '-' if office else ''}seq{seq}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(path, media_type=media, filename=name, background=BackgroundTask(os.unlink, path))


def parse_anchors(text: str) -> list:
    """The heads an auditor pastes: lines of an anchor file (`beasiswa ledger anchor`) or SEQ:HASH of the
    journal (as `--expect-head`), blank lines and # comments skipped."""
    anchors = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"baris {number}"
        anchors += parse_line(line, where) if line.startswith(ANCHOR_FORMAT) else [parse_head(line, "journal", where)]
    return anchors


def _export_file(engine, fmt: str, seq: int, office: str | None) -> str:
    """The export written whole to a temporary file (removed once sent), as `ledger export --out` writes it."""
    fd, name = tempfile.mkstemp(prefix="beasiswa-jurnal-", suffix=f".{fmt}")
    os.close(fd)
    try:
        rows = journal_rows(engine, seq, office=office)
        if fmt == "xlsx":
            write_xlsx(Path(name), "journal", EXPORT_COLUMNS, rows)
        else:
            with open(name, "w", encoding="utf-8", newline="") as stream:
                write_csv(stream, EXPORT_COLUMNS, rows)
    except BaseException:
        os.unlink(name)
        raise
    return name


def _office(asked, user) -> str | None:
    """The office the page reads: a supervisor's own whatever is asked; an auditor's choice (None: all)."""
    scope = office_of(user)
    if scope is not None:
        return scope
    office = asked.get("kantor", "").strip().upper()
    try:
        return check_office(office) if office else None
    except ValueError:
        return None


async def _page(request: Request, *, anchors_text: str = "", checked=None, verify_error: str | None = None,
                status: int = 200) -> Response:
    site, user, asked = request.app.state.site, request.state.session.user, request.query_params
    office = _office(asked, user)
    period_name = asked.get("periode", "bulan")
    period_name = period_name if period_name in PERIODS else "bulan"
    seq, head_hash = await run_in_threadpool(journal_head, site.engine)
    report = await run_in_threadpool(build_report, site.engine, DIMENSIONS, PERIODS[period_name], seq, office)
    payments = await run_in_threadpool(payment_lines, site.engine, DIMENSIONS, PERIODS[period_name], seq, office)
    periods = [(p, [line for line in report.lines if line.period == p], report.totals(p)) for p in report.periods]
    chart = await run_in_threadpool(_chart, report) if report.lines else None
    query = {k: v for k, v in (("periode", period_name), ("kantor", office if user.role is Role.AUDITOR else None)) if v}
    return page(request, "jurnal.html", {
        "office": office, "office_bound": office_of(user) is not None, "period": period_name, "payments": payments,
        "period_names": PERIOD_NAMES, "head": (seq, head_hash), "periods": periods, "chart": chart,
        "anchors_text": anchors_text, "checked": checked, "verify_error": verify_error,
        "details": user.role is Role.AUDITOR, "query": query,
        "exceptions_url": "/jurnal/pengecualian" + (f"?kantor={office}" if office and user.role is Role.AUDITOR else ""),
        "export_query": f"&kantor={office}" if office and user.role is Role.AUDITOR else "",
    }, status=status)


def _chart(report):
    """Net paid (paid − reversed) stacked by level group: per period when there are several, else per office
    when there are several, else per level group (a branch's one period)."""
    offices = {line.key[1] for line in report.lines}
    if len(report.periods) > 1:
        category, title, by = "periode", "Periode posting (UTC)", lambda line: line.period
    elif len(offices) > 1:
        category, title, by = "kantor", "Kantor", lambda line: line.key[1]
    else:
        category, title, by = "jenjang", "Kelompok jenjang", lambda line: line.key[0]
    paid: dict[tuple[str, str], int] = {}
    for line in report.lines:
        key = (by(line), line.key[0])
        paid[key] = paid.get(key, 0) + line.paid - line.reversed
    rows = [{category: c, "kelompok": g, "rupiah": amount} for (c, g), amount in sorted(paid.items())]
    shown = len({c for c, _ in paid})
    return bar_chart(rows, category=category, value="rupiah", series="kelompok",
                     label=f"Pembayaran bersih menurut {title.lower()}, per kelompok jenjang; jumlah "
                           f"{format_rupiah(sum(paid.values()))}",
                     category_title=title, value_title="Dibayar bersih (Rp)", series_title="Kelompok jenjang",
                     width=min(720, max(360, 110 * shown)))
