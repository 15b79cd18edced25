"""What a registered case has used and has left: per child the years paid per level group (with the TK and
SD stages inside TK–SD) and the money paid against the per-child cap; per family the cap, paid and remaining.

Read from the ledger, never from the case file: years from the running totals (`level_usage`) and the
unreversed payouts (`paid_years`), money from the journal (net of reversals) and `family_totals`; the limits
from the law data of the case's scheme. `read_entitlement` is the query, `entitlement_of` the pure part.
"""

import datetime as dt
from collections import defaultdict

import attrs
from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.engine import Engine

from beasiswa.db.tables import cases, children, family_totals, journal, level_usage, paid_years
from beasiswa.law import Law, Scheme
from beasiswa.model import Level


class UnknownCase(LookupError):
    """The case is not registered in the ledger; the message names it."""


@attrs.frozen
class StageUse:
    stage_id: str
    name: str
    allowance: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.allowance - self.used, 0)


@attrs.frozen
class GroupUse:
    group_id: str
    name: str
    allowance: int | None  # None: the scheme counts no years here (PP 44/2015's lump sum)
    used: int
    years: tuple[str, ...]  # the academic years paid (unreversed), in order
    stages: tuple[StageUse, ...] = ()

    @property
    def remaining(self) -> int | None:
        return None if self.allowance is None else max(self.allowance - self.used, 0)


@attrs.frozen
class ChildEntitlement:
    child_id: str
    name: str
    birth_date: dt.date
    paid: int
    cap: int | None  # None: the scheme has no per-child maximum (PP 44/2015's lump sum is per family)
    groups: tuple[GroupUse, ...]

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.paid, 0)

    @property
    def beneficiary(self) -> bool:
        return any(g.used for g in self.groups)


@attrs.frozen
class CaseEntitlement:
    case_id: str
    office: str
    scheme_id: str
    scheme_name: str
    cap: int
    paid: int
    children_limit: int
    children: tuple[ChildEntitlement, ...]

    @property
    def remaining(self) -> int:
        return max(self.cap - self.paid, 0)

    @property
    def beneficiaries(self) -> tuple[str, ...]:
        return tuple(c.child_id for c in self.children if c.beneficiary)


@attrs.frozen
class LedgerState:
    """The rows of one case the entitlement is computed from."""

    case_id: str
    office: str
    scheme_id: str
    family_paid: int
    children: tuple[tuple[str, str, dt.date], ...]  # (child_id, name, birth_date) in registration order
    years_used: dict[tuple[str, str], int]  # (child_id, level_group) → level_usage.years_used
    paid_years: tuple[tuple[str, str, str, str], ...]  # (child_id, level_group, level, academic_year)
    child_paid: dict[str, int]  # child_id → net of the journal


def entitlement_of(state: LedgerState, scheme: Scheme) -> CaseEntitlement:
    years_by: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for child_id, group_id, level, year in sorted(state.paid_years, key=lambda r: (r[0], r[3])):
        years_by[(child_id, group_id)].append((year, level))
    result = []
    for child_id, name, born in state.children:
        groups = []
        for group in scheme.level_groups:
            paid = years_by.get((child_id, group.id), [])
            stages = tuple(StageUse(s.id, s.name, s.years.value,
                                    sum(1 for _, level in paid if Level(level) in s.levels))
                           for s in group.stages)
            groups.append(GroupUse(group.id, group.name, group.years.value if group.years else None,
                                   state.years_used.get((child_id, group.id), 0),
                                   tuple(year for year, _ in paid), stages))
        result.append(ChildEntitlement(child_id, name, born, state.child_paid.get(child_id, 0),
                                       scheme.child_cap.value if scheme.child_cap else None, tuple(groups)))
    return CaseEntitlement(state.case_id, state.office, scheme.id, scheme.name, scheme.family_cap.value,
                           state.family_paid, scheme.children_limit.value, tuple(result))


def read_state(engine: Engine, case_id: str) -> LedgerState:
    """One case's rows, read in one transaction."""
    with engine.connect() as conn:
        head = conn.execute(select(cases.c.office, family_totals.c.scheme_id, family_totals.c.paid)
                            .join(family_totals, family_totals.c.case_id == cases.c.case_id)
                            .where(cases.c.case_id == case_id)).one_or_none()
        if head is None:
            raise UnknownCase(f"ID_KASUS: {case_id!r} tidak terdaftar di buku besar")
        kids = conn.execute(select(children.c.child_id, children.c.name, children.c.birth_date)
                            .where(children.c.case_id == case_id)).all()
        usage = conn.execute(select(level_usage.c.child_id, level_usage.c.level_group, level_usage.c.years_used)
                             .where(level_usage.c.case_id == case_id)).all()
        years = conn.execute(select(paid_years.c.child_id, paid_years.c.level_group, paid_years.c.level,
                                    paid_years.c.academic_year).where(paid_years.c.case_id == case_id)).all()
        money = conn.execute(select(journal.c.child_id, cast(func.sum(journal.c.amount), BigInteger))
                             .where(journal.c.case_id == case_id).group_by(journal.c.child_id)).all()
    return LedgerState(
        case_id=case_id, office=head.office, scheme_id=head.scheme_id, family_paid=int(head.paid),
        children=tuple(sorted(((k.child_id, k.name, k.birth_date) for k in kids), key=_child_order)),
        years_used={(u.child_id, u.level_group): u.years_used for u in usage},
        paid_years=tuple(tuple(y) for y in years),
        child_paid={child_id: int(total or 0) for child_id, total in money})


def _child_order(child: tuple[str, str, dt.date]):
    return (child[2], child[0])  # eldest first, as a family card lists them


def read_entitlement(engine: Engine, case_id: str, law: Law) -> CaseEntitlement:
    state = read_state(engine, case_id)
    return entitlement_of(state, law.scheme(state.scheme_id))


# ------------------------------------------------------------------------------------------- the edge
def to_json(e: CaseEntitlement) -> dict:
    return {
        "case_id": e.case_id, "office": e.office, "scheme": e.scheme_id,
        "family": {"cap": e.cap, "paid": e.paid, "remaining": e.remaining,
                   "children_limit": e.children_limit, "beneficiaries": list(e.beneficiaries)},
        "children": [{
            "child": c.child_id, "name": c.name, "birth_date": c.birth_date.isoformat(),
            "cap": c.cap, "paid": c.paid, "remaining": c.remaining,
            "level_groups": [{
                "level_group": g.group_id, "allowance": g.allowance, "used": g.used, "remaining": g.remaining,
                "years": list(g.years),
                "stages": [{"stage": s.stage_id, "allowance": s.allowance, "used": s.used,
                            "remaining": s.remaining} for s in g.stages],
            } for g in c.groups],
        } for c in e.children],
    }
