"""ISO 20022 pain.001.001.09 (customer credit transfer initiation): a batch written through pyiso20022's xsdata
bindings, checked against ISO's own schema (schemas/pain.001.001.09.xsd) with xmlschema, and read back.

One payment information block per file (one debtor account, one requested execution date), charges borne by the
debtor (DEBT: the child receives the whole amount); each transfer's EndToEndId is "BSW-<payout seq>", its amount
in IDR with no decimals, its creditor agent the payee's bank by BIC. The bytes are deterministic: CreDtTm is the
batch's created_at, the transfers in payout order.
"""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import attrs
import xmlschema
from pyiso20022.pain import pain_001_001_09 as iso
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDate, XmlDateTime

from beasiswa.payments.batch import BatchFile

SCHEMA_FILE = Path(__file__).parent / "schemas" / "pain.001.001.09.xsd"
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CURRENCY = "IDR"


class SchemaInvalid(ValueError):
    """The file does not conform to ISO's pain.001.001.09 schema; the message names where and why."""


@attrs.frozen
class Sent:
    """One transfer as a pain.001 file states it."""

    end_to_end_id: str
    amount: int
    account_number: str
    holder: str
    bic: str
    remittance: str


def _account(number: str) -> iso.CashAccount38:
    return iso.CashAccount38(id=iso.AccountIdentification4Choice(othr=iso.GenericAccountIdentification1(id=number)))


def _agent(bic: str) -> iso.BranchAndFinancialInstitutionIdentification6:
    return iso.BranchAndFinancialInstitutionIdentification6(fin_instn_id=iso.FinancialInstitutionIdentification18(
        bicfi=bic))


def _created(stamp: str) -> XmlDateTime:
    """The stored UTC moment to the second, with its Z."""
    return XmlDateTime.from_string(stamp[:19] + "Z")


def document(batch: BatchFile) -> iso.Document:
    debtor = batch.debtor
    transactions = [
        iso.CreditTransferTransaction34(
            pmt_id=iso.PaymentIdentification6(instr_id=t.end_to_end_id, end_to_end_id=t.end_to_end_id),
            amt=iso.AmountType4Choice(instd_amt=iso.ActiveOrHistoricCurrencyAndAmount(value=Decimal(t.amount),
                                                                                      ccy=CURRENCY)),
            cdtr_agt=_agent(t.bank.bic),
            cdtr=iso.PartyIdentification135(nm=t.account_holder[:140]),
            cdtr_acct=_account(t.account_number),
            rmt_inf=iso.RemittanceInformation16(ustrd=[t.remittance]),
        )
        for t in batch.transfers]
    payment = iso.PaymentInstruction30(
        pmt_inf_id=batch.batch_id, pmt_mtd=iso.PaymentMethod3Code.TRF, nb_of_txs=str(batch.count),
        ctrl_sum=Decimal(batch.total), reqd_exctn_dt=iso.DateAndDateTime2Choice(
            dt=XmlDate(batch.value_date.year, batch.value_date.month, batch.value_date.day)),
        dbtr=iso.PartyIdentification135(nm=debtor.name), dbtr_acct=_account(debtor.account_number),
        dbtr_agt=_agent(debtor.bank.bic), chrg_br=iso.ChargeBearerType1Code.DEBT, cdt_trf_tx_inf=transactions)
    header = iso.GroupHeader85(msg_id=batch.batch_id, cre_dt_tm=_created(batch.created_at),
                               nb_of_txs=str(batch.count), ctrl_sum=Decimal(batch.total),
                               initg_pty=iso.PartyIdentification135(nm=debtor.name))
    return iso.Document(cstmr_cdt_trf_initn=iso.CustomerCreditTransferInitiationV09(grp_hdr=header,
                                                                                    pmt_inf=[payment]))


def write(batch: BatchFile) -> bytes:
    """The batch's pain.001.001.09 file, UTF-8, checked against the schema (SchemaInvalid if it is not valid)."""
    serializer = XmlSerializer(config=SerializerConfig(indent="  ", xml_declaration=True, encoding="UTF-8"))
    content = serializer.render(document(batch), ns_map={None: NAMESPACE}).encode("utf-8")
    if not content.endswith(b"\n"):
        content += b"\n"
    validate(content)
    return content


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


def validate(content: bytes) -> None:
    """Refuse (SchemaInvalid) a file that ISO's pain.001.001.09 schema does not accept."""
    error = next(iter(schema().iter_errors(content.decode("utf-8"))), None)
    if error is not None:
        raise SchemaInvalid(f"pain.001.001.09: {error.path}: {error.reason}")


def read(content: bytes) -> list[Sent]:
    """The transfers a pain.001.001.09 file states, parsed back through the same bindings."""
    parsed = XmlParser().from_bytes(content, iso.Document)
    return [Sent(tx.pmt_id.end_to_end_id, int(tx.amt.instd_amt.value), tx.cdtr_acct.id.othr.id, tx.cdtr.nm,
                 tx.cdtr_agt.fin_instn_id.bicfi, " ".join(tx.rmt_inf.ustrd))
            for payment in parsed.cstmr_cdt_trf_initn.pmt_inf for tx in payment.cdt_trf_tx_inf]
