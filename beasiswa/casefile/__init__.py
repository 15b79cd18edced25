"""The case file (shared/case-format.md): strict JSON in, contract JSON out.

Reading is strict: an unknown field, a value of the wrong type, an unknown code, a bad date or identifier,
a claim naming an unknown child is a `CaseFileError` whose message names the field path and the value
(`claims[0].level: 'SMU' is not a school level (...)`). Nothing is guessed or coerced.

Input is also bounded, as other systems write it: a field given twice in one object, text longer than
`MAX_TEXT`, a control or invisible format character, an id outside its pattern (`CASE_ID`, `OFFICE`,
`LOCAL_ID`), a number of months or an amount no life or payout reaches, a child born after its claim, an event
after a claim, and (given today, from the edge) a payout in `history` for an academic year not yet begun: each
is refused naming the field. Text is kept NFC-normalised, so one name is stored one way.
"""


from beasiswa.casefile.convert import (
    CASE_FORMAT,
    CASE_ID,
    CASE_ID_MAX,
    CONVERTER,
    DECISION_FORMAT,
    LOCAL_ID,
    LOCAL_ID_MAX,
    MAX_TEXT,
    OFFICE,
    OFFICE_MAX,
    case_to_json,
    decision_to_json,
    text_problem,
)
from beasiswa.casefile.errors import CaseFileError, shown
from beasiswa.casefile.json_text import dumps, dumps_line, loads
from beasiswa.casefile.checks import account_problems
from beasiswa.casefile.read import parse_account, parse_case, read_case

__all__ = ["CASE_FORMAT", "CASE_ID", "CASE_ID_MAX", "CONVERTER", "DECISION_FORMAT", "LOCAL_ID", "LOCAL_ID_MAX",
           "MAX_TEXT", "OFFICE", "OFFICE_MAX", "CaseFileError", "account_problems", "case_to_json", "decision_to_json",
           "dumps", "dumps_line", "loads", "parse_account", "parse_case", "read_case", "shown", "text_problem"]
