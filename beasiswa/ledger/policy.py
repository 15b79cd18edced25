"""What the ledger's unit of work retries, and what a database error becomes (`retry_policy`).

Serialization failures, deadlocks and lock time-outs roll back and are retried with the same key; so is a lost
race for an idempotency key (the next attempt finds the winner's row and replays or refuses). They never become
a business refusal; contention through every attempt is `LedgerBusy`. Any other integrity error is the
database naming a rule (a trigger's code or a constraint's name, `database_rule`): a `Refusal` with that code.
"""

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from beasiswa.db.uow import MAX_ATTEMPTS, RetryPolicy
from beasiswa.ledger.errors import LedgerBusy, database_rule
from beasiswa.model import Refusal


def retry_policy(max_attempts: int = MAX_ATTEMPTS) -> RetryPolicy:
    return RetryPolicy(max_attempts=max_attempts, also_retry=_lost_race, not_retried=refusal_from_database,
                       gave_up=_busy)


def _lost_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        # Another writer posted the same key (or, behind the service's back, the same seq) first: the next
        # attempt finds its row and replays or refuses with the rule named.
        text = str(exc.orig)
        return ("idempotency_key" in text or "journal.seq" in text or "journal_pkey" in text)
    return False


def _busy(exc: DBAPIError, attempts: int) -> LedgerBusy:
    return LedgerBusy(f"gave up after {attempts} attempts: {exc.orig}")


def refusal_from_database(exc: DBAPIError) -> Refusal | None:
    """The rule an integrity error names, as a refusal; None for any other error (raised as it is)."""
    if not isinstance(exc, IntegrityError):
        return None
    message = str(exc.orig).strip().splitlines()[0]
    code = database_rule(message) or "REFUSED_BY_DATABASE"
    return Refusal(code, f"ditolak oleh basis data: {message}", database_message=message)


def as_refusal(exc: Refusal | IntegrityError) -> Refusal:
    """A refusal as it is, an integrity error as the refusal naming its rule (a savepoint's, caught by the
    caller rather than by the unit of work)."""
    return exc if isinstance(exc, Refusal) else refusal_from_database(exc)


def from_driver(conn: Connection, exc: Exception, statement: str) -> DBAPIError:
    """A driver's exception, wrapped as SQLAlchemy wraps it (IntegrityError, OperationalError, ...), so the
    retry and the naming of a database refusal treat it alike."""
    return DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)
