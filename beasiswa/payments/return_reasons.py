"""Why a bank sent a transfer back, in the officer's words: ISO 20022's return reason codes as data
(data/return_reasons.toml, with its source).

A code the table does not know is still the bank's answer (banks add their own, in Rsn/Prtry): it is kept as
given and worded as such, never refused.
"""

import tomllib
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "return_reasons.toml"


@lru_cache(maxsize=1)
def reasons() -> dict[str, str]:
    """Code → the Indonesian wording (the table's `text`)."""
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {code: entry["text"] for code, entry in data["reasons"].items()}


def reason_text(code: str | None, bank_note: str | None = None) -> str:
    """The return's reason as the journal and the officer read it: the code's wording, and the bank's own note
    when it gave one ("AC04 rekening sudah ditutup (REKENING TUTUP)")."""
    note = bank_note.strip() if isinstance(bank_note, str) and bank_note.strip() else None
    if code is None:
        return f"dikembalikan bank: {note}" if note else "dikembalikan bank tanpa kode alasan"
    wording = reasons().get(code, "kode alasan bank yang tidak dikenal tabel ISO 20022")
    return f"{code} {wording}" + (f" ({note})" if note else "")
