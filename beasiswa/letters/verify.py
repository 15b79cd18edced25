"""Is this PDF a letter this database issued, unchanged? Genuine, altered or unknown, and why.

The letter's number is read from the canonical data attached to the PDF (or, when that is missing or not
JSON, from the text of its first page) and looked up in the register:

- genuine: the attached data's SHA-256 is the registered data digest and the file's SHA-256 is the PDF's
  registered digest;
- altered: the number is registered for this claim, but the file's bytes or the attached data are not what
  was registered (the answer says which, and which facts differ);
- unknown: the number is not in this database's register, or is registered for another claim (a letter of
  another database), or the letter carries no data to check it by.

The register itself is checked too (`chain.letter_findings`, passed in as `register_problems`): a letter whose
register rows were changed after they were chained (its kind, date, stored data, or the SHA-256 of its PDF),
or whose chain row's hash was rewritten, is altered whatever the file says, and the file is compared with
the PDF's SHA-256 as it was chained. `register_findings` checks the whole register, for `audit verify`.

Reading the file is the only I/O besides the `lookup` and `register_problems` the caller passes (the
register's).
"""

import io
import json
import logging
import re
from collections.abc import Callable
from enum import Enum

import attrs
import pypdf

from sqlalchemy.engine import Connection

from beasiswa.indonesian import LETTER_KIND_NAMES, format_date
from beasiswa.letters import chain
from beasiswa.letters.canonical import ATTACHMENT_NAME, digest
from beasiswa.letters.register import Registered

_NUMBER_IN_TEXT = re.compile(r"\b[A-Z]+/\d{4,}/[A-Z]+(?:-[A-Z]+)*/[A-Z]+/\d{2}/\d{4}\b")


class Verdict(str, Enum):
    GENUINE = "genuine"
    ALTERED = "altered"
    UNKNOWN = "unknown"


class UnreadableLetter(ValueError):
    """The file is not a PDF that can be read; the message names the file and what failed."""


@attrs.frozen
class Verification:
    verdict: Verdict
    number: str | None
    reasons: tuple[str, ...]
    registered: Registered | None = None

    @property
    def genuine(self) -> bool:
        return self.verdict is Verdict.GENUINE


@attrs.frozen
class LetterFile:
    """What a PDF carries to be checked by: its bytes' digest, the attached data (if any), its first page's text."""

    pdf_digest: str
    data: bytes | None
    text: str


def read_letter(pdf: bytes, name: str = "file") -> LetterFile:
    if not pdf.startswith(b"%PDF-"):
        raise UnreadableLetter(f"{name}: bukan PDF (tidak diawali %PDF-)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported by the answer, not by logs
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        attachments = reader.attachments
        found = attachments.get(ATTACHMENT_NAME)
        data = found[0] if found else None
        text = reader.pages[0].extract_text() if len(reader.pages) else ""
    except Exception as exc:  # pypdf raises many kinds on a damaged file (PyPdfError, ValueError, KeyError…)
        raise UnreadableLetter(f"{name}: PDF tidak dapat dibaca: {exc.__class__.__name__}: {exc}") from None
    return LetterFile(digest(pdf), data, text)


def _decoded(data: bytes | None) -> dict | None:
    if data is None:
        return None
    try:
        decoded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _differences(registered: dict, attached: dict) -> list[str]:
    def flatten(value, prefix=""):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from flatten(item, f"{prefix}.{key}" if prefix else key)
        else:
            yield prefix, value

    ours, theirs = dict(flatten(registered)), dict(flatten(attached))
    return [f"{key} (terdaftar {ours.get(key)!r}, terlampir {theirs.get(key)!r})"
            for key in sorted(set(ours) | set(theirs)) if ours.get(key) != theirs.get(key)]


def register_findings(conn: Connection) -> list[str]:
    """The whole letter register checked on an open connection: one Indonesian message per finding, naming
    the letter number and the chain row (the chain's links and hashes, each row against the bytes chained for
    it, each stored data against its digest, rows left unchained); an empty list when nothing is wrong."""
    return chain.findings(conn)


def verify_letter(letter: LetterFile, lookup: Callable[[str], Registered | None],
                  register_problems: Callable[[str], list[str]] = lambda _number: []) -> Verification:
    attached = _decoded(letter.data)
    number = attached.get("number") if attached else None
    if not isinstance(number, str):
        found = _NUMBER_IN_TEXT.search(letter.text)
        number = found[0] if found else None
    if number is None:
        why = ("tidak membawa data surat (tidak ada lampiran " f"{ATTACHMENT_NAME}) dan tidak ada nomor surat dalam teksnya"
               if letter.data is None else f"lampiran {ATTACHMENT_NAME}-nya bukan data surat, dan teksnya "
               f"tidak memuat nomor surat")
        return Verification(Verdict.UNKNOWN, None, (f"bukan surat beasiswa: {why}",))

    entry = lookup(number)
    if entry is None:
        return Verification(Verdict.UNKNOWN, number, (
            f"nomor surat {number} tidak ada dalam register basis data ini (surat dari basis data lain, atau "
            f"tidak pernah diterbitkan)",))
    if attached is not None and (attached.get("case"), attached.get("claim")) != (entry.case_id, entry.claim_id):
        return Verification(Verdict.UNKNOWN, number, (
            f"nomor surat {number} terdaftar di sini untuk klaim {entry.case_id}/{entry.claim_id}, surat ini "
            f"untuk {attached.get('case')}/{attached.get('claim')}: bukan surat dari basis data ini",), entry)

    problems = list(register_problems(number))
    if problems:
        problems.insert(0, f"baris register surat {number} diubah setelah dirantai; register tidak dapat menjamin "
                           f"surat ini:")
    if letter.data is None:
        problems.append(f"data terlampir ({ATTACHMENT_NAME}) telah dihapus")
    elif digest(letter.data) != entry.data_digest:
        changed = _differences(json.loads(entry.data), attached) if attached is not None else []
        problems.append(f"data terlampir bukan data yang terdaftar (SHA-256 {digest(letter.data)[:16]}…, "
                        f"terdaftar {entry.data_digest[:16]}…)"
                        + (f"; berubah: {'; '.join(changed)}" if changed else ""))
    if entry.pdf_sha256 is None:
        if problems:
            return Verification(Verdict.ALTERED, number, tuple(problems), entry)
        return Verification(Verdict.UNKNOWN, number, (
            f"surat {number} terdaftar tetapi PDF-nya belum pernah dicatat (pembuatannya tidak selesai; "
            f"jalankan `beasiswa letters render`), jadi berkas ini tidak dapat diperiksa",), entry)
    if letter.pdf_digest != entry.pdf_sha256:
        problems.insert(0, f"isi PDF bukan yang terdaftar (SHA-256 {letter.pdf_digest[:16]}…, "
                           f"terdaftar {entry.pdf_sha256[:16]}…)")
    if problems:
        if letter.data is not None and digest(letter.data) == entry.data_digest:
            problems.append("data terlampir sama dengan data yang terdaftar")
        return Verification(Verdict.ALTERED, number, tuple(problems), entry)
    return Verification(Verdict.GENUINE, number, (
        f"terdaftar untuk klaim {entry.case_id}/{entry.claim_id} (surat "
        f"{LETTER_KIND_NAMES.get(entry.kind, entry.kind)}, bertanggal {format_date(entry.letter_date)}); SHA-256 PDF "
        f"dan digest data terlampir sama dengan yang "
        f"terdaftar",), entry)
