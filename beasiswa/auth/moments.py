"""Moments as the tables write them (`beasiswa.db.uow.timestamp`: UTC, ISO 8601, microseconds, a Z) and back.

The sign-in code compares moments in Python (idle, absolute expiry, lockout): reading the stored text back into
an aware datetime here keeps every comparison exact to the microsecond on SQLite and PostgreSQL alike.
"""

import datetime as dt

from beasiswa.db.uow import timestamp

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def moment(text: str) -> dt.datetime:
    """The aware UTC datetime of a stored timestamp."""
    return dt.datetime.strptime(text, _FORMAT).replace(tzinfo=dt.timezone.utc)


def stamped(now: dt.datetime | str) -> str:
    """`now` as the tables write it; a string is taken as already written so (and checked)."""
    return timestamp(moment(now) if isinstance(now, str) else now)
