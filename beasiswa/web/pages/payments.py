"""Pembayaran: the office's bank transfer batches (`beasiswa payments batches`), each with its count, total,
SHA-256 and its transfers' reconciliation (exported, settled, returned); the bank statements reconciled and the
exceptions still open (`payments reconcile`, `payments exceptions`); a batch's page lists its transfers and
gives its file, the stored bytes, to download.

Officers, supervisors and auditors read it, each as `payments` scopes them (an officer's or supervisor's own
office; an auditor every office, or the one asked); another office's batch is "not found", the attempt
audited. The payee's account number shows whole to the office's officers and supervisors (they correct it after a
return), its last four digits to auditors (`payments.batch.shows_accounts_whole`).
"""

import re

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from beasiswa.access.roles import OFFICE_BOUND, Role
from beasiswa.indonesian import EXCEPTION_KIND_NAMES, TRANSFER_STATUS_NAMES
from beasiswa.model import Refusal
from beasiswa.payments.batch import bank_label
from beasiswa.web.access import roles, route
from beasiswa.web.render import page

READERS = roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR)
# A batch in an address: its id with '-' for '/' ("TRF-KC-PLG-20250801-001"), as its file is named.
_ADDRESS = re.compile(r"TRF-([A-Z0-9]+(?:-[A-Z0-9]+)*)-([0-9]{8})-([0-9]{3})")


def address(batch_id: str) -> str:
    return batch_id.replace("/", "-")


def batch_id_of(name: str) -> str | None:
    match = _ADDRESS.fullmatch(name)
    return f"TRF/{match[1]}/{match[2]}/{match[3]}" if match else None


@route("GET", "/pembayaran", READERS)
async def payments_page(request: Request) -> Response:
    site, user = request.app.state.site, request.state.session.user
    asked = request.query_params.get("kantor", "").strip().upper() or None
    try:
        rows = await run_in_threadpool(site.workflow.transfer_batches, user.name, asked)
    except (Refusal, ValueError):
        asked = None
        rows = await run_in_threadpool(site.workflow.transfer_batches, user.name, None)
    statements = await run_in_threadpool(site.workflow.statements, user.name, asked)
    exceptions = await run_in_threadpool(site.workflow.open_exceptions, user.name, asked)
    return page(request, "pembayaran.html", {"batches": rows, "address": address, "bank": bank_label,
                                             "statements": statements, "exceptions": exceptions,
                                             "kinds": EXCEPTION_KIND_NAMES, "office_bound": user.role in OFFICE_BOUND})


async def _batch(request: Request, name: str):
    site, user = request.app.state.site, request.state.session.user
    batch_id = batch_id_of(name)
    if batch_id is None:
        return None
    try:
        return await run_in_threadpool(site.workflow.transfer_batch, user.name, batch_id)
    except Refusal:
        return None


def _not_found(request: Request, name: str) -> Response:
    return page(request, "galat.html", {"title": "Tidak ditemukan",
                                        "message": f"Kelompok transfer {name[:40]} tidak ditemukan."}, status=404)


@route("GET", "/pembayaran/{name}", READERS)
async def batch_page(request: Request, name: str) -> Response:
    found = await _batch(request, name)
    if found is None:
        return _not_found(request, name)
    row, transfers, whole = found
    shown = [{"t": t, "account": t.account_number, "status": TRANSFER_STATUS_NAMES.get(t.status, t.status)}
             for t in transfers]
    return page(request, "pembayaran_kelompok.html", {"batch": row, "transfers": shown, "name": address(row.batch_id),
                                                      "whole": whole, "bank": bank_label})


@route("GET", "/pembayaran/{name}/berkas", READERS)
async def batch_file(request: Request, name: str) -> Response:
    found = await _batch(request, name)
    if found is None:
        return _not_found(request, name)
    row = found[0]
    media = "application/xml" if row.file_name.endswith(".xml") else "text/csv; charset=utf-8"
    return Response(bytes(row.content), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{row.file_name}"'})
