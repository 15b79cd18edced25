"""/anggaran: finance's two questions on the web, for auditors and supervisors: next year's forecast by office and
level group, and the cost of a reform chosen from those on the table (the folder `BEASISWA_REFORMS_DIR`, else
`fixtures/reforms` of the working folder), with its chart. The same services as `beasiswa forecast` and
`beasiswa whatif` (beasiswa.budget.service); nothing is written, so nothing is audited. A supervisor sees their
own office's cases only, whatever the address asks; an auditor every office's. The chart is the same
Vega-Lite spec as the command's: drawn in the browser by Vega (static/vega, static/grafik.js: tooltips on hover,
expressions interpreted rather than compiled, so the Content-Security-Policy needs no 'unsafe-eval'), the spec in
the page as a data attribute; without JavaScript, the same spec rendered to SVG on the server
(/anggaran/grafik.svg) is the image.
"""

import json

import os
import re
from pathlib import Path

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from beasiswa.access.roles import Role, office_to_read
from beasiswa.budget.service import forecast, whatif
from beasiswa.budget.tally import format_count, month_label, percent
from beasiswa.law import LawError
from beasiswa.law.reform import Reform, read_reform
from beasiswa.model import AcademicYear
from beasiswa.web.access import roles, route
from beasiswa.web.render import page

READERS = roles(Role.AUDITOR, Role.SUPERVISOR)
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def reforms_dir() -> Path:
    return Path(os.environ.get("BEASISWA_REFORMS_DIR", "fixtures/reforms"))


def reforms_on_the_table() -> dict[str, tuple[Path, Reform | None, str]]:
    """The reform files by their stem: (path, the reform or None, the refusal's message)."""
    found = {}
    folder = reforms_dir()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            found[path.stem] = (path, read_reform(path), "")
        except LawError as exc:
            found[path.stem] = (path, None, str(exc))
    return found


def _year(request: Request, text: str | None) -> tuple[AcademicYear, str | None]:
    law = request.app.state.site.workflow.law
    following = law.year_on(request.state.now.date()).next()
    if not text:
        return following, None
    try:
        return AcademicYear.parse(text), None
    except ValueError as exc:
        return following, f"tahun: {exc}"


def _chosen(usulan: str | None):
    if not usulan:
        return None, None
    table = reforms_on_the_table()
    if not _ID.fullmatch(usulan) or usulan not in table:
        return None, f"usulan: {usulan!r} tidak ada di antara usulan yang tersedia"
    path, reform, problem = table[usulan]
    return (path, reform), problem or None


def _office(request: Request) -> str | None:
    return office_to_read(request.state.session.user)


def _whatif(site, year, chosen, office):
    path, reform = chosen
    return whatif(site.engine, year, site.workflow.law, reform, path.name, office)


def _chart_title(reform: Reform, year: AcademicYear) -> str:
    return f"{reform.title} · perkiraan tahun ajaran {year}"


def _chart_spec(comparison, reform: Reform, year: AcademicYear) -> dict[str, str]:
    """The chart's Vega-Lite spec and number locale as JSON, for the browser to draw."""
    from beasiswa.budget.chart import LOCALE, whatif_chart  # lazy: altair, for the chart only

    spec = whatif_chart(comparison, _chart_title(reform, year)).to_dict()
    return {"chart_spec": json.dumps(spec, ensure_ascii=False), "chart_locale": json.dumps(LOCALE)}


@route("GET", "/anggaran", READERS)
async def budget_page(request: Request, tahun: str | None = None, usulan: str | None = None) -> Response:
    site = request.app.state.site
    year, problem = _year(request, tahun)
    chosen, refused = _chosen(usulan)
    problem = problem or refused
    office = _office(request)
    question, result = await run_in_threadpool(forecast, site.engine, year, site.workflow.law, office)
    context = {"year": year, "previous": AcademicYear(year.start_year - 1), "question": question, "forecast": result,
               "reforms": {k: v[1] for k, v in reforms_on_the_table().items()}, "chosen": usulan if chosen else "",
               "problem": problem, "count": format_count, "percent": percent, "month": month_label,
               "comparison": None, "reform": None, "office": office, "chart_spec": "", "chart_locale": ""}
    if chosen and not problem:
        try:
            _question, comparison = await run_in_threadpool(_whatif, site, year, chosen, office)
            context.update(comparison=comparison, reform=chosen[1])
            if comparison.rows:
                context.update(await run_in_threadpool(_chart_spec, comparison, chosen[1], year))
        except LawError as exc:
            context["problem"] = str(exc)
    return page(request, "anggaran.html", context, status=400 if context["problem"] else 200)


@route("GET", "/anggaran/grafik.svg", READERS)
async def budget_chart(request: Request, tahun: str | None = None, usulan: str | None = None) -> Response:
    from beasiswa.budget.chart import chart_svg, whatif_chart  # lazy: altair and vl-convert, for the image only

    site = request.app.state.site
    year, problem = _year(request, tahun)
    chosen, refused = _chosen(usulan)
    if problem or refused or chosen is None:
        return Response(problem or refused or "usulan: tidak dipilih", status_code=400, media_type="text/plain")
    try:
        _question, comparison = await run_in_threadpool(_whatif, site, year, chosen, _office(request))
    except LawError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    svg = await run_in_threadpool(lambda: chart_svg(whatif_chart(comparison, _chart_title(chosen[1], year))))
    return Response(svg, media_type="image/svg+xml")
