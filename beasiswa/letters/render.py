"""Letters to HTML and to PDF/A-3b, with the canonical data attached and a QR code to check them by.

A `LetterRenderer` is made once per worker and kept: it holds one WeasyPrint FontConfiguration, one parsed
stylesheet and one Jinja environment for all its letters (a new font configuration per letter costs ~4 ms
and is never freed, shared/notes/letters.md). Rendering only reads the templates; it writes nothing.

The QR code is the public verification page's address for the letter (`canonical.verify_url`), under the
`public_url` the renderer is made with: part of the letter's bytes like its letterhead, so an installation
keeps one (BEASISWA_PUBLIC_URL for the commands, the same address for the web application), and a letter
rendered again under another address is not the PDF the register recorded.
"""

import datetime as dt
import logging
import warnings
from pathlib import Path

import attrs
import jinja2
import segno
from markupsafe import Markup
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.ffi import ffi, fontconfig, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration

from beasiswa.indonesian import format_date, format_rupiah
from beasiswa.letters.canonical import (ATTACHMENT_NAME, DEFAULT_PUBLIC_URL, canonical_bytes, check_public_url, digest,
                                       short_digest, verify_url)
from beasiswa.letters.content import Letter
from beasiswa.letters.words import amount_for_letter

log = logging.getLogger(__name__)

# The templates live at the top of the repository (the project's layout); the package is installed editable.
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STYLESHEET = "letter.css"
PDF_VARIANT = "pdf/a-3b"
SERIF = "Liberation Serif"
# Every mask makes a valid QR code; choosing the "best" one scores all eight, ~2.3 of the ~3.2 ms a code takes.
# A fixed mask keeps the letter's bytes the same whatever segno's scoring does.
QR_MASK = 0


class LetterTemplateError(ValueError):
    """A template that asks for a value the letter does not have, or would print an empty one."""


class SlowFontSubsettingWarning(UserWarning):
    """HarfBuzz subsetting is not loaded: WeasyPrint subsets fonts in Python, ~7 times slower."""


class LayoutFontWarning(UserWarning):
    """The serif the letters are laid out with is not installed: another font moves the lines."""


def harfbuzz_subsetting_available() -> bool:
    """Whether WeasyPrint subsets fonts with libharfbuzz-subset (the condition it applies itself)."""
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def font_family_installed(family: str) -> bool | None:
    """Whether fontconfig resolves `family` to itself; None if fontconfig could not be asked."""
    try:
        pattern = fontconfig.FcPatternCreate()
        try:
            fontconfig.FcPatternAddString(pattern, b"family", family.encode())
            fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
            fontconfig.FcDefaultSubstitute(pattern)
            result = ffi.new("FcResult *")
            match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
            if match == ffi.NULL:
                return False
            try:
                name = ffi.new("FcChar8 **")
                if fontconfig.FcPatternGetString(match, b"family", 0, name) != fontconfig.FcResultMatch:
                    return False
                return ffi.string(name[0]).decode() == family
            finally:
                fontconfig.FcPatternDestroy(match)
        finally:
            fontconfig.FcPatternDestroy(pattern)
    except Exception:  # an internal API of WeasyPrint: if it moves, say nothing rather than fail
        return None


def _warn(message: str, category: type[Warning]) -> None:
    log.warning(message)
    warnings.warn(message, category, stacklevel=3)


def _present(value):
    """Jinja's finalize: a None or empty value printed in a letter is an error, never an empty line."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise LetterTemplateError(f"template: a letter value is {value!r}; every printed value must be present")
    return value


@attrs.frozen
class RenderedLetter:
    """A rendered letter and what the register records of it."""

    number: str
    data: bytes
    data_digest: str
    pdf: bytes
    pdf_digest: str


class LetterRenderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR, public_url: str = DEFAULT_PUBLIC_URL):
        self.public_url = check_public_url(public_url)
        templates_dir = Path(templates_dir)
        if not (templates_dir / STYLESHEET).is_file():
            raise LetterTemplateError(f"templates_dir: {templates_dir} has no {STYLESHEET}")
        if not harfbuzz_subsetting_available():
            _warn("HarfBuzz font subsetting (libharfbuzz-subset0) is not loaded: WeasyPrint falls back to "
                  "Python and writes each PDF about 7 times slower; install it with `make system-packages`",
                  SlowFontSubsettingWarning)
        if font_family_installed(SERIF) is False:
            _warn(f"the font {SERIF!r} (fonts-liberation2) is not installed: letters are laid out with "
                  f"another font and may not fit their pages; install it with `make system-packages`",
                  LayoutFontWarning)
        self.templates_dir = templates_dir
        self._base_url = templates_dir.as_uri() + "/"
        self._font_config = FontConfiguration()
        self._stylesheet = CSS(filename=str(templates_dir / STYLESHEET), font_config=self._font_config)
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=_present,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(tanggal=format_date, rupiah=format_rupiah, amount_for_letter=amount_for_letter)

    def _html(self, letter: Letter, data_digest: str) -> str:
        number = str(letter.frame.number)
        qr = segno.make(self.qr_payload(number, data_digest), error="m", mask=QR_MASK)
        template = self._env.get_template(f"{letter.frame.kind.value}.html")
        return template.render(letter=letter, qr_svg=Markup(qr.svg_inline(scale=4, border=0)),
                               short_digest=short_digest(data_digest))

    def qr_payload(self, number: str, data_digest: str) -> str:
        """What the letter's QR code carries: its verification page's address."""
        return verify_url(self.public_url, number, data_digest)

    def html(self, letter: Letter) -> str:
        return self._html(letter, digest(canonical_bytes(letter)))

    def render(self, letter: Letter) -> RenderedLetter:
        data = canonical_bytes(letter)
        data_digest = digest(data)
        html = self._html(letter, data_digest)
        # The attachment is dated with the letter, so the same letter always makes the same PDF.
        stamp = dt.datetime.combine(letter.frame.date, dt.time())
        attachment = Attachment(string=data, name=ATTACHMENT_NAME, created=stamp, modified=stamp,
                                description=f"Data surat {letter.frame.number}", relationship="Data")
        pdf = HTML(string=html, base_url=self._base_url).write_pdf(
            stylesheets=[self._stylesheet], font_config=self._font_config, pdf_variant=PDF_VARIANT,
            attachments=[attachment])
        return RenderedLetter(str(letter.frame.number), data, data_digest, pdf, digest(pdf))

    def pdf(self, letter: Letter) -> bytes:
        return self.render(letter).pdf
