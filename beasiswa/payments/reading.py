"""A bank's file read as a statement, whatever its format: camt.053 or camt.054 by the XML namespace it
declares, otherwise a CSV result file by its header row (`csv_results`). A file that is none of them, or cannot
be read, raises `StatementError` naming the file, where and the value."""

from pathlib import Path

from beasiswa.payments import camt053, camt054, csv_results
from beasiswa.payments.statement import Statement, StatementError

FORMATS = {camt053.NAMESPACE: camt053.read, camt054.NAMESPACE: camt054.read}


def read_statement(path: Path) -> Statement:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise StatementError(str(path), "berkas", None, f"tidak dapat dibaca ({exc.__class__.__name__})") from None
    return read_bytes(path.name, content)


def read_bytes(file_name: str, content: bytes) -> Statement:
    if not content.strip():
        raise StatementError(file_name, "berkas", None, "kosong")
    head = content[:2000]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        for namespace, read in FORMATS.items():
            if namespace.encode() in head:
                return read(file_name, content)
        raise StatementError(file_name, "Document", None, "bukan camt.053.001.08 atau camt.054.001.08 "
                                                          "(namespace pesan tidak dikenal)")
    return csv_results.read(file_name, content)
