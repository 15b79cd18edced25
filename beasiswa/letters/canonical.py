"""A letter's canonical data: the facts it states as JSON bytes, their digest, and the QR code's text.

The same bytes are attached to the PDF, digested for the QR code and, later, for the letter register, so a
letter can be checked against what was decided: change one fact and the digest no longer matches. Pure:
the bytes depend only on the letter (keys sorted, no spaces, UTF-8, dates in ISO form).
"""

import hashlib
import json
import re

import attrs

from beasiswa.letters.content import AwardLetter, Letter, RejectionLetter, ReturnLetter
from beasiswa.model import Reason

FORMAT = "beasiswa-letter/1"
# The attachment's file name inside the PDF, where `letters verify` looks for it.
ATTACHMENT_NAME = "data-surat.json"
SHORT_DIGEST_LENGTH = 16  # hex digits: 64 bits, on the letter and in its QR code
QR_PREFIX = "BPJSTK-BSW/1"

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


def qr_text(number: str, full_digest: str) -> str:
    """What the QR code carries: 'BPJSTK-BSW/1|B/0123/KC-PLG/BSW/08/2025|3f9a0c2b4d5e6f70'."""
    return f"{QR_PREFIX}|{number}|{short_digest(full_digest)}"


def parse_qr_text(text: str) -> tuple[str, str]:
    """The letter number and short digest a QR code carries; ValueError for anything else."""
    match = _QR.fullmatch(text.strip())
    if not match:
        raise ValueError(f"QR code: {text!r} is not a beasiswa letter code ({QR_PREFIX}|number|digest)")
    return match[1], match[2]
