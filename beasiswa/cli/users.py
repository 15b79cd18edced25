"""`beasiswa users …`: who may act, with their role and office; the admin adds and deactivates them, changes a
user's role and office (`set`), and sets a one-time password (changed by its user at the first sign-in, in the
web application). The web application's Pengguna page calls the same service methods.

Exit status: 0 done; 1 refused (a role, an unknown or deactivated user); 2 bad input; 3 the database stayed busy.
"""

import sys

import typer

from beasiswa.access.roles import ROLE_NAMES
from beasiswa.cli.console import fail, stdout
from beasiswa.cli.locale import named_values
from beasiswa.cli.options import AS_OPTION, DB_OPTION
from beasiswa.cli.service import busy, workflow
from beasiswa.model import Refusal

users_app = typer.Typer(no_args_is_help=True, help="Pengguna: siapa yang boleh bertindak, dengan peran dan kantornya (admin).")


@users_app.command("bootstrap")
def users_bootstrap(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna admin pertama."),
    office: str = typer.Option("KP", "--office", metavar="KANTOR", help="Kantor admin (bawaan KP, kantor pusat)."),
    db: str = DB_OPTION,
) -> None:
    """Membuat admin pertama pada basis data tanpa pengguna (ditolak bila sudah ada pengguna)."""
    service = workflow(db)
    try:
        user = busy(lambda: service.bootstrap(name, office))
    except Refusal as refusal:
        fail(str(refusal), 2 if refusal.code == "INVALID_USER" else 1)
    stdout().print(f"admin pertama dibuat: {user.name} ({user.office})", highlight=False)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna: a-z, 0-9, '.', '_', '-'."),
    role: str = typer.Option(..., "--role", metavar="PERAN", help="Peran: " + named_values(ROLE_NAMES) + "."),
    office: str = typer.Option(..., "--office", metavar="KANTOR", help="Kantor, mis. KC-PLG."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menambah pengguna (hanya admin)."""
    service = workflow(db)
    try:
        user = busy(lambda: service.add_user(as_, name, role, office))
    except Refusal as refusal:
        fail(str(refusal), 2 if refusal.code == "INVALID_USER" else 1)
    stdout().print(f"pengguna ditambahkan: {user.name} ({ROLE_NAMES[user.role]}, {user.office})", highlight=False)


@users_app.command("deactivate")
def users_deactivate(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menonaktifkan pengguna (hanya admin): ia tidak dapat bertindak lagi; namanya tetap dalam catatan."""
    service = workflow(db)
    try:
        user = busy(lambda: service.deactivate_user(as_, name))
    except Refusal as refusal:
        fail(str(refusal), 1)
    stdout().print(f"pengguna dinonaktifkan: {user.name}", highlight=False)


@users_app.command("set")
def users_set(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    role: str = typer.Option(None, "--role", metavar="PERAN", help="Peran baru: " + named_values(ROLE_NAMES) + "."),
    office: str = typer.Option(None, "--office", metavar="KANTOR", help="Kantor baru, mis. KC-PLG."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Mengubah peran, kantor, atau keduanya (hanya admin); berlaku sejak permintaan berikutnya pengguna itu."""
    service = workflow(db)
    try:
        user = busy(lambda: service.set_user(as_, name, role, office))
    except Refusal as refusal:
        fail(str(refusal), 2 if refusal.code in ("INVALID_USER", "NO_CHANGE") else 1)
    stdout().print(f"pengguna diubah: {user.name} ({ROLE_NAMES[user.role]}, {user.office})", highlight=False)


@users_app.command("password")
def users_password(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    stdin: bool = typer.Option(False, "--password-stdin",
                               help="Baca kata sandi dari baris pertama masukan standar (untuk skrip), bukan ditanya."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menetapkan kata sandi sekali pakai (hanya admin): pengguna wajib menggantinya saat pertama masuk; sesi dan
    tokennya yang masih berjalan diakhiri, kunciannya dibuka."""
    # lazy: argon2 and SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.auth import Auth
    from beasiswa.cli.database import open_database
    from beasiswa.db.uow import utc_now

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Kata sandi sekali pakai", hide_input=True, confirmation_prompt=True,
                                prompt_suffix=": ")
    auth = Auth(open_database(db))
    try:
        ended = busy(lambda: auth.set_one_time_password(as_, name, password, utc_now()))
    except Refusal as refusal:
        fail(str(refusal), 2 if refusal.code == "PASSWORD_POLICY" else 1)
    note = f"; {len(ended)} sesi/token diakhiri" if ended else ""
    stdout().print(f"kata sandi sekali pakai ditetapkan: {name} (wajib diganti saat pertama masuk){note}",
                   highlight=False)


@users_app.command("list")
def users_list(db: str = DB_OPTION) -> None:
    """Semua pengguna dengan peran, kantor dan status aktifnya."""
    from beasiswa.workflow.views import print_users  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    print_users(stdout(), workflow(db).list_users())
