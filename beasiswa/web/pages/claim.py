"""Klaim: one claim with everything about it, and the actions the user may take on it now, as buttons.

The page reads the claim through `Workflow.read_claim` (another office's claim is a 404, that attempt audited)
and shows: the case and its children, the decision with every rule, its citation and the interpretations it
rests on, the documents checklist, the payouts, the letters and the audit trail. The buttons are
`available.available_actions` (role, office, state, four eyes); each posts to its own route, which calls the
same `Workflow` method as the command line with the session's user. The service checks everything again: a
refusal is shown on the page with its rule (400 for what was typed, 409 for the claim's state or four eyes,
403 for the role; another office's claim: 404), and it is in the audit trail, as the service writes every
refusal.

A plain form gets a redirect to the page after a change (303), or the page with the refusal; an HTMX request
(target `klaim`) gets the claim's part alone, with the notice or the refusal.
"""

import datetime as dt
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.access.roles import ALLOWED, Role
from beasiswa.explain import CONFIDENCE_NAMES, cited_interpretations
from beasiswa.indonesian import DOCUMENT_NAMES, EVENT_NAMES, LETTER_KIND_NAMES, SEGMENT_NAMES
from beasiswa.letters.settings import default_settings
from beasiswa.casefile import CaseFileError, parse_account
from beasiswa.model import ClaimRef, Code, Document, Outcome, Payee, Refusal
from beasiswa.model.case import MAX_MONTHS
from beasiswa.office_time import office_zone
from beasiswa.web.access import roles, route
from beasiswa.web.render import page
from beasiswa.rules import holder_differs
from beasiswa.workflow.available import available_actions
from beasiswa.workflow.records import registered_case
from beasiswa.workflow.override import REJECTION_RULES
from beasiswa.workflow.views import actor_text, change_text

PATH = "/klaim/{case_id}/{claim_id}"
READERS = roles(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR)

# Each action's route (after the claim's path), its button and what the page says once it is done.
SLUGS = {Action.VERIFY: "verifikasi", Action.APPROVE: "setujui", Action.CONFIRM_REJECTION: "setujui",
         Action.PAY: "bayar", Action.RETURN: "kembalikan", Action.OVERRIDE: "ubah-putusan",
         Action.RESUBMIT: "ajukan-ulang", Action.SETTLE_ARREARS: "tunggakan", Action.APPEAL: "peninjauan-kembali",
         Action.RECONSIDER: "putus-ulang", Action.CORRECT_ACCOUNT: "rekening"}
BUTTONS = {Action.VERIFY: "Verifikasi", Action.APPROVE: "Setujui", Action.CONFIRM_REJECTION: "Setujui penolakan",
           Action.PAY: "Bayarkan", Action.RETURN: "Kembalikan berkas", Action.OVERRIDE: "Ubah putusan",
           Action.RESUBMIT: "Ajukan ulang", Action.SETTLE_ARREARS: "Catat tunggakan iuran",
           Action.APPEAL: "Catat permohonan peninjauan kembali", Action.RECONSIDER: "Putuskan ulang",
           Action.CORRECT_ACCOUNT: "Perbaiki rekening"}
DONE = {"verifikasi": "Klaim sudah diverifikasi; menunggu persetujuan pengawas.",
        "setujui": "Klaim sudah disetujui.",
        "bayar": "Pembayaran sudah dicatat di jurnal.",
        "kembalikan": "Berkas dikembalikan: aturan memutuskan lagi tanpa dokumen yang kurang.",
        "ubah-putusan": "Putusan diubah dengan alasan tertulis; menunggu persetujuan pengawas.",
        "ajukan-ulang": "Klaim diajukan ulang dan diputuskan lagi dengan dokumen yang dibawa.",
        "tunggakan": "Tunggakan iuran dicatat; klaim yang ditunda diputuskan lagi.",
        "peninjauan-kembali": "Permohonan peninjauan kembali dicatat.",
        "putus-ulang": "Klaim diputuskan ulang menurut isi basis data sekarang.",
        "rekening": "Rekening klaim diperbaiki; tercatat di jejak audit."}
# A refusal's HTTP status: what was typed (400), who may (403), what the claim is now (409, the default).
INPUT_CODES = frozenset({"DOCUMENTS", "OVERRIDE_REASON", "OVERRIDE_CODE", "OVERRIDE_OUTCOME", "APPEAL_REASON",
                         "ARREARS", "LEVEL_NOT_COVERED", "ACCOUNT", "ACCOUNT_REASON", "ACCOUNT_SAME"})
ROLE_CODES = frozenset({"ROLE", "INACTIVE", "AUTOMATIC"})
HIDDEN_CODES = frozenset({"OFFICE", "CLAIM_NOT_FOUND", "CASE_NOT_FOUND"})  # told as "no such claim": 404
MAX_REASON = 2000
PAYEE_NAMES = {Payee.CHILD.value: "anak", Payee.GUARDIAN.value: "wali"}


def refusal_status(refusal: Refusal) -> int:
    if refusal.code in HIDDEN_CODES:
        return 404
    if refusal.code in INPUT_CODES:
        return 400
    return 403 if refusal.code in ROLE_CODES else 409


class BadInput(Exception):
    """A field of an action's form that cannot be read: its name and value in the message (400)."""


@route("GET", PATH, READERS)
def claim_page(request: Request, case_id: str, claim_id: str, pesan: str | None = None) -> Response:
    return render(request, ClaimRef(case_id, claim_id), notice=DONE.get(pesan or ""))


def render(request: Request, ref: ClaimRef, *, notice: str | None = None, refusal: Refusal | None = None,
           action: Action | None = None, status: int = 200) -> Response:
    """The claim's page (or its part, for HTMX), with a notice or the refusal of an action; 404 when the user
    may not read it."""
    site, user = request.app.state.site, request.state.session.user
    try:
        view = site.workflow.read_claim(user, ref)
    except Refusal:
        raise HTTPException(404) from None
    claim, case = view.claims[0], view.case
    law = site.workflow.law
    scheme = law.scheme(case.scheme_id)
    available = available_actions(user, claim, case.office)
    citations = [s["citation"] for s in claim.trace] + [r["citation"] for r in claim.reasons + claim.warnings]
    context = {
        "ref": ref, "base": f"/klaim/{ref.case_id}/{ref.claim_id}", "case": case, "claim": claim, "view": view,
        "child": next((k for k in view.children if k.child_id == claim.child_id), None),
        "event": EVENT_NAMES.get(case.event_kind, case.event_kind),
        "segment": SEGMENT_NAMES.get(case.segment, case.segment),
        # Each interpretation by its title and what it says in plain Indonesian (the letters' words for it).
        "interpretations": [(i, default_settings().interpretations.get(i.id, i.reading))
                            for i in cited_interpretations(law, citations)],
        "confidence": CONFIDENCE_NAMES,
        "checklist": checklist(scheme.documents, claim), "documents_step": documents_step(claim.trace),
        "audit": [(r, actor_text(r), change_text(r)) for r in view.audit],
        "letter_kinds": LETTER_KIND_NAMES, "document_names": DOCUMENT_NAMES,
        "actions": [(a, SLUGS[a], BUTTONS[a]) for a in available if a is not Action.CORRECT_ACCOUNT],
        "correct_account": Action.CORRECT_ACCOUNT in available,
        "missing": [d for d in Document if d.value not in claim.documents],
        "present": [d for d in Document if d.value in claim.documents],
        "rejection_codes": list(REJECTION_RULES.items()),
        "account_warning": account_warning(case.case_file, ref), "payees": PAYEE_NAMES,
        "today": request.state.now.astimezone(office_zone(case.office)).date().isoformat(),
        "max_months": MAX_MONTHS, "max_reason": MAX_REASON,
        "notice": notice, "refusal": refusal, "refused_action": ACTION_NAMES.get(action) if action else None,
    }
    partial = request.headers.get("hx-target") == "klaim" and not request.headers.get("hx-history-restore-request")
    response = page(request, "klaim_isi.html" if partial else "klaim.html", context, status=status)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def account_warning(case_file: str, ref: ClaimRef) -> str | None:
    """The account now on the claim against its payee's name (rule book §3.3, I15): the officer sees a holder
    who differs whatever the decision in force said when it was made (the account may have been corrected)."""
    registered = registered_case(case_file)
    claim = next((c for c in registered.claims if c.id == ref.claim_id), None)
    if claim is None or claim.account is None:
        return None
    return holder_differs(registered, registered.child(claim.child), claim.account, claim.payee)


def checklist(documents, claim) -> list[tuple[str, bool, bool, bool]]:
    """(name, on the claim, needed for a first claim, needed in a later year) of every document the scheme asks
    for or the claim carries, in the contract's order; the guardian's ID card when a guardian is paid."""
    first, later = documents.first_claim.value, documents.later_claim.value
    guardian = documents.guardian_payee.value if claim.payee == "guardian" else frozenset()
    rows = []
    for d in Document:
        on_claim = d.value in claim.documents
        if on_claim or d in first or d in later or d in guardian:
            rows.append((DOCUMENT_NAMES[d.value], on_claim, d in first or d in guardian, d in later or d in guardian))
    return rows


def documents_step(trace: list[dict]) -> dict | None:
    """What the documents rule found for this claim (first or later claim, how many present): its trace step."""
    return next((s for s in trace if s["rule"] == "documents_are_complete"), None)


# ------------------------------------------------------------------------------------------------ actions

async def act(request: Request, ref: ClaimRef, action: Action, run: Callable) -> Response:
    """Run an action's service call as the session's user; the page after it, or with its refusal."""
    site, user = request.app.state.site, request.state.session.user
    form = await request.form()
    try:
        call = run(form)
    except BadInput as exc:
        return render(request, ref, refusal=Refusal("INPUT", str(exc)), action=action, status=400)
    refusal = await run_in_threadpool(call, site.workflow, user.name)
    if refusal is not None:
        status = refusal_status(refusal)
        if status == 404:
            raise HTTPException(404)
        return render(request, ref, refusal=refusal, action=action, status=status)
    slug = SLUGS[action]
    if request.headers.get("hx-target") == "klaim":
        return render(request, ref, notice=DONE[slug])
    return RedirectResponse(f"/klaim/{ref.case_id}/{ref.claim_id}?pesan={slug}", status_code=303)


def _first_refusal(steps) -> Refusal | None:
    return next((s.refusal for s in steps if not s.ok), None)


def _field(form, name: str, limit: int = MAX_REASON) -> str:
    value = form.get(name, "")
    value = value if isinstance(value, str) else ""
    if len(value) > limit:
        raise BadInput(f"{name}: {len(value)} karakter, terlalu panjang (paling banyak {limit})")
    return value


def _parsed(form, name: str, parse: Callable, not_one: str, limit: int = 10):
    """A short field read by `parse` (a ValueError: BadInput naming the field, the value and what it is not)."""
    text = _field(form, name, limit).strip()
    try:
        return parse(text)
    except ValueError:
        raise BadInput(f"{name}: {text!r} {not_one}") from None


def _documents(form, name: str) -> list[Document]:
    found = []
    for value in form.getlist(name):
        try:
            found.append(Document.parse(value, "dokumen", name))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    return found


def _claim_route(action: Action):
    return route("POST", f"{PATH}/{SLUGS[action]}", roles(*ALLOWED[action]))


@_claim_route(Action.VERIFY)
async def verify(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)
    return await act(request, ref, Action.VERIFY,
                     lambda form: lambda w, as_: _first_refusal(w.verify(as_, [ref])))


@route("POST", f"{PATH}/setujui", roles(*(ALLOWED[Action.APPROVE] | ALLOWED[Action.CONFIRM_REJECTION])))
async def approve(request: Request, case_id: str, claim_id: str) -> Response:
    """Approve the claim, or confirm its override to a rejection (the same command: `approve`)."""
    ref = ClaimRef(case_id, claim_id)
    return await act(request, ref, Action.APPROVE,
                     lambda form: lambda w, as_: _first_refusal(w.approve(as_, [ref])))


@_claim_route(Action.PAY)
async def pay(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)
    return await act(request, ref, Action.PAY, lambda form: lambda w, as_: _first_refusal(w.pay(as_, [ref])))


@_claim_route(Action.RETURN)
async def return_claim(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        missing = _documents(form, "dokumen")
        return lambda w, as_: w.return_claim(as_, ref, missing).refusal
    return await act(request, ref, Action.RETURN, run)


@_claim_route(Action.RESUBMIT)
async def resubmit(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        documents = _documents(form, "dokumen")
        day = _parsed(form, "tanggal", dt.date.fromisoformat, "bukan tanggal (YYYY-MM-DD)")
        return lambda w, as_: w.resubmit(as_, ref, documents, day).refusal
    return await act(request, ref, Action.RESUBMIT, run)


@_claim_route(Action.OVERRIDE)
async def override(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        try:
            outcome = Outcome.parse(_field(form, "hasil", 20), "hasil keputusan", "hasil")
            code_text = _field(form, "kode", 40)
            code = Code.parse(code_text, "kode alasan", "kode") if code_text and outcome is Outcome.REJECTED else None
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        reason = _field(form, "alasan")
        return lambda w, as_: w.override(as_, ref, outcome, reason, code).refusal
    return await act(request, ref, Action.OVERRIDE, run)


@_claim_route(Action.APPEAL)
async def appeal(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        reason = _field(form, "alasan")
        return lambda w, as_: w.appeal(as_, ref, reason).refusal
    return await act(request, ref, Action.APPEAL, run)


@_claim_route(Action.RECONSIDER)
async def reconsider(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)
    return await act(request, ref, Action.RECONSIDER, lambda form: lambda w, as_: w.reconsider(as_, ref).refusal)


@_claim_route(Action.SETTLE_ARREARS)
async def settle_arrears(request: Request, case_id: str, claim_id: str) -> Response:
    """The case's employer arrears recorded (0: settled) from one of its claims' page; its deferred claims are
    decided again. Another office's case is refused by the service (audited) and told as no such claim."""
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        months = _parsed(form, "bulan", int, "bukan bilangan bulat (0 bila lunas)")
        if not 0 <= months <= MAX_MONTHS:
            raise BadInput(f"bulan: {months} di luar 0 sampai {MAX_MONTHS}")

        def call(w, as_):
            refusal, steps = w.settle_arrears(as_, case_id, months)
            return refusal or _first_refusal(steps)
        return call
    return await act(request, ref, Action.SETTLE_ARREARS, run)


@_claim_route(Action.CORRECT_ACCOUNT)
async def correct_account(request: Request, case_id: str, claim_id: str) -> Response:
    ref = ClaimRef(case_id, claim_id)

    def run(form):
        try:
            account = parse_account({"bank": _field(form, "bank", 200).strip(),
                                     "number": _field(form, "nomor", 40).strip(),
                                     "holder": _field(form, "pemilik", 200).strip()}, "rekening")
            payee_text = _field(form, "penerima", 20)
            payee = Payee.parse(payee_text, "pemilik rekening", "penerima") if payee_text else None
        except (CaseFileError, ValueError) as exc:
            raise BadInput(str(exc).replace("rekening.bank", "bank").replace("rekening.number", "nomor")
                           .replace("rekening.holder", "pemilik")) from None
        reason = _field(form, "alasan")
        return lambda w, as_: w.correct_account(as_, ref, account, payee, reason).refusal
    return await act(request, ref, Action.CORRECT_ACCOUNT, run)
