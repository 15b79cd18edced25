"""/verifikasi: anyone, signed in or not, checks a letter: by its number and the short digest printed beside
its QR code (or the QR code's text pasted whole), or by uploading its PDF.

A letter's QR code is this page's address with `nomor` and `kode` (`beasiswa.letters.canonical.verify_url`),
so a phone opens the answer at once. By number: one indexed lookup of the register; ASLI when the number is registered with that digest, DIUBAH
when the number is registered with another, TIDAK DIKENAL when it is not registered. By PDF: the verdict of
`beasiswa.letters.verify.verify_letter`, the register's own rows checked too, as `beasiswa letters verify` does.
An upload larger than the limit is refused (413) before its body is read (`MAX_FORM`); the file itself is
checked against `MAX_UPLOAD` once the (bounded) form is read.

The page shows no more than the letter itself carries, and only for a genuine letter: its number, date, kind,
office and the child's NIK masked (region kept) even where the letter, sent to the child, prints it whole.
The reasons of an altered letter name the facts that differ, never their registered values (nor, for a
letter claiming another's number, the claim that number is registered for). Nothing here is
audited: these are public reads of what a letter's holder already has, and auditing them would let anyone
fill the audit trail.
"""

import json
import re

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from beasiswa.indonesian import LETTER_KIND_NAMES
from beasiswa.letters.canonical import QR_PREFIX, SHORT_DIGEST_LENGTH, parse_qr_text, short_digest
from beasiswa.letters.number import LetterContentError, LetterNumber
from beasiswa.letters.register import LetterRegister, Registered
from beasiswa.letters.verify import UnreadableLetter, Verdict, read_letter, verify_letter
from beasiswa.web.access import PUBLIC, route
from beasiswa.web.render import page

MAX_UPLOAD = 5 * 1024 * 1024  # bytes: a letter's PDF is well under 1 MB
# The form around it (the CSRF field, the part's headers): a request larger than this is refused before its body
# is read (`beasiswa.web.uploads.UploadLimit`, set up by the application), with this message.
MAX_FORM = MAX_UPLOAD + 64 * 1024
TOO_LARGE = (f"Berkas PDF: lebih besar dari batas {MAX_UPLOAD // (1024 * 1024)} MB; surat beasiswa jauh lebih "
             f"kecil. Unggah PDF surat aslinya.")
VERDICT_NAMES = {Verdict.GENUINE: "ASLI", Verdict.ALTERED: "DIUBAH", Verdict.UNKNOWN: "TIDAK DIKENAL"}
_DIGEST = re.compile(rf"[0-9a-f]{{{SHORT_DIGEST_LENGTH}}}")
_CHANGED = "; berubah: "
_CHANGED_FIELD = re.compile(r"(?:^|; )([\w.]+) \(terdaftar ")
_OTHER_CLAIM = re.compile(r"terdaftar di sini untuk klaim \S+, surat ini untuk \S+:")


@route("GET", "/verifikasi", PUBLIC)
async def verify_by_number(request: Request, nomor: str | None = None, kode: str | None = None) -> Response:
    if nomor is None and kode is None:
        return _page(request)
    nomor, kode = (nomor or "").strip(), (kode or "").strip().lower()
    if nomor.startswith((QR_PREFIX, "http://", "https://")):  # the QR code's text pasted whole
        try:
            nomor, kode = parse_qr_text(nomor)
        except ValueError:
            return _refused(request, f"Teks kode QR: {nomor!r} bukan kode surat beasiswa (alamat "
                                     f"…/verifikasi?nomor=…&kode=…, atau {QR_PREFIX}|nomor|kode).",
                            nomor=nomor, kode=kode)
    try:
        LetterNumber.parse(nomor)
    except LetterContentError:
        return _refused(request, f"Nomor surat: {nomor!r} tidak berbentuk B/0123/KC-PLG/BSW/08/2025.",
                        nomor=nomor, kode=kode)
    if not _DIGEST.fullmatch(kode):
        return _refused(request, f"Kode verifikasi: {kode!r} harus {SHORT_DIGEST_LENGTH} karakter heksadesimal "
                                 f"(0-9, a-f), seperti tercetak di samping kode QR.", nomor=nomor, kode=kode)
    entry = await run_in_threadpool(_register(request).lookup, nomor)
    if entry is None:
        verdict, reasons = Verdict.UNKNOWN, (f"nomor surat {nomor} tidak ada dalam register",)
    elif short_digest(entry.data_digest) == kode:
        verdict, reasons = Verdict.GENUINE, ("nomor surat terdaftar dengan kode verifikasi ini",)
    else:
        verdict, reasons = Verdict.ALTERED, (f"nomor surat {nomor} terdaftar, tetapi dengan kode verifikasi lain "
                                             f"(bukan {kode})",)
    return _page(request, _answer(nomor, verdict, reasons, entry), nomor=nomor, kode=kode)


@route("POST", "/verifikasi", PUBLIC)
async def verify_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("berkas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, "Berkas PDF: tidak ada berkas yang diunggah; pilih PDF surat lalu kirim.")
    name = upload.filename
    pdf = await upload.read(MAX_UPLOAD + 1)
    if len(pdf) > MAX_UPLOAD:
        return _refused(request, f"Berkas PDF: {name!r} lebih besar dari batas {MAX_UPLOAD // (1024 * 1024)} MB; "
                                 f"surat beasiswa jauh lebih kecil. Unggah PDF surat aslinya.", status=413)
    try:
        letter = await run_in_threadpool(read_letter, pdf, name)
    except UnreadableLetter as unreadable:
        return _refused(request, f"Berkas PDF: {unreadable}.", status=422)
    register = _register(request)
    result = await run_in_threadpool(verify_letter, letter, register.lookup, register.problems_of)
    return _page(request, _answer(result.number, result.verdict, tuple(map(_public, result.reasons)),
                                  result.registered))


def _register(request: Request) -> LetterRegister:
    """The application's register for reading (made once: it loads the letters' settings)."""
    state = request.app.state
    if getattr(state, "letter_register", None) is None:
        state.letter_register = LetterRegister(state.site.engine)
    return state.letter_register


def _answer(number: str | None, verdict: Verdict, reasons: tuple[str, ...], entry: Registered | None) -> dict:
    return {"verdict": verdict.value, "verdict_name": VERDICT_NAMES[verdict], "number": number,
            "reasons": reasons, "letter": _printed(entry) if verdict is Verdict.GENUINE and entry else None}


def _printed(entry: Registered) -> dict:
    """What the genuine letter itself shows: number, date, kind, office, the child's NIK masked."""
    nik = str((json.loads(entry.data).get("child") or {}).get("nik") or "")
    return {"number": entry.number, "date": entry.letter_date, "kind": LETTER_KIND_NAMES.get(entry.kind, entry.kind),
            "office": entry.office, "nik": nik[:6] + "*" * (len(nik) - 6) if len(nik) > 6 else ""}


def _public(reason: str) -> str:
    """A reason without the registered values of the facts that differ (their names are kept), nor the claim
    another letter's number is registered for."""
    reason = _OTHER_CLAIM.sub("terdaftar di sini untuk klaim lain:", reason)
    head, changed, tail = reason.partition(_CHANGED)
    if not changed:
        return reason
    return head + _CHANGED + ", ".join(_CHANGED_FIELD.findall(tail))


def _page(request: Request, answer: dict | None = None, *, error: str | None = None, nomor: str = "",
          kode: str = "", status: int = 200) -> Response:
    return page(request, "verifikasi.html", {"answer": answer, "error": error, "nomor": nomor, "kode": kode,
                                             "max_mb": MAX_UPLOAD // (1024 * 1024)}, status=status)


def _refused(request: Request, error: str, *, nomor: str = "", kode: str = "", status: int = 400) -> Response:
    return _page(request, error=error, nomor=nomor, kode=kode, status=status)
