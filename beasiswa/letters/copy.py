"""A copy of a registered letter, for a person to read or download: the letter rendered again from the register
(its case, its decision, its number and date) and checked against what the register recorded.

The register keeps the letter's canonical data and the SHA-256 of the PDF that was written, not the file (the
PDF goes to the folder `letters render --out` names). Rendering is deterministic, so the same letter makes the
same bytes: a copy whose data or PDF digest differ from the register's is not the letter that was issued (the
decision, the templates, the fonts, the letterheads or the public address of the QR code changed since), and
is refused rather than handed out as if it were. A letter numbered whose PDF was never recorded has no digest
to check against: it can be previewed (said so), not downloaded.
"""

import attrs

from beasiswa.letters.register import LetterRegister, Registered
from beasiswa.letters.render import LetterRenderer
from beasiswa.model import Refusal


@attrs.frozen
class LetterCopy:
    entry: Registered
    pdf: bytes
    pdf_digest: str

    @property
    def recorded(self) -> bool:
        """The PDF's digest was recorded (and this copy is that PDF)."""
        return self.entry.pdf_sha256 is not None


def letter_copy(register: LetterRegister, renderer: LetterRenderer, entry: Registered) -> LetterCopy:
    """The registered letter rendered again; a Refusal (LETTER_DATA_CHANGED, LETTER_PDF_CHANGED) when it is not
    the letter the register recorded."""
    rendered = renderer.render(register.rebuild(entry))
    if rendered.data != entry.data:
        raise Refusal("LETTER_DATA_CHANGED", f"surat {entry.number}: data yang dibuat sekarang bukan data yang "
                                             f"terdaftar (putusan atau data surat berubah sejak surat diterbitkan)")
    if entry.pdf_sha256 is not None and rendered.pdf_digest != entry.pdf_sha256:
        raise Refusal("LETTER_PDF_CHANGED", f"surat {entry.number}: PDF yang dibuat sekarang (SHA-256 "
                                            f"{rendered.pdf_digest[:16]}…) bukan PDF yang terdaftar "
                                            f"({entry.pdf_sha256[:16]}…): templat, fon, kop surat atau alamat "
                                            f"publik kode QR berubah sejak surat dibuat")
    return LetterCopy(entry, rendered.pdf, rendered.pdf_digest)
