"""The account rule (rule book §3.3, I15): the benefit goes to an account in the child's or the guardian's name;
a holder who is someone else by name is a warning for the officer, never a refusal.

`holder_differs` is the comparison itself, for the workflow to tell an officer who corrects an account."""

from beasiswa.banks import holder_matches
from beasiswa.model import BankAccount, Case, Child, Code, Payee
from beasiswa.rules.context import ClaimContext
from beasiswa.rules.findings import Finding, cite, fails, holds


def holder_differs(case: Case, child: Child, account: BankAccount | None, payee: Payee | None) -> str | None:
    """The warning for the officer when the account is not in the payee's name (the child's, or the
    guardian's when the guardian is paid), or None."""
    if account is None:
        return None
    if payee is Payee.GUARDIAN:
        if case.guardian is None:
            return (f"Rekening {account.bank} atas nama {account.holder} dibayarkan kepada wali, tetapi nama wali "
                    f"tidak tercatat pada kasus; petugas perlu memeriksa buku tabungan dan KTP wali.")
        whose, name = "wali", case.guardian
    else:
        whose, name = "anak", child.name
    if holder_matches(account.holder, name):
        return None
    return (f"Rekening {account.bank} atas nama {account.holder}, bukan atas nama {whose} ({name}); petugas "
            f"perlu memeriksa buku tabungan sebelum pembayaran.")


def account_is_in_the_payees_name(c: ClaimContext) -> Finding:
    citation = cite(c.scheme.documents.first_claim.citation, c.readings["I15"].citation)
    account, payee = c.claim.account, c.claim.payee
    if account is None:
        return holds("rekening belum tercatat pada klaim", citation)
    name = c.case.guardian if payee is Payee.GUARDIAN else c.child.name
    detail = (f"pemilik rekening {account.holder}; {'wali' if payee is Payee.GUARDIAN else 'anak'}: "
              f"{name or 'nama wali tidak tercatat pada kasus'}")
    message = holder_differs(c.case, c.child, account, payee)
    if message is None:
        return holds(detail, citation)
    return fails(Code.ACCOUNT_HOLDER_DIFFERS, message, detail, citation)
