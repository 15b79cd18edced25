"""The unit of work: one transaction on an engine, retried whole while the database says "try again", and the
clock its writes are stamped with.

The application services (the ledger, the workflow, the letter register) open their transactions here and
nowhere else: `UnitOfWork.run(work)` calls `work(conn)` inside `engine.begin()`; a serialization failure, a
deadlock or a lock time-out (SQLite: the database locked or busy) rolls the attempt back and runs `work` again
on a fresh transaction, after a short random pause. What else is retried, what a final failure becomes and
what an error that is not retried becomes is the caller's `RetryPolicy`: the ledger also retries a lost race
for an idempotency key and names a database refusal; the letter register does neither. `work` must therefore
be safe to run again: it reads what it needs inside the transaction it is given.

`utc_now` is the clock an application reads unless a test gives another; `timestamp` is how every table
writes a moment (UTC, ISO 8601 with microseconds and a Z).
"""

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

import attrs
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
MAX_ATTEMPTS = 25

T = TypeVar("T")
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def timestamp(moment: dt.datetime) -> str:
    """UTC, ISO 8601 with microseconds and a Z, as every table writes it."""
    if moment.tzinfo is None:
        raise ValueError(f"clock: {moment!r} has no time zone")
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def contended(exc: DBAPIError) -> bool:
    """Whether the database refused the attempt only because another transaction was in the way."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig)
        return "locked" in text or "busy" in text
    return False


def _never(_exc: DBAPIError) -> bool:
    return False


def _as_raised(_exc: DBAPIError) -> Exception | None:
    return None


def _backoff(attempt: int) -> float:
    return min(0.5, 0.005 * 2 ** min(attempt, 7)) * random.random()


@attrs.frozen
class RetryPolicy:
    """What a unit of work retries and what its failures become.

    - `also_retry(exc)`: errors retried besides contention (`contended`);
    - `not_retried(exc)`: the exception to raise instead of an error that is not retried (None: the error);
    - `gave_up(exc, attempts)`: the exception to raise when contention outlasted every attempt (None: the
      error itself).
    """

    max_attempts: int = MAX_ATTEMPTS
    also_retry: Callable[[DBAPIError], bool] = _never
    not_retried: Callable[[DBAPIError], Exception | None] = _as_raised
    gave_up: Callable[[DBAPIError, int], Exception | None] = lambda _exc, _attempts: None
    pause: Callable[[int], float] = _backoff

    def retryable(self, exc: DBAPIError) -> bool:
        return contended(exc) or self.also_retry(exc)


class UnitOfWork:
    """Transactions on one engine, each run whole and retried by `policy`; `clock` is what its writes read."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now, policy: RetryPolicy = RetryPolicy()):
        self.engine = engine
        self.clock = clock
        self.policy = policy
        self.retries = 0  # attempts rolled back and run again so far, for the curious (tests, bench)

    def now(self) -> str:
        """The clock's moment, as the tables write it."""
        return timestamp(self.clock())

    def run(self, work: Callable[[Connection], T]) -> T:
        """`work(conn)` in one transaction, committed when it returns; run again on a fresh transaction while
        the policy retries what the database raised."""
        policy = self.policy
        for attempt in range(1, policy.max_attempts + 1):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if not policy.retryable(exc):
                    instead = policy.not_retried(exc)
                    if instead is None:
                        raise
                    raise instead from exc
                if attempt == policy.max_attempts:
                    instead = policy.gave_up(exc, attempt)
                    if instead is None:
                        raise
                    raise instead from exc
                self.retries += 1
                time.sleep(policy.pause(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

