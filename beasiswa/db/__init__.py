"""Persistence: where the database is, how every connection is set up, the tables and their migrations.

The tables (`beasiswa.db.tables`) are created and changed only by the Alembic migrations shipped in
`beasiswa/migrations/` (`beasiswa db upgrade`); the posting rules live in `beasiswa.ledger`. On PostgreSQL the
upgrade runs as the tables' owner and grants the application role only `beasiswa.db.roles.POLICY`.
"""

from beasiswa.db.engine import DEFAULT_URL, ENV_VAR, database_url, make_engine, redact, sqlite_file
from beasiswa.db.migrate import head_revision, current_revision, upgrade

__all__ = ["DEFAULT_URL", "ENV_VAR", "current_revision", "database_url", "head_revision", "make_engine",
           "redact", "sqlite_file", "upgrade"]
