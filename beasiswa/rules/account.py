"""The account rule (rule book §3.3, I15): the benefit goes to an account in the child's or the guardian's name;
a holder who is someone else by name is a warning for the officer, never a refusal."""

from beasiswa.banks import holder_matches
from beasiswa.model import Code, Payee
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def account_is_in_the_payees_name(c: ClaimContext) -> Finding:
    citation = cite(c.scheme.documents.first_claim.citation, c.readings["I15"].citation)
    account = c.claim.account
    if account is None:
        return holds("rekening belum tercatat pada klaim", citation)
    if c.claim.payee is Payee.GUARDIAN:
        whose, name = "wali", c.case.guardian
    else:
        whose, name = "anak", c.child.name
    if name is None:
        detail = f"pemilik rekening {account.holder}; nama wali tidak tercatat pada kasus"
        return fails(Code.ACCOUNT_HOLDER_DIFFERS,
                     f"Rekening {account.bank} atas nama {account.holder} dibayarkan kepada wali, tetapi nama wali "
                     f"tidak tercatat pada kasus; petugas perlu memeriksa buku tabungan dan KTP wali.",
                     detail, citation)
    detail = f"pemilik rekening {account.holder}; {whose}: {name}"
    if holder_matches(account.holder, name):
        return holds(detail, citation)
    return fails(Code.ACCOUNT_HOLDER_DIFFERS,
                 f"Rekening {account.bank} atas nama {account.holder}, bukan atas nama {whose} ({name}); petugas "
                 f"perlu memeriksa buku tabungan sebelum pembayaran.", detail, citation)
