"""Indonesian renderings of dates and amounts, by Babel's id_ID locale (rule book §7).

Used by the rules' explanations, the CLI and the letters, so one date or amount reads the same everywhere.
"""

import datetime as dt
from functools import lru_cache

from babel.dates import get_month_names
from babel.numbers import format_currency as _babel_currency

LOCALE = "id_ID"
# Babel's pattern engine ("d MMMM y") costs ~6 us a date; the month names are all the pattern needs.
_MONTHS = dict(get_month_names("wide", locale=LOCALE))


# A letter's kind as an officer reads it (letters.toml's [titles] name the letters themselves).
LETTER_KIND_NAMES = {"award": "penetapan", "rejection": "penolakan", "return": "pengembalian berkas"}
# A transfer to a payee's account, as the bank has answered for it (`transfers.status`).
TRANSFER_STATUS_NAMES = {"exported": "dikirim", "settled": "berhasil", "returned": "dikembalikan"}
# A line of a bank's statement that reconciliation could not apply (`reconciliation_exceptions.kind`).
EXCEPTION_KIND_NAMES = {"UNMATCHED": "tidak cocok", "AMOUNT_DIFFERS": "jumlah berbeda",
                        "ACCOUNT_DIFFERS": "rekening berbeda", "DUPLICATE": "ganda"}


@lru_cache(maxsize=1 << 16)  # pure; a run of cases repeats few dates (birth, submission, year start and end)
def format_date(day: dt.date) -> str:
    """'27 Agustus 2025': Indonesian month name, no leading zero on the day (Babel's "d MMMM y")."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


@lru_cache(maxsize=4096)
def format_rupiah(amount: int) -> str:
    """'Rp1.500.000,00': no space after Rp, '.' for thousands, ',00'."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount: rupiah are whole numbers (int), got {amount!r}")
    return _babel_currency(amount, "IDR", locale=LOCALE, format="¤#,##0.00", currency_digits=False)


# Indonesian names of the contract's codes, for everything a claimant or officer reads.
DOCUMENT_NAMES = {
    "claim_form": "formulir pengajuan klaim",
    "birth_certificate": "akta kelahiran",
    "family_card": "Kartu Keluarga",
    "enrollment_letter": "surat keterangan aktif dari sekolah, perguruan tinggi atau lembaga pelatihan",
    "report_card": "rapor atau transkrip nilai terakhir",
    "bank_account": "buku tabungan atas nama anak atau wali",
    "guardian_id": "KTP wali",
}

EVENT_NAMES = {
    "work_accident_death": "meninggal dunia akibat kecelakaan kerja atau penyakit akibat kerja",
    "work_accident_disability": "cacat total tetap akibat kecelakaan kerja atau penyakit akibat kerja",
    "death": "meninggal dunia bukan akibat kecelakaan kerja",
}

OUTCOME_NAMES = {
    "approved": "disetujui",
    "rejected": "ditolak",
    "returned": "dikembalikan",
    "pending": "ditunda",
}

SEGMENT_NAMES = {
    "PU": "penerima upah",
    "BPU": "bukan penerima upah",
    "PMI": "pekerja migran Indonesia",
}
