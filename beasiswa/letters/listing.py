"""The letter register as a list an officer or an auditor reads: filtered by office, kind, date and a text
(a letter number, a case id or part of one), newest first, a page at a time.

Reading only. The office is a filter here; who may read which office's letters is the caller's (the web
application scopes officers and supervisors to their own office on the server).
"""

import datetime as dt
import json

import attrs
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from beasiswa.db.letter_tables import letters
from beasiswa.letters.register import _REGISTER, Registered  # the register's own query, its PDF's digest joined

MAX_TEXT = 60


@attrs.frozen
class LetterFilter:
    office: str | None = None
    kind: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""

    def where(self) -> list:
        found = []
        if self.office:
            found.append(letters.c.office == self.office)
        if self.kind:
            found.append(letters.c.kind == self.kind)
        if self.since:
            found.append(letters.c.letter_date >= self.since)
        if self.until:
            found.append(letters.c.letter_date <= self.until)
        text = self.text.strip()[:MAX_TEXT]
        if text:
            like = f"%{text.upper()}%"
            found.append(or_(func.upper(letters.c.number).like(like), func.upper(letters.c.case_id).like(like)))
        return found


@attrs.frozen
class ListedLetter:
    """A register row with the child it is about (from its canonical data) and whether its PDF was recorded."""

    entry: Registered
    child_name: str

    @property
    def rendered(self) -> bool:
        return self.entry.pdf_sha256 is not None


def child_name(entry: Registered) -> str:
    try:
        return str((json.loads(entry.data).get("child") or {}).get("name") or "")
    except (ValueError, AttributeError):
        return ""


def count_letters(engine: Engine, where: LetterFilter) -> int:
    query = select(func.count()).select_from(letters).where(and_(True, *where.where()))
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def list_letters(engine: Engine, where: LetterFilter, *, limit: int = 50, offset: int = 0) -> list[ListedLetter]:
    """A page of the register, newest first (date, then number within an office's year)."""
    query = (_REGISTER.where(and_(True, *where.where()))
             .order_by(letters.c.letter_date.desc(), letters.c.office, letters.c.year.desc(),
                       letters.c.sequence.desc())
             .limit(limit).offset(offset))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [ListedLetter(entry, child_name(entry)) for entry in map(Registered.from_row, rows)]

