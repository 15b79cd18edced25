"""The two questions as the shells ask them: from a database, next year's forecast, and a reform's what-if."""

from collections.abc import Sequence

import attrs
from sqlalchemy.engine import Engine

from beasiswa.budget.assumptions import Assumptions, load_assumptions
from beasiswa.budget.projection import Held, ProjectedCase, project
from beasiswa.budget.source import held_cases
from beasiswa.budget.tally import Forecast, WhatIf, compare, decide_projected, summarise
from beasiswa.law import Law
from beasiswa.law.reform import Reform, apply_reform
from beasiswa.model import AcademicYear


@attrs.frozen
class Question:
    year: AcademicYear
    cases: int  # registered cases read
    projected: list[ProjectedCase]


def age_limit(laws: Sequence[Law], year: AcademicYear) -> int:
    """The highest age limit any of the laws applies in `year`: children below it are projected."""
    return max(d.on(law.year_span(year)[0]).age_limit_years.value for law in laws for d in law.dated)


def projected_from(held: list[Held], year: AcademicYear, laws: Sequence[Law],
                   assumptions: Assumptions | None = None) -> Question:
    assumptions = assumptions or load_assumptions()
    return Question(year, len(held), project(held, year, laws[0], assumptions, age_limit(laws, year)))


def forecast(engine: Engine, year: AcademicYear, law: Law, office: str | None = None) -> tuple[Question, Forecast]:
    """Next year's forecast, of one office's cases or (None) of all."""
    question = projected_from(held_cases(engine, office), year, [law])
    return question, summarise(decide_projected(question.projected, law))


def whatif(engine: Engine, year: AcademicYear, law: Law, reform: Reform, source: str = "",
           office: str | None = None) -> tuple[Question, WhatIf]:
    """A reform's what-if, of one office's cases or (None) of all. Raises LawError (naming the reform's file,
    parameter and date) for a reform the law refuses."""
    reformed = apply_reform(law, reform, source)
    question = projected_from(held_cases(engine, office), year, [law, reformed])
    return question, compare(question.projected, law, reformed)
