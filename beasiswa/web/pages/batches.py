"""Kelompok surat: start a batch of the office's letters and watch its progress (HTMX polling every 2 s while it
runs), and fetch each letter's PDF as the worker stored it.

The same service as `beasiswa letters render --queue` (beasiswa.letters.batches): the supervisor, who issues
the office's letters, starts a batch; an auditor reads every office's; an officer or supervisor sees only
their office's (another office's batch is "not found"). With a broker configured (`beasiswa web --broker`)
the batch is sent to the Celery workers; without, it runs on this machine's process pool in a background
thread of the web process, so the request returns at once and the page polls the database like any other.
"""

import datetime as dt
import threading

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from beasiswa.access.roles import NotAllowed, Role, may_read
from beasiswa.letters.batches import Batches, run_local
from beasiswa.letters.register import file_name
from beasiswa.office_time import office_zone
from beasiswa.web.access import roles, route
from beasiswa.web.render import page

POLL_SECONDS = 2


def _batches(request: Request) -> Batches:
    return Batches(request.app.state.site.engine, clock=request.app.state.site.clock)


def _list(request: Request, notice: str | None = None, error: str | None = None, asked: str = "",
          status: int = 200) -> Response:
    user = request.state.session.user
    office = None if user.role is Role.AUDITOR else user.office
    today = request.state.now.astimezone(office_zone(user.office)).date()
    context = {"batches": _batches(request).recent(office), "may_start": user.role is Role.SUPERVISOR,
               "today": today.isoformat(), "asked": asked or today.isoformat(), "notice": notice, "error": error,
               "queued": request.app.state.site.broker is not None}
    return page(request, "surat_batch.html", context, status=status)


@route("GET", "/surat/batch", roles(Role.SUPERVISOR, Role.AUDITOR))
def batches_page(request: Request) -> Response:
    return _list(request)


@route("POST", "/surat/batch", roles(Role.SUPERVISOR))
async def start_batch(request: Request) -> Response:
    form = await request.form()
    asked = str(form.get("tanggal") or "").strip()
    user = request.state.session.user
    try:
        day = dt.date.fromisoformat(asked) if asked else request.state.now.astimezone(office_zone(user.office)).date()
    except ValueError:
        return _list(request, error=f"Tanggal surat: {asked!r} bukan tanggal (TTTT-BB-HH).", asked=asked, status=400)
    site = request.app.state.site
    batches = _batches(request)
    try:
        batch = batches.start(user.name, user.office, day, "queue" if site.broker else "local", site.public_base_url)
    except NotAllowed as refusal:
        return _list(request, error=refusal.message, asked=asked, status=403)
    if batch is None:
        return _list(request, notice="Tidak ada surat untuk dibuat: setiap klaim yang diputuskan sudah bersurat "
                                     "atau sedang dalam kelompok lain.", asked=asked)
    if site.broker:
        from kombu.exceptions import OperationalError as BrokerError

        from beasiswa.letters.queue import enqueue  # lazy: Celery, only where a broker is configured

        try:
            enqueue(batches, batch.id, site.broker)
        except (BrokerError, OSError):  # the broker unreachable: the batch is recorded, and resumed by one command
            return _list(request, error=f"Kelompok {batch.id} tercatat, tetapi antrean tugas tidak dapat dihubungi; "
                                        f"kirim lagi dengan `beasiswa letters batch resume {batch.id}`.", status=503)
    else:
        url = site.engine.url.render_as_string(hide_password=False)
        threading.Thread(target=run_local, args=(url, batch.id),
                         name=f"kelompok-surat-{batch.id}", daemon=True).start()
    return RedirectResponse(f"/surat/batch/{batch.id}", status_code=303)


def _readable(request: Request, batch_id: str):
    """The batch if it exists and the user may read it (another office's is not found, as an unknown one)."""
    try:
        number = int(batch_id)
    except ValueError:
        return None
    batch = _batches(request).get(number)
    if batch is None or not may_read(request.state.session.user, batch.office):
        return None
    return batch


def _not_found(request: Request, batch_id: str) -> Response:
    return page(request, "galat.html", {"title": "Tidak ditemukan",
                                        "message": f"Kelompok surat {batch_id} tidak ditemukan."}, status=404)


@route("GET", "/surat/batch/{batch_id}", roles(Role.SUPERVISOR, Role.AUDITOR))
def batch_page(request: Request, batch_id: str) -> Response:
    batch = _readable(request, batch_id)
    if batch is None:
        return _not_found(request, batch_id)
    batches = _batches(request)
    context = {"batch": batch, "failed": batches.items(batch.id, "failed") if batch.failed else [],
               "done": batches.items(batch.id, "done") if batch.finished else [], "poll": POLL_SECONDS,
               "file_name": file_name}
    partial = request.headers.get("hx-target") == "kemajuan" and not request.headers.get("hx-history-restore-request")
    response = page(request, "surat_batch_kemajuan.html" if partial else "surat_batch_detail.html", context)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


@route("GET", "/surat/batch/{batch_id}/pdf/{name}", roles(Role.SUPERVISOR, Role.AUDITOR))
def batch_pdf(request: Request, batch_id: str, name: str) -> Response:
    batch = _readable(request, batch_id)
    if batch is None:
        return _not_found(request, batch_id)
    batches = _batches(request)
    for item in batches.items(batch.id, "done"):
        if file_name(item.number) == name:
            pdf = batches.pdf(item.number)
            if pdf is not None:
                return Response(pdf, media_type="application/pdf",
                                headers={"Content-Disposition": f'inline; filename="{name}"'})
    return page(request, "galat.html", {"title": "Tidak ditemukan",
                                        "message": f"Surat {name} tidak ada di kelompok {batch.id}."}, status=404)
