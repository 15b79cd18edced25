"""Indonesia's banks as data: which bank a claim is paid to, and whether its account number can be one.

Pure ground beside the law: the casefile and intake layers call it on the way in, the payments package to
write a bank's transfer file. The table (data/banks.toml) is dated, and each bank's account lengths carry
their source and how sure they are (`lengths_basis`).
"""

from beasiswa.banks.accounts import check_account_number, holder_matches, masked_number
from beasiswa.banks.table import Bank, BankDataError, as_of, bank_for, banks, load_banks

__all__ = ["Bank", "BankDataError", "as_of", "bank_for", "banks", "check_account_number", "holder_matches", "masked_number",
           "load_banks"]
