"""Alembic migrations of the ledger database, run by `beasiswa db upgrade` (beasiswa.db.migrate)."""
