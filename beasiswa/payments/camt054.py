"""A debit/credit notification, camt.054.001.08: the bank's word on single bookings as they happen (a batch
booked, a transfer returned), before the day's statement (`camt_entries` reads the entries). Its reference is
the notification's id (Ntfctn/Id), or the message's (GrpHdr/MsgId) for a file of several."""

from pyiso20022.camt.camt_054_001_08 import camt_054_001_08 as camt054

from beasiswa.payments.camt_entries import read_reports
from beasiswa.payments.statement import Statement, digest

FORMAT = "camt.054.001.08"
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


def read(file_name: str, content: bytes) -> Statement:
    lines, reference, other = read_reports(file_name, content, camt054.Document, NAMESPACE,
                                           "bk_to_cstmr_dbt_cdt_ntfctn", "Ntfctn", "notifikasi")
    return Statement(file_name, FORMAT, digest(content), reference, lines, other)
