"""Surat: the letter register of the user's scope (officers and supervisors their office's, auditors every
office's), filtered by office, kind, date and a number or case id; a letter's pages to read in the browser;
its PDF to download.

A letter is named in an address by its file name's stem (B_0001_KC-PLG_BSW_08_2025: the number's slashes
made underscores). Another office's letter asked for by an officer or a supervisor is a 404, and the refused
read is audited (`beasiswa.web.scope`).

The copy handed out is the PDF a batch's worker stored, or, for a letter written to a folder by `letters render`
(the register keeps only its SHA-256), the letter rendered again here under this application's public address
(its QR code's); either only if it is the PDF the register recorded (`beasiswa.letters.copy`). The preview is
that PDF's own pages as PNG images (pdftoppm), so what a person reads is what they download; they are embedded
in the page (`data:` images: the CSP allows them, no frame needed, and `frame-ancestors 'none'` stays).
Rendering is serialised per application (one WeasyPrint font configuration, not shared between threads) and
the last few copies kept.
The batch run of letters is its own page (/surat/batch, "Cetak massal").
"""

import base64
import datetime as dt
import threading
from collections import OrderedDict
from urllib.parse import urlencode

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from beasiswa.access.roles import OFFICE_BOUND, Role, office_to_read
from beasiswa.db.letter_tables import LETTER_KINDS
from beasiswa.indonesian import LETTER_KIND_NAMES
from beasiswa.letters.copy import LetterCopy, registered_copy
from beasiswa.letters.listing import LetterFilter, child_name, count_letters, list_letters
from beasiswa.letters.register import LetterRegister, Registered
from beasiswa.letters.render import LetterRenderer
from beasiswa.letters.samples import SampleError, page_pngs
from beasiswa.model import Refusal
from beasiswa.web.access import roles, route
from beasiswa.web.render import page
from beasiswa.web.scope import check_readable

READERS = roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR)
PAGE_SIZE = 50
KEPT_COPIES = 8
BATCH_PAGE = "/surat/batch"


class LetterDesk:
    """The application's register (reading), renderer and last copies: made on first use, one per application."""

    def __init__(self, site):
        self.register = LetterRegister(site.engine)
        self.public_url = site.public_base_url
        self._renderer: LetterRenderer | None = None
        self._lock = threading.Lock()
        self._copies: OrderedDict[str, LetterCopy] = OrderedDict()

    def copy(self, entry: Registered) -> LetterCopy:
        with self._lock:
            kept = self._copies.get(entry.number)
            if kept is not None and kept.entry == entry:
                self._copies.move_to_end(entry.number)
                return kept
            made = registered_copy(self.register, self._renderer_once, entry)
            self._copies[entry.number] = made
            while len(self._copies) > KEPT_COPIES:
                self._copies.popitem(last=False)
            return made


    def _renderer_once(self) -> LetterRenderer:
        """The application's renderer, made at the first letter that has no stored PDF (under the lock)."""
        if self._renderer is None:
            self._renderer = LetterRenderer(public_url=self.public_url)
        return self._renderer


def desk(request: Request) -> LetterDesk:
    state = request.app.state
    if getattr(state, "letter_desk", None) is None:
        state.letter_desk = LetterDesk(state.site)
    return state.letter_desk


def address_of(number: str) -> str:
    return number.replace("/", "_")


@route("GET", "/surat", READERS)
def letters_page(request: Request) -> Response:
    site, user, asked = request.app.state.site, request.state.session.user, request.query_params
    filters, error = _filters(asked, user)
    where = LetterFilter(office=filters["kantor"] or None, kind=filters["jenis"] or None, since=filters["dari"],
                         until=filters["sampai"], text=filters["cari"])
    total = count_letters(site.engine, where)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(_positive(asked.get("halaman")), pages)
    rows = list_letters(site.engine, where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    shown = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items() if v}
    return page(request, "surat.html", {
        "filters": filters, "error": error, "rows": rows, "total": total, "page": number, "pages": pages,
        "first": (number - 1) * PAGE_SIZE + 1 if rows else 0, "last": (number - 1) * PAGE_SIZE + len(rows),
        "previous": _address(shown, number - 1) if number > 1 else None,
        "next": _address(shown, number + 1) if number < pages else None,
        "kinds": [(k, LETTER_KIND_NAMES[k]) for k in LETTER_KINDS], "kind_names": LETTER_KIND_NAMES,
        "office_bound": user.role in OFFICE_BOUND, "batch_page": BATCH_PAGE if user.role in OFFICE_BOUND else None,
        "address_of": address_of,
    }, status=400 if error else 200)


@route("GET", "/surat/lihat/{kode}", READERS)
async def letter_page(request: Request, kode: str) -> Response:
    entry = await _entry(request, kode, "letter.read")
    context = {"entry": entry, "child": child_name(entry), "kind": LETTER_KIND_NAMES.get(entry.kind, entry.kind),
               "address": address_of(entry.number), "pages": [], "error": None, "copy": None}
    try:
        made = await run_in_threadpool(desk(request).copy, entry)
        pngs = await run_in_threadpool(page_pngs, made.pdf)
    except Refusal as refusal:
        context["error"] = refusal.message
        return page(request, "surat_lihat.html", context, status=409)
    except SampleError as exc:
        context["error"] = f"Halaman surat tidak dapat ditampilkan: {exc}"
        return page(request, "surat_lihat.html", context, status=500)
    context.update(pages=["data:image/png;base64," + base64.b64encode(png).decode("ascii") for png in pngs],
                   copy=made)
    return page(request, "surat_lihat.html", context)


@route("GET", "/surat/unduh/{kode}", READERS)
async def letter_pdf(request: Request, kode: str) -> Response:
    entry = await _entry(request, kode, "letter.download")
    context = {"entry": entry, "child": child_name(entry), "kind": LETTER_KIND_NAMES.get(entry.kind, entry.kind),
               "address": address_of(entry.number), "pages": [], "error": None, "copy": None}
    if entry.pdf_sha256 is None:
        context["error"] = (f"Surat {entry.number} sudah bernomor tetapi PDF-nya belum dibuat dan dicatat di register "
                            f"(`beasiswa letters render`): belum ada PDF untuk diunduh.")
        return page(request, "surat_lihat.html", context, status=409)
    try:
        made = await run_in_threadpool(desk(request).copy, entry)
    except Refusal as refusal:
        context["error"] = refusal.message
        return page(request, "surat_lihat.html", context, status=409)
    return Response(made.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{entry.file_name}"'})


async def _entry(request: Request, kode: str, action: str) -> Registered:
    """The register row a page asks for; a 404 when there is none, or (audited) when it is another office's."""
    number = kode.replace("_", "/")
    entry = await run_in_threadpool(desk(request).register.lookup, number)
    if entry is None:
        raise HTTPException(404)
    await check_readable(request, action, f"surat {entry.number}", entry.office, case_id=entry.case_id,
                         claim_id=entry.claim_id)
    return entry


def _filters(asked, user) -> tuple[dict, str | None]:
    """The filters as asked; an unknown kind or office is no filter, a date that is not one is an error."""
    try:
        office = office_to_read(user, asked.get("kantor", "")) or ""  # an officer's own, not the address's
    except ValueError:
        office = ""
    kind = asked.get("jenis", "")
    found, error = {}, None
    for name, label in (("dari", "Dari tanggal"), ("sampai", "Sampai tanggal")):
        text = asked.get(name, "").strip()
        try:
            found[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            found[name] = None
            error = error or f"{label}: {text[:20]!r} bukan tanggal (TTTT-BB-HH, mis. 2025-08-27)."
    return {"kantor": office, "jenis": kind if kind in LETTER_KINDS else "", **found,
            "cari": asked.get("cari", "").strip()[:60]}, error


def _positive(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _address(filters: dict, number: int) -> str:
    return "/surat?" + urlencode({**filters, "halaman": number})
