"""Alembic environment: runs on the connection `beasiswa.db.migrate` hands over (online mode only)."""

from alembic import context

from beasiswa.db.tables import SQLModel

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `beasiswa db upgrade` (beasiswa.db.migrate.upgrade)")

context.configure(connection=connection, target_metadata=SQLModel.metadata)
with context.begin_transaction():
    context.run_migrations()
