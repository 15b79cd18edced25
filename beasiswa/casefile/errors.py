"""What a refused case file raises, and how a value is quoted in its message."""

from typing import Any


class CaseFileError(ValueError):
    """A case file that is not valid: nothing in it is decided. The message names the field and the value."""



def shown(value: Any) -> str:
    """A value for an error message: its repr, cut short, so a 10 MB field does not become a 10 MB message."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}… ({len(value) if isinstance(value, str) else len(text)} " \
                                          f"karakter)"
