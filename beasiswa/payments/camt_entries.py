"""The entries of a camt.053 statement or a camt.054 notification, read into statement lines: both messages
carry the same ReportEntry10 of ISO 20022's 2019 cash management release (version 08), so one reader serves
both (`camt053`, `camt054` open their own message around it).

An entry (Ntry) is one booking on the office's account; a batch booking carries one transaction (TxDtls) per
transfer. Each transaction naming an end-to-end id (Refs/EndToEndId; "NOTPROVIDED" is none) is a line:
- returned when it carries return information (RtrInf: the bank's reason code, Rsn/Cd or Rsn/Prtry, and its
  note, AddtlInf), or when the entry is a reversal (RvslInd); settled otherwise;
- its amount the transaction's own (TxDtls/Amt, else AmtDtls/TxAmt/Amt), or the entry's when it carries one
  transaction; in rupiah (Ccy "IDR"), whole;
- its account the payee's (RltdPties/CdtrAcct/Id/Othr/Id, or the IBAN); its bank reference the transaction's
  (Refs/AcctSvcrRef), else the entry's (AcctSvcrRef); its date the entry's booking date (BookgDt), else its
  value date.
Only booked entries (Sts/Cd "BOOK") are read: pending and information-only ones say nothing has happened yet.

The XML is bound by pyiso20022's xsdata classes. An element the schema does not have, an XML syntax error, or a
value that is not of its type (an amount, a date) is refused naming the element's path ("Stmt[1]/Ntry[2]/Amt")
and the value.
"""

import datetime as dt
import warnings
from collections.abc import Iterator

from xsdata.exceptions import ParserError
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.models.datatype import XmlDate, XmlDateTime

from beasiswa.payments.return_reasons import reason_text
from beasiswa.payments.statement import RETURNED, SETTLED, StatementError, StatementLine, whole_rupiah

NOT_PROVIDED = "NOTPROVIDED"


def parse(file_name: str, content: bytes, document: type, namespace: str):
    """The message's Document, bound; a file that is not that message is refused naming what it is."""
    if namespace.encode() not in content[:2000]:
        raise StatementError(file_name, "Document", None, f"bukan pesan {namespace.rsplit(':', 1)[-1]} "
                                                          f"(namespace {namespace} tidak ada)")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:  # no bank message has one; entities can blow up a parser
        raise StatementError(file_name, "DOCTYPE", None,
                             "tidak diterima: pesan ISO 20022 tidak memuat DTD atau entitas")
    parser = XmlParser(config=ParserConfig(fail_on_unknown_properties=True, fail_on_converter_warnings=False))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a value left unconverted is refused below, by its element's path
            return parser.from_bytes(content, document)
    except ParserError as exc:
        if isinstance(exc.__cause__ or exc.__context__, SyntaxError):  # xml.etree's ParseError, wrapped
            raise StatementError(file_name, "XML", None, f"bukan XML yang utuh: {exc}") from None
        raise StatementError(file_name, "Document", None, f"tidak sesuai skema: {_unqualified(str(exc))}") from None
    except SyntaxError as exc:  # xml.etree's ParseError: "mismatched tag: line 3, column 4"
        raise StatementError(file_name, "XML", None, f"bukan XML yang utuh: {exc}") from None


def _unqualified(message: str) -> str:
    """xsdata's message without the namespaces: '{urn:…}ReportEntry10:{urn:…}Foo' → 'ReportEntry10:Foo'."""
    while "{" in message and "}" in message:
        start = message.index("{")
        end = message.index("}", start)
        message = message[:start] + message[end + 1:]
    return message


def read_reports(file_name: str, content: bytes, document: type, namespace: str, message: str, report: str,
                 kind: str):
    """The lines of every account report (`report`: "Stmt" or "Ntfctn") of the message (`message`: the
    Document's element), numbered from 1 across them; the reference is the report's id, or the message's
    (GrpHdr/MsgId) when it holds several; and how many booked transactions named no end-to-end id."""
    bound = parse(file_name, content, document, namespace)
    name = {"Stmt": "stmt", "Ntfctn": "ntfctn"}[report]
    body = getattr(bound, message)
    reports = getattr(body, name) if body is not None else None
    if not reports:
        raise StatementError(file_name, f"{report}", None, f"wajib ada: {kind} tanpa laporan rekening")
    found, other = [], 0
    for r, account_report in enumerate(reports, 1):
        other += _lines(file_name, account_report.ntry, f"{report}[{r}]", found)
    reference = reports[0].id if len(reports) == 1 else body.grp_hdr.msg_id
    return tuple(found), reference, other


def _lines(file_name: str, entries: list, where: str, found: list) -> int:
    """The statement lines of `entries` (an account report's Ntry list at `where`) added to `found`; how many
    booked transactions named no end-to-end id."""
    other = 0
    for i, entry in enumerate(entries, 1):
        at = f"{where}/Ntry[{i}]"
        status = entry.sts.cd if entry.sts is not None else None
        if status is None:
            raise StatementError(file_name, f"{at}/Sts/Cd", None, "wajib ada (status entri: BOOK, PDNG, INFO)")
        if status != "BOOK":
            continue
        for tx_at, tx in _transactions(entry, at):
            end_to_end = tx.refs.end_to_end_id.strip() if tx.refs and tx.refs.end_to_end_id else None
            if not end_to_end or end_to_end == NOT_PROVIDED:
                other += 1
                continue
            found.append(_line(file_name, len(found) + 1, entry, tx, end_to_end, at, tx_at))
    return other


def _transactions(entry, at: str) -> Iterator[tuple[str, object]]:
    for d, details in enumerate(entry.ntry_dtls, 1):
        for t, tx in enumerate(details.tx_dtls, 1):
            yield f"{at}/NtryDtls[{d}]/TxDtls[{t}]", tx


def _rupiah(file_name: str, where: str, amount) -> int:
    if amount is None:
        raise StatementError(file_name, where, None, "wajib ada")
    if amount.ccy != "IDR":
        raise StatementError(file_name, f"{where}/@Ccy", amount.ccy, "bukan IDR: transfer beasiswa dalam rupiah")
    return whole_rupiah(file_name, where, amount.value)


def _line(file_name: str, line_no: int, entry, tx, end_to_end: str, at: str, tx_at: str) -> StatementLine:
    _rupiah(file_name, f"{at}/Amt", entry.amt)  # the entry's own total is read too: a bad one is bad input
    amount_at, amount = _amount(entry, tx, at, tx_at)
    if amount is None:
        raise StatementError(file_name, f"{tx_at}/Amt", None, "wajib ada: entri ini memuat lebih dari satu transaksi")
    rupiah = _rupiah(file_name, amount_at, amount)
    returned = tx.rtr_inf is not None or bool(entry.rvsl_ind)
    code = note = None
    if tx.rtr_inf is not None:
        reason = tx.rtr_inf.rsn
        code = (reason.cd or reason.prtry) if reason is not None else None
        note = "; ".join(tx.rtr_inf.addtl_inf) or None
    reference = (tx.refs.acct_svcr_ref if tx.refs else None) or entry.acct_svcr_ref
    return StatementLine(
        line_no=line_no, end_to_end_id=end_to_end, amount=rupiah, account=_account(tx),
        status=RETURNED if returned else SETTLED, bank_reference=reference,
        booking_date=_booking_date(file_name, entry, at),
        return_code=code if returned else None, return_reason=reason_text(code, note) if returned else None,
        where=tx_at)


def _amount(entry, tx, at: str, tx_at: str):
    if tx.amt is not None:
        return f"{tx_at}/Amt", tx.amt
    if tx.amt_dtls is not None and tx.amt_dtls.tx_amt is not None:
        return f"{tx_at}/AmtDtls/TxAmt/Amt", tx.amt_dtls.tx_amt.amt
    if sum(len(d.tx_dtls) for d in entry.ntry_dtls) == 1:
        return f"{at}/Amt", entry.amt
    return tx_at, None


def _account(tx) -> str | None:
    parties = tx.rltd_pties
    if parties is None or parties.cdtr_acct is None or parties.cdtr_acct.id is None:
        return None
    account = parties.cdtr_acct.id
    return account.othr.id if account.othr is not None else account.iban


def _booking_date(file_name: str, entry, at: str) -> dt.date:
    for name, value in (("BookgDt", entry.bookg_dt), ("ValDt", entry.val_dt)):
        if value is None:
            continue
        if value.dt is not None:
            if not isinstance(value.dt, XmlDate):
                raise StatementError(file_name, f"{at}/{name}/Dt", value.dt, "bukan tanggal (YYYY-MM-DD)")
            return value.dt.to_date()
        if value.dt_tm is not None:
            if not isinstance(value.dt_tm, XmlDateTime):
                raise StatementError(file_name, f"{at}/{name}/DtTm", value.dt_tm, "bukan waktu (ISO 8601)")
            return value.dt_tm.to_datetime().date()
    raise StatementError(file_name, f"{at}/BookgDt", None, "wajib ada (tanggal pembukuan)")
