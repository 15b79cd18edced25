"""Bank transfer files: `beasiswa payments export` (an office's posted payouts, not yet sent, one file per payee
bank, numbered per office per day) and the batches read back (`batches`, `show`, `verify`), each by a user whose
role and office allow it, audited as every change and every refusal is.

Exporting again with nothing new creates no batch and hands back the day's files as stored (the same bytes, the
same SHA-256). A payout whose claim has no account, or names a bank the table does not know, or an account
number that bank cannot have, is left out and named with the reason: it waits for the officer's correction and
goes in a later batch. Mixed into `Workflow` (service.py), whose `_run`, `_now`, `_refusing` and
`record_refusal` it uses.
"""

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

import attrs
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import NotAllowed, User, check, check_read, office_to_read
from beasiswa.access.trail import actor, audit
from beasiswa.banks import Bank, bank_for, check_account_number, masked_number
from beasiswa.model import Refusal
from beasiswa.payments import store
from beasiswa.payments.batch import BatchFile, TransferLine, batch_id, debtor_of, shows_accounts_whole
from beasiswa.payments.files import render
from beasiswa.payments.layouts import LayoutRefused
from beasiswa.payments.verify import Finding, file_findings, sha256, stored_findings

READ = "read"
VERIFY = "payments.verify"


@attrs.frozen
class Skipped:
    """A payout left out of the export, and why (Indonesian)."""

    payout_seq: int
    case_id: str
    claim_id: str
    amount: int
    reason: str


@attrs.frozen
class Exported:
    office: str
    day: dt.date
    new: tuple[str, ...]  # the batches this export created
    batches: tuple  # the office's batches of the day (rows with the file's bytes), newest first
    skipped: tuple[Skipped, ...]


def _line(row, bank: Bank) -> TransferLine:
    return TransferLine(row.seq, row.case_id, row.claim_id, row.child_id, row.office, row.level, row.academic_year,
                        int(row.amount), bank, row.account_number, row.account_holder)


def _resolved(row) -> TransferLine | Skipped:
    def skip(reason: str) -> Skipped:
        return Skipped(row.seq, row.case_id, row.claim_id, int(row.amount), reason)

    if not (row.account_bank and row.account_number and row.account_holder):
        return skip("klaim tanpa rekening tujuan (bank, nomor, pemilik)")
    bank = bank_for(row.account_bank)
    if bank is None:
        return skip(f"bank {row.account_bank!r} tidak dikenal dalam tabel bank")
    problem = check_account_number(bank, row.account_number)
    if problem is not None:
        return skip(problem)
    return _line(row, bank)


class Payments:
    def export_transfers(self, as_: str | None, office: str, today: dt.date, *, bank: str | None = None,
                         value_date: dt.date | None = None) -> Exported:
        """The office's posted payouts not yet in a batch, one new batch per payee bank (`bank`: that bank's
        only), dated `today` (the office's day, given by the edge), to be executed on `value_date` (today when
        not given; never earlier). Refusal otherwise, audited."""
        return self._refusing(as_, Action.EXPORT_TRANSFERS.value, f"office {office}",
                              lambda: self._export(as_, office, today, bank, value_date or today))

    def _export(self, as_, office: str, today: dt.date, bank_text: str | None, value_date: dt.date) -> Exported:
        only = None
        if bank_text is not None:
            only = bank_for(bank_text)
            if only is None:
                raise Refusal("UNKNOWN_BANK", f"--bank {bank_text!r}: bank tidak dikenal dalam tabel bank")
        if value_date < today:
            raise Refusal("VALUE_DATE", f"--value-date {value_date.isoformat()}: tanggal efektif tidak boleh "
                                        f"sebelum hari ini ({today.isoformat()})")
        debtor = debtor_of(office)

        def work(conn: Connection) -> Exported:
            user = actor(conn, as_)
            check(user, Action.EXPORT_TRANSFERS, office, f"kantor {office}")
            if debtor is None:
                raise Refusal("NO_DEBIT_ACCOUNT", f"kantor {office}: rekening sumber dana tidak tercatat "
                                                  f"(beasiswa/payments/data/debtors.toml)")
            store.lock_exports(conn)
            now = self._now()
            groups: dict[str, list[TransferLine]] = defaultdict(list)
            skipped = []
            for row in store.unbatched_payouts(conn, office):
                line = _resolved(row)
                if isinstance(line, Skipped):
                    skipped.append(line)
                elif only is None or line.bank.code == only.code:
                    groups[line.bank.code].append(line)
            new = []
            first = store.next_number(conn, office, today)
            for number, code in enumerate(sorted(groups), start=first):
                batch = BatchFile(batch_id(office, today, number), now, value_date, debtor, groups[code][0].bank,
                                  groups[code])
                try:
                    rendered = render(batch)
                except LayoutRefused as exc:
                    raise Refusal("LAYOUT", f"kelompok {batch.batch_id}: {exc}") from None
                digest = sha256(rendered.content)
                store.add_batch(conn, batch, rendered, today, number, digest, user.name)
                new.append({"batch_id": batch.batch_id, "bank": code, "file_name": rendered.file_name,
                            "sha256": digest, "count": batch.count, "total": batch.total})
            rows = store.batch_rows(conn, office=office, day=today, bank=only.code if only else None, content=True)
            audit(conn, [dict(at=now, actor=user.name, action=Action.EXPORT_TRANSFERS.value,
                              subject=f"office {office}", case_id=None, claim_id=None, before=None,
                              after={"day": today.isoformat(), "value_date": value_date.isoformat(), "new": new,
                                     "written": [{"batch_id": r.batch_id, "sha256": r.sha256} for r in rows],
                                     "skipped": [{"seq": s.payout_seq, "case_id": s.case_id,
                                                  "claim_id": s.claim_id, "reason": s.reason} for s in skipped]},
                              note=None)])
            return Exported(office, today, tuple(b["batch_id"] for b in new), tuple(rows), tuple(skipped))
        return self._run(work)

    # --------------------------------------------------------------------------------------------- reading
    def _reader(self, as_: str | None) -> User:
        user = self._run(lambda conn: actor(conn, as_))
        if not user.active:
            raise NotAllowed("INACTIVE", f"pengguna {user.describe()} sudah dinonaktifkan")
        return user

    def transfer_batches(self, as_: str | None, office: str | None = None) -> list:
        """The batches `as_` may read (an officer's or supervisor's own office's; the office asked, or every
        office, for auditors and admins), newest first, without their files' bytes."""
        def read():
            user = self._reader(as_)
            scope = office_to_read(user, office)
            return self._run(lambda conn: store.batch_rows(conn, office=scope))
        return self._refusing(as_, READ, "transfer batches", read)

    def transfer_batch(self, as_: str | None, batch_id_: str) -> tuple:
        """A batch (with its file), its transfers and whether the reader sees the accounts whole (officers and
        supervisors, `shows_accounts_whole`; else each number masked to its last four digits), for a user who may
        read its office; another office's is told as one that does not exist (BATCH_NOT_FOUND), the attempt audited."""
        user = self._refusing(as_, READ, f"transfer batch {batch_id_}", lambda: self._reader(as_))

        def read(conn):
            rows = store.batch_rows(conn, batch_id=batch_id_, content=True)
            return (rows[0], store.transfer_rows(conn, batch_id_)) if rows else None
        found = self._run(read)
        not_found = Refusal("BATCH_NOT_FOUND", f"kelompok transfer {batch_id_} tidak terdaftar")
        if found is None:
            self.record_refusal(as_, READ, f"transfer batch {batch_id_}", not_found)
            raise not_found
        try:
            check_read(user, found[0].office, f"kelompok transfer {batch_id_}")
        except NotAllowed as refusal:
            self.record_refusal(as_, READ, f"transfer batch {batch_id_}", refusal)
            raise not_found from None
        row, transfers = found
        whole = shows_accounts_whole(user.role.value)
        shown = [t if whole else SimpleNamespace(**{**t._mapping, "account_number": masked_number(t.account_number)})
                 for t in transfers]
        return row, shown, whole

    def verify_transfers(self, as_: str | None, files: list[tuple[str, bytes]] = ()) -> tuple[int, list[Finding]]:
        """Every batch the user may read: its stored file's SHA-256 against the recorded one, its count and
        total against its transfers'; and each file given against the batch it names. Audited with what was
        found. (batches checked, findings)."""
        def work(conn: Connection):
            user = actor(conn, as_)
            if not user.active:
                raise NotAllowed("INACTIVE", f"pengguna {user.describe()} sudah dinonaktifkan")
            rows = store.batch_rows(conn, office=office_to_read(user), content=True)
            sums = store.transfer_sums(conn)
            found = stored_findings(rows, sums) + file_findings(list(files), rows)
            audit(conn, [dict(at=self._now(), actor=user.name, action=VERIFY, subject="transfer batches",
                              case_id=None, claim_id=None, before=None,
                              after={"batches": len(rows), "files": [p for p, _ in files],
                                     "findings": [f"{f.batch_id}: {f.message}" for f in found]}, note=None)])
            return len(rows), found
        return self._refusing(as_, VERIFY, "transfer batches", lambda: self._run(work))
