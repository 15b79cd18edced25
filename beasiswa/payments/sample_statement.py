"""A bank's answer written for given transfers: a camt.053 statement or a camt.054 notification, as a bank would
send it, for the tests' round trips and the demo's sample statement (fixtures/payments/).

Not a bank: it writes what it is told. Each `SampleLine` is one transfer the bank booked (settled) or sent back
(returned, with an ISO 20022 reason code); the lines become one entry each (Ntry, one TxDtls), in the order
given, so a statement can hold a line twice, or an end-to-end id no transfer has, to exercise the exceptions.
The file is read back by `camt053`/`camt054` through pyiso20022's bindings (the tests do), so it keeps to the
schema's elements and order.
"""

import datetime as dt
import xml.etree.ElementTree as ET

import attrs

from beasiswa.payments import camt053, camt054


@attrs.frozen
class SampleLine:
    end_to_end_id: str
    amount: int
    account: str | None
    booking_date: dt.date
    bank_reference: str
    return_code: str | None = None  # None: settled; a reason code: returned
    return_note: str | None = None
    amount_text: str | None = None  # the amount as written, when a test wants it otherwise ("12.50")


def lines_for(transfers, booked: dt.date, *, returns: dict[str, str] | None = None, twice: tuple[str, ...] = (),
              unmatched: tuple[str, ...] = ()) -> list[SampleLine]:
    """The lines a bank would send for `transfers` (anything with end_to_end_id, amount, account_number): each
    booked on `booked` (settled), those of `returns` (end-to-end id → reason code) sent back instead, those of
    `twice` booked a second time (a duplicate), and a line for each id of `unmatched` that no transfer has."""
    returns = returns or {}
    lines = []
    for n, t in enumerate(transfers, 1):
        code = returns.get(t.end_to_end_id)
        lines.append(SampleLine(t.end_to_end_id, int(t.amount), t.account_number, booked, f"REF{booked:%Y%m%d}{n:05d}",
                                code, "DIKEMBALIKAN BANK PENERIMA" if code else None))
    lines += [attrs.evolve(line, bank_reference=line.bank_reference + "D") for line in lines
              if line.end_to_end_id in twice]
    lines += [SampleLine(e2e, 1_000_000, None, booked, f"REF{booked:%Y%m%d}X{i:04d}")
              for i, e2e in enumerate(unmatched, 1)]
    return lines


def statement_xml(lines: list[SampleLine], *, statement_id: str, account: str, created_at: dt.datetime,
                  notification: bool = False) -> bytes:
    """The camt.053.001.08 statement (or, `notification`, the camt.054.001.08 notification) of `lines` on the
    office's `account`."""
    namespace = camt054.NAMESPACE if notification else camt053.NAMESPACE
    ET.register_namespace("", namespace)

    def el(parent, name: str, text: str | None = None, **attributes):
        child = ET.SubElement(parent, f"{{{namespace}}}{name}", attributes)
        if text is not None:
            child.text = text
        return child

    document = ET.Element(f"{{{namespace}}}Document")
    message = el(document, "BkToCstmrDbtCdtNtfctn" if notification else "BkToCstmrStmt")
    header = el(message, "GrpHdr")
    el(header, "MsgId", f"MSG-{statement_id}")
    el(header, "CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    report = el(message, "Ntfctn" if notification else "Stmt")
    el(report, "Id", statement_id)
    el(report, "CreDtTm", created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    el(el(el(el(report, "Acct"), "Id"), "Othr"), "Id", account)
    for line in lines:
        _entry(el, report, line)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def _entry(el, report, line: SampleLine) -> None:
    returned = line.return_code is not None
    amount = line.amount_text or f"{line.amount}.00"
    entry = el(report, "Ntry")
    el(entry, "Amt", amount, Ccy="IDR")
    el(entry, "CdtDbtInd", "CRDT" if returned else "DBIT")
    el(el(entry, "Sts"), "Cd", "BOOK")
    el(el(entry, "BookgDt"), "Dt", line.booking_date.isoformat())
    el(el(entry, "ValDt"), "Dt", line.booking_date.isoformat())
    el(entry, "AcctSvcrRef", line.bank_reference)
    domain = el(el(entry, "BkTxCd"), "Domn")
    el(domain, "Cd", "PMNT")
    family = el(domain, "Fmly")
    el(family, "Cd", "ICDT")
    el(family, "SubFmlyCd", "RRTN" if returned else "DMCT")
    tx = el(el(entry, "NtryDtls"), "TxDtls")
    refs = el(tx, "Refs")
    el(refs, "AcctSvcrRef", line.bank_reference)
    el(refs, "EndToEndId", line.end_to_end_id)
    el(tx, "Amt", amount, Ccy="IDR")
    el(tx, "CdtDbtInd", "CRDT" if returned else "DBIT")
    if line.account is not None:
        el(el(el(el(el(tx, "RltdPties"), "CdtrAcct"), "Id"), "Othr"), "Id", line.account)
    if returned:
        info = el(tx, "RtrInf")
        el(el(info, "Rsn"), "Cd", line.return_code)
        if line.return_note:
            el(info, "AddtlInf", line.return_note)
