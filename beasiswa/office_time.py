"""Times as an office reads them. The database stores every moment in UTC (ISO 8601 with a Z); what an officer
reads is the moment on the clock of the office the case belongs to: WIB (Asia/Jakarta), WITA (Asia/Makassar) or
WIT (Asia/Jayapura), as the office data says (`time_zone` in beasiswa/letters/data/offices.toml). An office the
data does not name (the head office KP, say) reads UTC, labelled so: a time is never shown on a guessed clock.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from beasiswa.indonesian import format_date
from beasiswa.letters.settings import default_settings

UTC = dt.timezone.utc


@lru_cache(maxsize=64)
def office_zone(office: str | None) -> dt.tzinfo:
    """The office's time zone from the office data; UTC for an office it does not name."""
    known = default_settings().offices.get(office or "")
    return ZoneInfo(known.time_zone) if known is not None else UTC


def parse_stamp(stamp: str) -> dt.datetime:
    """A stored timestamp ('2026-11-24T07:05:12.345678Z') as an aware UTC datetime."""
    moment = dt.datetime.fromisoformat(stamp)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local(stamp: str, office: str | None) -> dt.datetime:
    """The stored UTC moment on the office's clock."""
    return parse_stamp(stamp).astimezone(office_zone(office))


@lru_cache(maxsize=4096)
def format_moment(stamp: str | None, office: str | None, time: bool = True) -> str:
    """'24 November 2026 14.05 WIB' (or the office's date alone) from the stored UTC timestamp; '-' for none.
    Kept for the same arguments (as `office_zone` is): a queue's first pages show the same claims to many."""
    if not stamp:
        return "-"
    moment = local(stamp, office)
    day = format_date(moment.date())
    return f"{day} {moment:%H.%M} {moment.tzname()}" if time else day
