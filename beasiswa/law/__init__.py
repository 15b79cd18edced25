"""The regulation as data: schemes with cited, dated values, and the project's named interpretations."""

from beasiswa.law.load import LawError, load_law, default_law
from beasiswa.law.schema import (
    Benefit,
    Cited,
    Confidence,
    DatedScheme,
    InForce,
    Interpretation,
    Law,
    LevelGroup,
    MinimumAge,
    NoSchemeInForce,
    Scheme,
    Stage,
)

__all__ = [
    "Benefit", "Cited", "Confidence", "DatedScheme", "InForce", "Interpretation", "Law", "LawError", "LevelGroup", "MinimumAge", "NoSchemeInForce",
    "Scheme", "Stage", "default_law", "load_law",
]
