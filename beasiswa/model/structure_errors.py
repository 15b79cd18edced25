"""cattrs' validation errors as one message per invalid field: `path: what is wrong`.

The case file, the law data and the letters' data are all read with a strict cattrs converter; each names a
missing or unknown field in its own words (Indonesian for case files, which officers read; English for the
data files, which developers edit), and all of them walk cattrs' errors the same way, here.
"""

from collections.abc import Callable

import attrs
import cattrs


def quoted(names) -> str:
    """Field names as a message lists them: 'a', 'b'."""
    return ", ".join(repr(name) for name in names)


@attrs.frozen
class Wording:
    """How one reader is told what is wrong with a field; a value's own error says it in its own words."""

    missing: str  # a required field is absent
    unknown: Callable[[list[str]], str]  # fields the shape does not have, sorted
    other: Callable[[BaseException], str] = str  # an error that is neither a ValueError nor a TypeError

    def describe(self, exc: BaseException, _type=None) -> str:
        if isinstance(exc, KeyError):
            return self.missing
        if isinstance(exc, cattrs.ForbiddenExtraKeysError):
            return self.unknown(sorted(exc.extra_fields))
        if isinstance(exc, (ValueError, TypeError)):
            return str(exc)
        return self.other(exc)


def field_errors(exc: cattrs.BaseValidationError, wording: Wording, root: str = "") -> list[tuple[str, str]]:
    """(field path, what is wrong) for every invalid field. The path starts with `root`, and is
    `children[0].name` under an empty root; "" where the value as a whole is wrong."""
    out = []
    for message in cattrs.transform_error(exc, path=root, format_exception=wording.describe):
        what, _, path = message.rpartition(" @ ")
        out.append((path.removeprefix("."), what))
    return out
