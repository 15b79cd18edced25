"""The documents rule (rule book §3.4, P3): the first claim for a child needs the full set, every later
year the enrolment letter and the latest report; a guardian paid needs the guardian's ID card."""

from beasiswa.indonesian import DOCUMENT_NAMES
from beasiswa.model import Code, Document, Payee
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds

_RANK = {document: rank for rank, document in enumerate(Document)}  # the contract's order


def documents_are_complete(c: ClaimContext) -> Finding:
    documents = c.scheme.documents
    first = not c.tally.of_child(c.child.id)
    required = documents.first_claim if first else documents.later_claim
    needed = required.value
    citation = required.citation
    if c.claim.payee is Payee.GUARDIAN:
        needed = needed | documents.guardian_payee.value
        citation = cite(citation, documents.guardian_payee.citation)
    citation = cite(citation, c.readings["P3"].citation)
    missing = sorted(needed - c.claim.documents, key=_RANK.__getitem__)
    detail = f"{'pengajuan pertama' if first else 'pengajuan tahun berikutnya'}: {len(needed)} dokumen " \
             f"diperlukan, {len(needed) - len(missing)} ada"
    if not missing:
        return holds(detail, citation)
    names = "; ".join(DOCUMENT_NAMES[d.value] for d in missing)
    return fails(Code.DOCUMENTS_INCOMPLETE,
                 f"Dokumen belum lengkap: {names}. Silakan lengkapi dokumen tersebut dan ajukan kembali klaim ini.",
                 f"{detail}; kurang: {names}", citation)
