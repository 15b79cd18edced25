"""A letter's canonical data: the facts it states as JSON bytes, their digest, and the QR code's address.

The same bytes are attached to the PDF, digested for the QR code and, later, for the letter register, so a
letter can be checked against what was decided: change one fact and the digest no longer matches. Pure:
the bytes depend only on the letter (keys sorted, no spaces, UTF-8, dates in ISO form).

The QR code is the address of the public verification page (`/verifikasi?nomor=…&kode=…` under the
installation's public address, `verify_url`), so a phone's camera opens the answer. Letters printed before
carry the text `BPJSTK-BSW/1|number|digest` (`qr_text`); `parse_qr_text` reads both.
"""

import hashlib
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import attrs

from beasiswa.letters.content import AwardLetter, Letter, RejectionLetter, ReturnLetter
from beasiswa.model import Reason

FORMAT = "beasiswa-letter/1"
# The attachment's file name inside the PDF, where `letters verify` looks for it.
ATTACHMENT_NAME = "data-surat.json"
SHORT_DIGEST_LENGTH = 16  # hex digits: 64 bits, on the letter and in its QR code
QR_PREFIX = "BPJSTK-BSW/1"
# Where the public verification page is, under the public address, and the parameters it reads.
VERIFY_PATH = "/verifikasi"
NUMBER_PARAM, DIGEST_PARAM = "nomor", "kode"
# The public address a letter's QR code points to when none is set: where `beasiswa web` serves by default.
# An installation sets its own (BEASISWA_PUBLIC_URL, `--public-url`), the same for the letters and the web.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

_QR = re.compile(rf"{re.escape(QR_PREFIX)}\|([^|]+)\|([0-9a-f]{{{SHORT_DIGEST_LENGTH}}})")


def _reason(reason: Reason) -> dict:
    return {"code": reason.code.value, "message": reason.message, "citation": reason.citation}


def canonical_data(letter: Letter) -> dict:
    """The facts the letter states, with the letter's identity: what `letters verify` compares."""
    frame, claim = letter.frame, letter.claim
    data = {
        "format": FORMAT,
        "number": str(frame.number),
        "kind": frame.kind.value,
        "office": frame.office.code,
        "place": frame.place,
        "date": frame.date.isoformat(),
        "case": claim.case_id,
        "claim": claim.claim_id,
        "participant": {"name": claim.participant_name, "kpj": claim.participant_kpj},
        "child": {"id": claim.child_id, "name": claim.child_name, "nik": claim.child_nik},
        "addressee": [*frame.addressee.lines, *frame.addressee.address],
        "level": claim.level.value,
        "institution": claim.institution,
        "academic_year": claim.academic_year,
        "amount": 0,
        "account": None,
        "reasons": [],
        "missing_documents": [],
        "outlook": None,
        "deadline": None,
    }
    if isinstance(letter, AwardLetter):
        data["amount"] = letter.amount
        data["account"] = attrs.asdict(letter.account) if letter.account else None
        data["outlook"] = attrs.asdict(letter.outlook)
    elif isinstance(letter, RejectionLetter):
        data["reasons"] = [_reason(r) for r in letter.reasons]
        data["deadline"] = letter.reconsider_by.isoformat()
    elif isinstance(letter, ReturnLetter):
        data["reasons"] = [_reason(r) for r in letter.other_reasons]
        data["missing_documents"] = [m.document.value for m in letter.missing]
        data["deadline"] = letter.bring_by.isoformat()
    return data


def encode(data: dict) -> bytes:
    """The canonical JSON bytes of decoded letter data: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def canonical_bytes(letter: Letter) -> bytes:
    return encode(canonical_data(letter))


def digest(data: bytes) -> str:
    """SHA-256 of bytes, in hex: of the canonical data, and of a PDF."""
    return hashlib.sha256(data).hexdigest()


def short_digest(full_digest: str) -> str:
    return full_digest[:SHORT_DIGEST_LENGTH]


def check_public_url(url: str) -> str:
    """A public address as the QR code's base: http(s)://host[:port][/path], without query or fragment; the
    trailing slash dropped. ValueError naming the value otherwise."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"public URL: {url!r} is not an http(s) address without query (e.g. "
                         f"https://beasiswa.example.go.id)")
    return url.strip().rstrip("/")


def verify_url(public_url: str, number: str, full_digest: str) -> str:
    """What the QR code carries: the verification page's address for this letter,
    'https://…/verifikasi?nomor=B/0123/KC-PLG/BSW/08/2025&kode=3f9a0c2b4d5e6f70' (slashes of the number kept:
    they are allowed in a query, and the code stays small)."""
    query = urlencode({NUMBER_PARAM: number, DIGEST_PARAM: short_digest(full_digest)}, safe="/")
    return f"{check_public_url(public_url)}{VERIFY_PATH}?{query}"


def qr_text(number: str, full_digest: str) -> str:
    """What the QR code of letters printed before it was an address carries:
    'BPJSTK-BSW/1|B/0123/KC-PLG/BSW/08/2025|3f9a0c2b4d5e6f70'."""
    return f"{QR_PREFIX}|{number}|{short_digest(full_digest)}"


def parse_qr_text(text: str) -> tuple[str, str]:
    """The letter number and short digest a QR code carries, an address (`verify_url`) or the older text;
    ValueError for anything else."""
    text = text.strip()
    match = _QR.fullmatch(text)
    if match:
        return match[1], match[2]
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.path.endswith(VERIFY_PATH):
        query = parse_qs(parts.query)
        number, code = query.get(NUMBER_PARAM, [""])[0], query.get(DIGEST_PARAM, [""])[0]
        if number and re.fullmatch(rf"[0-9a-f]{{{SHORT_DIGEST_LENGTH}}}", code):
            return number, code
    raise ValueError(f"QR code: {text!r} is not a beasiswa letter code (an address …{VERIFY_PATH}?"
                     f"{NUMBER_PARAM}=…&{DIGEST_PARAM}=…, or {QR_PREFIX}|number|digest)")
