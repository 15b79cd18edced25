"""Running the migrations shipped in `beasiswa/migrations/` programmatically (`beasiswa db upgrade`).

No alembic.ini is needed: the configuration is built here and the open connection is handed to the
migration environment, so the migrations run with the same connection set-up as the application.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from beasiswa.db.roles import Granted, grant

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to `revision`; returns the revision it is at afterwards."""
    with engine.connect() as connection:
        command.upgrade(_config(connection), revision)
        connection.commit()
    return current_revision(engine)


def upgrade_and_grant(engine: Engine, app_role: str) -> tuple[str, Granted | None]:
    """`upgrade` to head; then, on PostgreSQL, `beasiswa.db.roles.grant` the application role its privileges
    in the same transaction, so a refusal (RolesRefused) keeps nothing of either. On SQLite: no roles, None."""
    granted = None
    with engine.begin() as connection:  # begun here, so Alembic runs inside it and does not commit on its own
        command.upgrade(_config(connection), "head")
        if connection.dialect.name == "postgresql":
            granted = grant(connection, app_role)
    return current_revision(engine), granted


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()
