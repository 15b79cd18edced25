"""`beasiswa db upgrade`: the database made, or brought to the latest revision, and on PostgreSQL the
application role given what it needs and no more (beasiswa.db.roles).

Exit status: 0 done; 2 bad input or a refusal of the roles (nothing upgraded).
"""

import typer

from beasiswa.cli.console import fail
from beasiswa.cli.database import open_database
from beasiswa.cli.options import DB_OPTION

db_app = typer.Typer(no_args_is_help=True, help="Basis data: membuat atau memperbaruinya ke revisi terbaru.")


@db_app.command("upgrade")
def upgrade_command(
    db: str = DB_OPTION,
    app_role: str = typer.Option(None, "--app-role", metavar="NAME",
                                 help="PostgreSQL: peran yang dipakai setiap perintah lain untuk tersambung (bawaan "
                                      "beasiswa_app), dibuat bila belum ada dan hanya diberi hak yang diperlukan "
                                      "aplikasi; --db menyebut pemilik, yang menjalankan migrasi. SQLite: diabaikan."),
) -> None:
    """Membuat tabel, atau membawanya ke revisi terbaru (migrasi Alembic); pada PostgreSQL, lalu hak peran
    aplikasi (beasiswa.db.roles)."""
    # lazy: SQLAlchemy and Alembic, which `beasiswa decide` starts without
    from beasiswa.db import database_url, redact
    from beasiswa.db.migrate import upgrade_and_grant
    from beasiswa.db.roles import APP_ROLE, RolesRefused, check_role_name

    role = APP_ROLE if app_role is None else app_role
    try:
        check_role_name(role)
    except RolesRefused as exc:
        fail(str(exc))
    made = open_database(db, migrated=False)
    try:
        revision, granted = upgrade_and_grant(made, role)
    except RolesRefused as exc:
        fail(f"basis data {redact(database_url(db))}: tidak ada yang diperbarui: {exc}")
    typer.echo(f"basis data {redact(database_url(db))}: pada revisi {revision} (terbaru)")
    if granted is not None:
        typer.echo(f"peran aplikasi {granted.role}{' (dibuat)' if granted.created else ''}, skema "
                   f"{granted.schema}: membaca {len(granted.read)} tabel, menambah baris ke {len(granted.insert)}, "
                   f"mengubah kolom {', '.join(granted.update)}; tidak lebih. Tersambunglah sebagai peran ini untuk "
                   f"setiap perintah lain.")
