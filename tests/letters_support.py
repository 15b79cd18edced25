"""What the letter register's tests share: decided claims registered in a fresh database (each dialect), the
sample cases, the people who issue the letters (a supervisor per sample office, an officer of KC-PLG, an
auditor), reading the register back, and reading a letter's QR code from its printed page."""

import datetime as dt
import io
import subprocess

from beasiswa.casefile import read_case
from beasiswa.db import make_engine
from beasiswa.ledger import Ledger
from beasiswa.letters.register import LetterRegister
from beasiswa.model import ClaimRef
from beasiswa.rules import decide
from beasiswa.workflow.service import Workflow
from ledger_support import APPROVER, LAW, MAKER, ROOT, approved, case, claim, sql
from workflow_support import signed_in

DAY = dt.date(2025, 8, 27)
FIXTURES = ROOT / "fixtures" / "cases"
OFFICES = ("KC-PLG", "KC-SBY", "KC-MDN", "KC-BDG", "KC-MKS")
# Who issues each office's letters: its supervisor.
ISSUERS = {office: f"{office[3:].lower()}.pengawas" for office in OFFICES}
OFFICER, AUDITOR = "plg.petugas", "rina.auditor"


def staff(url: str) -> None:
    """The admin, a supervisor of each sample office, an officer of KC-PLG and an auditor (once per database),
    signed in on the command line (workflow_support.signed_in: the test's token file). A database staffed by
    another fixture (the web's people) keeps its own: those of them registered are signed in."""
    workflow = Workflow(make_engine(url), LAW)
    try:
        if not sql(url, "SELECT COUNT(*) FROM users")[0][0]:
            workflow.bootstrap("admin", "KP")
            for office, name in ISSUERS.items():
                workflow.add_user("admin", name, "supervisor", office)
            workflow.add_user("admin", OFFICER, "officer", "KC-PLG")
            workflow.add_user("admin", AUDITOR, "auditor", "KP")
    finally:
        workflow.engine.dispose()
    registered = {name for (name,) in sql(url, "SELECT name FROM users")}
    signed_in(url, [n for n in ("admin", *ISSUERS.values(), OFFICER, AUDITOR) if n in registered])


def issuing(url: str, **options) -> LetterRegister:
    """The register of `url`, issuing each office's letters as its supervisor."""
    return LetterRegister(make_engine(url), issuers=ISSUERS, **options)


def as_issuers() -> list[str]:
    """`--as` for every office's supervisor."""
    return [arg for name in ISSUERS.values() for arg in ("--as", name)]


def register_claims(url: str, cases: int, claims_per_case: int, office: str = "KC-PLG",
                    prefix: str = "2025") -> list[ClaimRef]:
    """`cases` cases of `office`, each with `claims_per_case` approved claims, registered; their keys."""
    staff(url)
    ledger = Ledger(make_engine(url), LAW)
    keys = []
    try:
        for i in range(1, cases + 1):
            a_case = case(case_id=f"{office}-{prefix}-{i:06d}", office=office,
                          claims=[claim(f"klaim-{j}") for j in range(1, claims_per_case + 1)])
            ledger.register(a_case, approved(a_case), maker=MAKER, approver=APPROVER)
            keys += [ClaimRef(a_case.case_id, c.id) for c in a_case.claims]
    finally:
        ledger.engine.dispose()
    return keys


def register_fixtures(url: str, names: tuple[str, ...] = ()) -> list:
    """The sample cases (all, or those whose file names start with one of `names`), decided and registered."""
    staff(url)
    ledger = Ledger(make_engine(url), LAW)
    registered = []
    try:
        for path in sorted(FIXTURES.glob("*.json")):
            if names and not path.name.startswith(names):
                continue
            a_case = read_case(path)
            ledger.register(a_case, decide(a_case, LAW), maker=MAKER, approver=APPROVER)
            registered.append(a_case)
    finally:
        ledger.engine.dispose()
    return registered


def register_rows(url: str) -> list:
    return sql(url, "SELECT l.number, l.office, l.year, l.sequence, l.case_id, l.claim_id, l.decision_revision, "
                    "l.kind, l.file_name, f.pdf_sha256 FROM letters l LEFT JOIN letter_files f "
                    "ON f.number = l.number ORDER BY l.office, l.year, l.sequence")


def sequences_of(rows) -> dict[tuple[str, int], list[int]]:
    found: dict[tuple[str, int], list[int]] = {}
    for row in rows:
        found.setdefault((row.office, row.year), []).append(row.sequence)
    return found


def qr_of(pdf: bytes) -> str:
    """What the QR code printed on the letter's first page carries, read from the page as an image (pdftoppm at
    150 dpi, zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-"], input=pdf,
                         capture_output=True, check=True).stdout
    [code] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
              if r.format == zxingcpp.BarcodeFormat.QRCode]
    return code
