"""The checked path's steps: the locks a posting takes, in their one order, and the rules it checks on the rows
it holds locked (never a SUM taken before an insert). The database's constraints and triggers check again.

Lock order, always: the family's running-total row (`lock_family`), then the child's level-group row
(`lock_child`, from `check_payout`), then the journal's head (`beasiswa.ledger.posting.Ledger._append`). The
limits compared are the rules' own predicates (`beasiswa.rules`), on the ledger's running totals.
"""

from typing import NamedTuple

from sqlalchemy.engine import Connection

from beasiswa.db.engine import is_postgres
from beasiswa.indonesian import format_rupiah
from beasiswa.law import LevelGroup, Scheme, Stage
from beasiswa.ledger.entries import REQUEST_FIELDS, Entry, Posted
from beasiswa.ledger.statements import BY_KEY, CHILD, CHILD_FOR_UPDATE, FAMILY, FAMILY_FOR_UPDATE, KEY_SEQ
from beasiswa.model import Code, Level, Refusal
from beasiswa.rules.level import within_allowance
from beasiswa.rules.money import within_cap


class Family(NamedTuple):
    case_id: str
    scheme_id: str
    cap: int
    paid: int
    office: str
    key_seq: int | None  # the entry already posted under the request's key


def check_actors(maker: str, approver: str) -> None:
    """Two people, both named (compared ignoring case and surrounding spaces)."""
    if not maker.strip() or not approver.strip():
        raise Refusal("ACTOR_MISSING", f"maker {maker!r} dan approver {approver!r} harus sama-sama disebut",
                      maker=maker, approver=approver)
    if maker.strip().casefold() == approver.strip().casefold():
        raise Refusal("MAKER_IS_APPROVER", f"maker dan approver sama-sama {maker!r}; satu posting perlu dua "
                      f"orang", maker=maker, approver=approver)


def lock_family(conn: Connection, case_id: str, key: str | None = None) -> Family:
    """The family's running-total row, locked: the first lock of every posting; with it, the seq of the
    entry already posted under `key` (`key_seq`), when a key is given."""
    row = conn.execute(FAMILY_FOR_UPDATE if is_postgres(conn) else FAMILY, {"case_id": case_id}).one_or_none()
    if row is None:
        raise Refusal("CASE_NOT_REGISTERED", f"kasus {case_id!r} tidak terdaftar di buku besar",
                      case_id=case_id)
    key_seq = conn.execute(KEY_SEQ, {"key": key}).scalar() if key is not None else None
    return Family(*row, key_seq)


def lock_child(conn: Connection, request: dict, stage_levels: list[str] = ()):
    """The child's level-group row, locked: always after the family's; with it, the payout holding the
    request's academic year (`held_seq`), if any, and the years paid at `stage_levels` (`stage_used`)."""
    query = CHILD_FOR_UPDATE if is_postgres(conn) else CHILD
    return conn.execute(query, {"case_id": request["case_id"], "child_id": request["child_id"],
                                "level_group": request["level_group"], "year": request["academic_year"],
                                "stage_levels": list(stage_levels)}).one_or_none()


def replay(conn: Connection, request: dict, key_seq: int | None) -> Posted | None:
    """The entry first posted under the request's key (None: the key is new); refused if its payload differs."""
    if key_seq is None:
        return None
    row = conn.execute(BY_KEY, {"key": request["idempotency_key"]}).one()
    first = Entry.from_row(row)
    differs = [f"{name} {getattr(first, name)!r} → {request[name]!r}" for name in REQUEST_FIELDS
               if getattr(first, name) != request[name]]
    if differs:
        raise Refusal("IDEMPOTENCY_KEY_REUSED",
                      f"kunci {request['idempotency_key']!r} sudah dipakai untuk seq {first.seq} dengan isi lain "
                      f"({'; '.join(differs)})", key=request["idempotency_key"], seq=first.seq)
    return Posted(first, replayed=True)


def check_payout(conn: Connection, family: Family, scheme: Scheme, request: dict, where: str) -> None:
    """A payout's rules on the rows locked: a positive amount, a registered child, its year not held, the level
    group's and the stage's years left, the family's cap. Takes the child's lock."""
    case_id, child_id, year = request["case_id"], request["child_id"], request["academic_year"]
    amount = request["amount"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise Refusal("AMOUNT_NOT_POSITIVE", f"{where}: amount {amount!r} bukan jumlah rupiah bulat "
                      f"positif", amount=amount)
    group = scheme.level_group_by_id(request["level_group"])
    stage = group.stage_of(Level(request["level"]))
    usage = lock_child(conn, request, sorted(lv.value for lv in stage.levels) if stage else ())
    if usage is None:
        raise Refusal("CHILD_NOT_REGISTERED", f"{where}: kasus {case_id} tidak punya anak {child_id!r} dengan "
                      f"kelompok jenjang {request['level_group']}", case_id=case_id, child_id=child_id)
    held = usage.held_seq
    if held is not None:
        raise Refusal(Code.ALREADY_CLAIMED, f"{where}: anak {child_id} dari kasus {case_id} sudah punya payout "
                      f"seq {held} untuk {year}", case_id=case_id, child_id=child_id, academic_year=year,
                      seq=held)
    refusal = (years_exhausted(where, case_id, child_id, group, usage.years_used, usage.allowance)
               or (stage is not None and years_exhausted(where, case_id, child_id, group, usage.stage_used,
                                                         stage.years.value, stage))
               or family_cap_reached(where, case_id, family.paid, family.cap, amount))
    if refusal:
        raise refusal


# The refusals a payout's limits give, posted one by one (`check_payout`) or imported as a case's history
# (`beasiswa.ledger.importer.history_refusal`): each None where the limit holds.
def years_exhausted(where: str, case_id: str, child_id: str, group: LevelGroup, used: int, allowance: int | None,
                    stage: Stage | None = None) -> Refusal | None:
    """LEVEL_YEARS_EXHAUSTED: one more year at a level group, or at its `stage`, with `used` paid there already,
    would pass its allowance (None: the scheme counts no years there)."""
    if within_allowance(used + 1, allowance):
        return None
    if stage is None:
        return Refusal(Code.LEVEL_YEARS_EXHAUSTED, f"{where}: anak {child_id} sudah memakai {used} dari {allowance} "
                       f"tahun {group.name}", case_id=case_id, child_id=child_id, level_group=group.id,
                       years_used=used, allowance=allowance)
    return Refusal(Code.LEVEL_YEARS_EXHAUSTED, f"{where}: anak {child_id} sudah memakai {used} dari {allowance} "
                   f"tahun {stage.name}", case_id=case_id, child_id=child_id, level_group=group.id,
                   stage=stage.id, years_used=used, allowance=allowance)


def family_cap_reached(where: str, case_id: str, paid: int, cap: int, amount: int) -> Refusal | None:
    """FAMILY_CAP_REACHED: `amount` on top of what the family was paid would pass its cap."""
    if within_cap(paid + amount, cap):
        return None
    return Refusal(Code.FAMILY_CAP_REACHED,
                   f"{where}: kasus {case_id} sudah dibayar {format_rupiah(paid)} dari batasnya "
                   f"{format_rupiah(cap)}; {format_rupiah(amount)} akan melampauinya (sisa "
                   f"{format_rupiah(cap - paid)})", case_id=case_id, paid=paid, cap=cap, amount=amount)
