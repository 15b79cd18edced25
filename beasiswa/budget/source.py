"""What the forecast starts from: every registered case and the amounts of its claims approved (the decision in
force), read in one consistent snapshot. Reads only."""

from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.budget.projection import Held
from beasiswa.casefile import loads, parse_case
from beasiswa.db.tables import cases, claims
from beasiswa.model import Outcome


def held_cases(engine: Engine, office: str | None = None) -> list[Held]:
    """The cases (of one office, or all) with their approved claims' amounts, in case id order."""
    case_query = select(cases.c.case_id, cases.c.case_file).order_by(cases.c.case_id)
    claim_query = (select(claims.c.case_id, claims.c.claim_id, claims.c.amount)
                   .where(claims.c.outcome == Outcome.APPROVED.value))
    if office is not None:
        case_query = case_query.where(cases.c.office == office)
        claim_query = claim_query.where(claims.c.case_id.in_(select(cases.c.case_id).where(cases.c.office == office)))
    with engine.connect() as conn, conn.begin():
        approved: dict[str, dict[str, int]] = {}
        for row in conn.execute(claim_query):
            approved.setdefault(row.case_id, {})[row.claim_id] = row.amount
        return [Held(parse_case(loads(row.case_file), accounts=False), approved.get(row.case_id, {}))
                for row in conn.execute(case_query)]
