"""`beasiswa login`, `logout` and `whoami`: a user proves who they are once and keeps a personal token (30
days; `beasiswa.auth.limits`) in the token file (beasiswa.cli.identity), per database; every write command then
checks it.

`login` asks the password at a hidden prompt (or reads it from standard input: `--password-stdin`, the first
line; a one-time password an admin set must be changed at once: the new one is asked twice, or read from the
second line). A token already kept for the same user and database is ended as the new one is issued. `--print`
writes the token to standard output instead of the file, for a batch job's BEASISWA_TOKEN. `logout`
ends the token on the server too (the row stays, ended, for the admins' list and the audit trail).

Exit status: 0 done; 1 refused (a wrong password, a locked or deactivated user, no token to end); 2 bad input
(a password the policy refuses, a token file others may read); 3 the database stayed busy.
"""

import socket
import sys

import typer

from beasiswa.cli.console import fail, stderr, stdout
from beasiswa.cli.database import open_database
from beasiswa.cli.identity import TOKEN_ENV, database_key, env_secrets, read_tokens, token_path, tokens_for, \
    write_tokens
from beasiswa.cli.options import DB_OPTION, PASSWORD_STDIN_OPTION
from beasiswa.cli.service import busy, refusable


def _until(session) -> str:
    return session.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def login_command(
    name: str = typer.Argument(..., metavar="NAMA", help="Nama pengguna."),
    stdin: bool = PASSWORD_STDIN_OPTION,
    print_: bool = typer.Option(False, "--print", help="Cetak tokennya ke keluaran standar (untuk BEASISWA_TOKEN "
                                                       "tugas terjadwal), bukan menyimpannya di berkas token."),
    db: str = DB_OPTION,
) -> None:
    """Masuk: kata sandi diperiksa, token pribadi (berlaku 30 hari) disimpan di berkas token (mode 0600) untuk
    basis data ini; perintah yang mengubah sesuatu lalu dijalankan atas nama pengguna ini (--as NAMA)."""
    # lazy: argon2 and SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.access.roles import ROLE_NAMES
    from beasiswa.auth import TOKEN, Auth
    from beasiswa.db.uow import timestamp, utc_now

    engine = open_database(db)
    path = token_path()
    entries = read_tokens(path)  # a file others may read is refused before any password is asked
    key = database_key(engine)
    previous = None if print_ else next((e["secret"] for e in entries if e["database"] == key and e["user"] == name),
                                        None)
    password = sys.stdin.readline().rstrip("\r\n") if stdin else typer.prompt("Kata sandi", hide_input=True,
                                                                               prompt_suffix=": ")
    auth = Auth(engine)
    label = f"beasiswa login di {socket.gethostname()}"
    opened = refusable(lambda: auth.sign_in(name, password, utc_now(), kind=TOKEN, label=label, previous=previous))
    changed = ""
    if opened.session.must_change_password:
        opened = _change_one_time(auth, opened, password, stdin, utc_now)
        changed = "kata sandi sekali pakai diganti; "
    user = opened.session.user
    said = (f"{changed}masuk sebagai {user.name} ({ROLE_NAMES[user.role]}, {user.office}): token "
            f"{opened.session.id} berlaku sampai {_until(opened.session)}")
    if print_:  # the secret alone on standard output, for a batch job's BEASISWA_TOKEN; the rest on stderr
        stderr().print(said, highlight=False, soft_wrap=True)
        typer.echo(opened.secret)
        return
    kept = [e for e in entries if not (e["database"] == key and e["user"] == name)]
    kept.append({"database": key, "user": name, "secret": opened.secret, "session": opened.session.id,
                 "expires_at": timestamp(opened.session.expires_at)})
    write_tokens(kept, path)
    stdout().print(said, highlight=False, soft_wrap=True)


def _change_one_time(auth, opened, password: str, stdin: bool, clock):
    """The one-time password's session exchanged for a full token: the new password read (the second line of
    standard input, or twice at the prompt) and set; the limited session ended when that fails."""
    from beasiswa.model import Refusal  # lazy, with the rest of the sign-in

    if stdin:
        new = sys.stdin.readline().rstrip("\r\n")
        if not new:
            busy(lambda: auth.sign_out(opened.secret, clock()))
            fail(f"{opened.session.user.name} masuk dengan kata sandi sekali pakai, yang wajib diganti: berikan kata "
                 f"sandi baru pada baris kedua masukan standar (--password-stdin)")
    else:
        stdout().print("Kata sandi sekali pakai wajib diganti sekarang.", highlight=False)
        new = typer.prompt("Kata sandi baru", hide_input=True, confirmation_prompt=True, prompt_suffix=": ")
    try:
        return busy(lambda: auth.change_password(opened.secret, password, new, clock()))
    except Refusal as refusal:
        busy(lambda: auth.sign_out(opened.secret, clock()))
        fail(str(refusal), 2 if refusal.code in ("PASSWORD_POLICY", "PASSWORD_SAME") else 1)


def logout_command(
    name: str = typer.Argument(None, metavar="[NAMA]",
                               help="Pengguna yang keluar; boleh dihilangkan bila hanya satu yang masuk."),
    db: str = DB_OPTION,
) -> None:
    """Keluar: token pengguna untuk basis data ini diakhiri di server dan dihapus dari berkas token."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.auth import Auth
    from beasiswa.db.uow import utc_now

    engine = open_database(db)
    tokens = tokens_for(engine)
    if name is None:
        if len(tokens) != 1:
            fail(f"logout: {len(tokens)} pengguna masuk pada basis data ini"
                 + (f" ({', '.join(sorted(tokens))}); sebutkan NAMA" if tokens else ""), 2 if tokens else 1)
        [name] = tokens
    token = tokens.get(name)
    if token is None:
        fail(f"logout: pengguna {name!r} tidak masuk pada basis data ini ({database_key(engine)})", 1)
    ended = busy(lambda: Auth(engine).sign_out(token.secret, utc_now()))
    if token.source != TOKEN_ENV:
        key, path = database_key(engine), token_path()
        write_tokens([e for e in read_tokens(path) if not (e["database"] == key and e["user"] == name)], path)
    note = "token diakhiri" if ended else "token sudah berakhir sebelumnya"
    if token.source == TOKEN_ENV:
        note += f"; hapus juga dari {TOKEN_ENV}"
    stdout().print(f"keluar: {name} ({note})", highlight=False)


def whoami_command(db: str = DB_OPTION) -> None:
    """Siapa yang masuk pada basis data ini: tiap token (berkas token, atau BEASISWA_TOKEN), sampai kapan
    berlaku, atau mengapa tidak berlaku lagi. Status keluar 1 bila tidak ada yang berlaku."""
    # lazy: SQLAlchemy, which `beasiswa decide` starts without
    from beasiswa.access.roles import ROLE_NAMES
    from beasiswa.auth import TOKEN, Auth
    from beasiswa.db.uow import utc_now
    from beasiswa.model import Refusal

    engine = open_database(db)
    tokens = tokens_for(engine)
    source = TOKEN_ENV if env_secrets() else str(token_path())
    if not tokens:
        fail(f"belum ada pengguna yang masuk pada basis data ini ({database_key(engine)}; token dari {source}): "
             f"masuk dengan `beasiswa login NAMA`", 1)
    valid = 0
    for name, token in sorted(tokens.items()):
        try:
            session = busy(lambda: Auth(engine).authenticate(token.secret, utc_now(), kind=TOKEN, full=False))
        except Refusal as refusal:
            stdout().print(f"{name}: token tidak berlaku: {refusal}", highlight=False, soft_wrap=True)
            continue
        valid += 1
        user = session.user
        must = "; kata sandi sekali pakai belum diganti" if session.must_change_password else ""
        stdout().print(f"{user.name} ({ROLE_NAMES[user.role]}, {user.office}): token {session.id} berlaku sampai "
                       f"{_until(session)}{must}", highlight=False, soft_wrap=True)
    stdout().print(f"(basis data {database_key(engine)}; token dari {source})", highlight=False, soft_wrap=True)
    if not valid:
        raise typer.Exit(1)
