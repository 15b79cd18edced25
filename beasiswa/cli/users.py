"""`beasiswa users …`: who may act, with their role and office; the admin adds and deactivates them, changes a
user's role and office (`set`), sets a one-time password (changed by its user at the first sign-in: `beasiswa
login` or the web application), lists the sessions and tokens signed in, and ends one (`revoke`). The web
application's Pengguna page calls the same service methods.

`bootstrap` (the first admin of an empty database) is the one write made without a token: it sets the admin's
own password, with which the admin then signs in (`beasiswa login`). Every other write here is made by an admin
who signed in (beasiswa.cli.identity).

Exit status: 0 done; 1 refused (a role, an unknown or deactivated user, not signed in); 2 bad input; 3 the
database stayed busy.
"""

import sys

import typer

from beasiswa.access.roles import ROLE_NAMES
from beasiswa.cli.console import stdout
from beasiswa.cli.identity import acting_one
from beasiswa.cli.locale import named_values
from beasiswa.cli.options import AS_OPTION, DB_OPTION, PASSWORD_STDIN_OPTION
from beasiswa.cli.service import refusable, workflow

users_app = typer.Typer(no_args_is_help=True, help="Pengguna: siapa yang boleh bertindak, dengan peran dan kantornya (admin).")

KIND_SHOWN = {"web": "peramban", "token": "token CLI"}
STATUS_SHOWN = {"active": "aktif", "expired": "kedaluwarsa", "ended": "diakhiri"}


def read_password(stdin: bool, prompt: str) -> str:
    """A password from the first line of standard input (`--password-stdin`) or typed twice at a hidden prompt."""
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True, prompt_suffix=": ")


@users_app.command("bootstrap")
def users_bootstrap(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna admin pertama."),
    office: str = typer.Option("KP", "--office", metavar="KANTOR", help="Kantor admin (bawaan KP, kantor pusat)."),
    stdin: bool = PASSWORD_STDIN_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Membuat admin pertama pada basis data tanpa pengguna (ditolak bila sudah ada pengguna), dengan kata
    sandinya sendiri (ditanya tersembunyi, atau --password-stdin), lalu ia masuk dengan `beasiswa login`."""
    service = workflow(db)
    password = read_password(stdin, "Kata sandi admin pertama")
    user = refusable(lambda: service.bootstrap(name, office, password), bad_input=("INVALID_USER", "PASSWORD_POLICY"))
    stdout().print(f"admin pertama dibuat: {user.name} ({user.office}); masuk dengan `beasiswa login {user.name}`",
                   highlight=False)


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
    admin = acting_one(service.engine, as_, "users add")
    user = refusable(lambda: service.add_user(admin, name, role, office), bad_input=("INVALID_USER",))
    stdout().print(f"pengguna ditambahkan: {user.name} ({ROLE_NAMES[user.role]}, {user.office})", highlight=False)


@users_app.command("deactivate")
def users_deactivate(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menonaktifkan pengguna (hanya admin): ia tidak dapat bertindak lagi, sesi dan tokennya berakhir saat itu
    juga; namanya tetap dalam catatan."""
    service = workflow(db)
    admin = acting_one(service.engine, as_, "users deactivate")
    user = refusable(lambda: service.deactivate_user(admin, name))
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
    admin = acting_one(service.engine, as_, "users set")
    user = refusable(lambda: service.set_user(admin, name, role, office),
                     bad_input=("INVALID_USER", "NO_CHANGE"))
    stdout().print(f"pengguna diubah: {user.name} ({ROLE_NAMES[user.role]}, {user.office})", highlight=False)


@users_app.command("password")
def users_password(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    stdin: bool = PASSWORD_STDIN_OPTION,
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Menetapkan kata sandi sekali pakai (hanya admin): pengguna wajib menggantinya saat pertama masuk; sesi dan
    tokennya yang masih berjalan diakhiri, kunciannya dibuka."""
    # lazy: argon2 and SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.auth import Auth
    from beasiswa.cli.database import open_database
    from beasiswa.db.uow import utc_now

    auth = Auth(open_database(db))
    admin = acting_one(auth.engine, as_, "users password")
    password = read_password(stdin, "Kata sandi sekali pakai")
    ended = refusable(lambda: auth.set_one_time_password(admin, name, password, utc_now()),
                      bad_input=("PASSWORD_POLICY",))
    note = f"; {len(ended)} sesi/token diakhiri" if ended else ""
    stdout().print(f"kata sandi sekali pakai ditetapkan: {name} (wajib diganti saat pertama masuk){note}",
                   highlight=False)


@users_app.command("sessions")
def users_sessions(
    name: str = typer.Argument(None, metavar="[NAMA]", help="Hanya sesi dan token pengguna ini."),
    all_: bool = typer.Option(False, "--all", help="Juga yang sudah berakhir (kedaluwarsa atau diakhiri)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Sesi peramban dan token CLI yang masuk (hanya admin), terbaru lebih dulu: nomornya untuk `users revoke`."""
    # lazy: Rich's tables, argon2 and SQLAlchemy, which `beasiswa decide` starts without
    from rich.table import Table

    from beasiswa.auth import Auth
    from beasiswa.cli.database import open_database
    from beasiswa.db.uow import utc_now

    auth = Auth(open_database(db))
    admin = acting_one(auth.engine, as_, "users sessions")
    found = refusable(lambda: auth.sessions(admin, utc_now(), user_name=name, include_ended=all_))
    table = Table(title="Sesi dan token" + (f" {name}" if name else "") + " (waktu UTC)", title_justify="left")
    for column in ("No.", "Jenis", "Pengguna", "Keterangan", "Dibuat", "Terakhir dipakai", "Berlaku sampai",
                   "Status"):
        table.add_column(column)
    for s in found:
        status = STATUS_SHOWN.get(s.status, s.status)
        if s.revoked_at:
            status += f" ({s.revoked_reason}, oleh {s.revoked_by or '-'})"
        table.add_row(str(s.id), KIND_SHOWN.get(s.kind, s.kind), s.user_name, s.label or "", _minute(s.created_at),
                      _minute(s.last_seen_at), _minute(s.expires_at), status)
    if found:
        stdout().print(table)
    else:
        stdout().print("Tidak ada sesi atau token" + ("." if all_ else " yang aktif."), highlight=False)


def _minute(stamp: str) -> str:
    """A stored moment to the minute, UTC: '2025-08-01 09:00'."""
    return stamp[:16].replace("T", " ")


@users_app.command("revoke")
def users_revoke(
    session_id: int = typer.Argument(..., min=1, max=2**63 - 1, metavar="NO",
                                     help="Nomor sesi atau token (`beasiswa users sessions`)."),
    as_: str = AS_OPTION,
    db: str = DB_OPTION,
) -> None:
    """Mengakhiri satu sesi peramban atau token CLI (hanya admin): pemiliknya harus masuk lagi."""
    # lazy: argon2 and SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.auth import Auth
    from beasiswa.cli.database import open_database
    from beasiswa.db.uow import utc_now

    auth = Auth(open_database(db))
    admin = acting_one(auth.engine, as_, "users revoke")
    owner = refusable(lambda: auth.revoke(admin, session_id, utc_now()))
    stdout().print(f"sesi/token {session_id} milik {owner} diakhiri", highlight=False)


@users_app.command("list")
def users_list(db: str = DB_OPTION) -> None:
    """Semua pengguna dengan peran, kantor dan status aktifnya."""
    from beasiswa.workflow.views import print_users  # lazy: SQLAlchemy, which `beasiswa decide` starts without

    print_users(stdout(), workflow(db).list_users())
