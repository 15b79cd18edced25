"""A bank-to-customer statement, camt.053.001.08: the office's account over a period, every booking on it
(`camt_entries` reads the entries). Its reference is the bank's id of the statement (Stmt/Id), or of the
message (GrpHdr/MsgId) for a file of several statements."""

from pyiso20022.camt.camt_053_001_08 import camt_053_001_08 as camt053

from beasiswa.payments.camt_entries import read_reports
from beasiswa.payments.statement import Statement, digest

FORMAT = "camt.053.001.08"
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def read(file_name: str, content: bytes) -> Statement:
    lines, reference, other = read_reports(file_name, content, camt053.Document, NAMESPACE, "bk_to_cstmr_stmt",
                                           "Stmt", "pernyataan rekening")
    return Statement(file_name, FORMAT, digest(content), reference, lines, other)
