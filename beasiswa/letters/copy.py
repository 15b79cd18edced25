"""A copy of a registered letter, for a person to read or download: the PDF a batch's worker stored when there
is one, else the letter rendered again from the register (its case, its decision, its number and date); either
checked against what the register recorded.

The register keeps the letter's canonical data and the SHA-256 of the PDF that was written. A letter made by a
batch (`beasiswa.letters.batches`) has its PDF stored in the database (`letter_pdfs`): that is the copy, handed
out only if its SHA-256 is the register's. A letter written by `letters render` to the folder `--out` names has
no stored PDF: it is rendered again, under this installation's public address. Rendering is deterministic, so
the same letter makes the same bytes: a copy whose data or PDF digest differ from the register's is not the
letter that was issued (the decision, the templates, the fonts, the letterheads or the public address of the QR
code changed since), and is refused rather than handed out as if it were. A letter numbered whose PDF was never
recorded has no digest to check against: it can be previewed (said so), not downloaded.
"""

from collections.abc import Callable

import attrs
from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.db.batch_tables import letter_pdfs
from beasiswa.letters.canonical import digest
from beasiswa.letters.register import LetterRegister, Registered
from beasiswa.letters.render import LetterRenderer
from beasiswa.model import Refusal


@attrs.frozen
class LetterCopy:
    entry: Registered
    pdf: bytes
    pdf_digest: str
    stored: bool = False  # the PDF stored when the letter was made, not rendered again


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


def stored_pdf(engine: Engine, number: str) -> bytes | None:
    """The letter's PDF as a batch's worker stored it; None if none was stored."""
    with engine.connect() as conn:
        return conn.execute(select(letter_pdfs.c.pdf).where(letter_pdfs.c.number == number)).scalar()


def registered_copy(register: LetterRegister, renderer: Callable[[], LetterRenderer], entry: Registered) -> LetterCopy:
    """The registered letter's stored PDF if its digest is recorded and one was stored, else the letter rendered
    again by `renderer()` (asked for only then); a Refusal (LETTER_PDF_CHANGED, LETTER_DATA_CHANGED) when the copy
    is not the letter the register recorded. A PDF stored but never recorded (its worker died in between) has
    nothing to be checked against: the letter is rendered again, a preview like any unrecorded letter."""
    pdf = stored_pdf(register.engine, entry.number) if entry.pdf_sha256 is not None else None
    if pdf is None:
        return letter_copy(register, renderer(), entry)
    pdf_digest = digest(pdf)
    if pdf_digest != entry.pdf_sha256:
        raise Refusal("LETTER_PDF_CHANGED", f"surat {entry.number}: PDF yang tersimpan (SHA-256 {pdf_digest[:16]}…) "
                                            f"bukan PDF yang terdaftar ({entry.pdf_sha256[:16]}…): PDF itu berubah "
                                            f"di basis data sejak surat dibuat")
    return LetterCopy(entry, pdf, pdf_digest, stored=True)
