"""The first page of one letter of each kind as a PNG, so a person can look at the layout of what went out.

pdftoppm (Debian's poppler-utils) does the rasterising: the same renderer a reviewer's PDF viewer would use,
not WeasyPrint looking at its own output. The letter chosen for a kind is its first registered one (the
oldest number), so the same database always gives the same samples.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import attrs
from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.db.letter_tables import LETTER_KINDS, letters

PDFTOPPM = "pdftoppm"
RESOLUTION = 100  # dots per inch: an A4 page is 827 × 1169 pixels, readable on a screen
SAMPLE_NAMES = {"award": "contoh-surat-penetapan", "rejection": "contoh-surat-penolakan",
                "return": "contoh-surat-pengembalian"}


class SampleError(Exception):
    """A sample page could not be made: the tool is missing, a letter's PDF is not where the register says."""


@attrs.frozen
class Sample:
    kind: str
    number: str
    pdf: Path
    png: Path


def first_letters(engine: Engine) -> dict[str, tuple[str, str]]:
    """kind → (number, file name) of the first letter registered of that kind."""
    query = select(letters.c.kind, letters.c.number, letters.c.file_name).order_by(
        letters.c.numbered_at, letters.c.year, letters.c.office, letters.c.sequence)
    found: dict[str, tuple[str, str]] = {}
    with engine.connect() as conn:
        for kind, number, file_name in conn.execute(query):
            found.setdefault(kind, (number, file_name))
            if len(found) == len(LETTER_KINDS):
                break
    return found


def first_page_png(pdf: Path, png: Path, resolution: int = RESOLUTION) -> None:
    """Page 1 of `pdf` written to `png` (whole or not at all)."""
    if shutil.which(PDFTOPPM) is None:
        raise SampleError(f"{PDFTOPPM} is not installed (Debian package poppler-utils: `make system-packages`)")
    stem = png.with_name(f".{png.stem}.tmp")
    result = subprocess.run([PDFTOPPM, "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile",
                             str(pdf), str(stem)], capture_output=True, text=True)
    made = stem.with_name(stem.name + ".png")
    if result.returncode != 0 or not made.is_file():
        made.unlink(missing_ok=True)
        raise SampleError(f"{pdf}: {PDFTOPPM} failed: {result.stderr.strip() or result.returncode}")
    made.replace(png)


def page_pngs(pdf: bytes, resolution: int = RESOLUTION) -> list[bytes]:
    """Every page of a PDF (its bytes) as PNG bytes, in order: what a screen shows of the letter itself."""
    if shutil.which(PDFTOPPM) is None:
        raise SampleError(f"{PDFTOPPM} is not installed (Debian package poppler-utils: `make system-packages`)")
    with tempfile.TemporaryDirectory(prefix="beasiswa-pages-") as folder:
        result = subprocess.run([PDFTOPPM, "-png", "-r", str(resolution), "-", str(Path(folder) / "p")], input=pdf,
                                capture_output=True)
        pages = sorted(Path(folder).glob("p-*.png"), key=lambda path: int(path.stem.rpartition("-")[2]))
        if result.returncode != 0 or not pages:
            raise SampleError(f"{PDFTOPPM} failed: {result.stderr.decode(errors='replace').strip() or result.returncode}")
        return [page.read_bytes() for page in pages]


def write_samples(engine: Engine, letters_dir: Path, out: Path) -> list[Sample]:
    """One PNG per kind that has a letter, named in Indonesian for the people who open them."""
    out.mkdir(parents=True, exist_ok=True)
    samples = []
    for kind, (number, file_name) in sorted(first_letters(engine).items(), key=lambda i: LETTER_KINDS.index(i[0])):
        pdf = letters_dir / file_name
        if not pdf.is_file():
            raise SampleError(f"letter {number}: its PDF {pdf} is missing (`beasiswa letters render --claim` "
                              f"rewrites it)")
        png = out / f"{SAMPLE_NAMES[kind]}.png"
        first_page_png(pdf, png)
        samples.append(Sample(kind, number, pdf, png))
    return samples
