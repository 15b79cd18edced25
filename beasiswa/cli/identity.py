"""Who acts on the command line, proven: the personal tokens of `beasiswa login` (a 0600 file) or of a batch job
(`BEASISWA_TOKEN`), and `acting`, the one place every write command turns the names it was given (`--as`,
`--verify-as`, `--approve-as`, `--approver`) into users who proved who they are.

- The token file: `$BEASISWA_TOKEN_FILE`, else `$XDG_CONFIG_HOME/beasiswa/tokens`, else
  `~/.config/beasiswa/tokens`. JSON, one entry per (database, user): the database is its URL without the
  password (a SQLite file by its absolute path), so an officer and a supervisor signed in on one machine, or one
  user on two databases, each keep their own token, and a token is never sent to another database. Written
  whole (a new file renamed over the old), created 0600 in a 0700 folder; a file that its group or others may
  read is refused (exit 2, naming the path and its mode) rather than used.
- `BEASISWA_TOKEN`: one or more secrets separated by commas (or spaces), for batch jobs (`process` acts as
  an officer who verifies and a supervisor who approves: two secrets). A secret names its user: the database
  says whose it is. When it is set, it is the only source: the token file is not read.
- `acting`: each name must have a token of this database (env or file) that `Auth.authenticate` accepts now
  (kind token: not expired, not revoked, the user active, the password not one to change first). A name without
  a token, or whose token is refused, is refused (exit 1) naming why and how to sign in, and the refusal is a
  row of the audit trail (action `auth.authenticate`, the command as subject). No name given: the one user
  signed in on this database acts; none signed in is refused the same way, several is bad input (exit 2: name
  one with `--as`).

Reading commands (decide, rules, queue, show, search, audit, the ledger's reports and checks, letters verify,
users list) need no token: they change nothing, and who can open the database can read it anyway (the database's
own access rules guard it); `queue --mine` names a user, so it is asked as one who signed in.
"""

import json
import os
import re
from pathlib import Path

import attrs

from beasiswa.cli.console import fail

TOKEN_ENV = "BEASISWA_TOKEN"
TOKEN_FILE_ENV = "BEASISWA_TOKEN_FILE"
SEPARATORS = re.compile(r"[,\s]+")
AUTH_ACTION = "auth.authenticate"
_FORMAT = "beasiswa-tokens/1"


@attrs.frozen
class Token:
    """A secret that applies to the database at hand, the user it is of, and where it was found."""

    user: str
    secret: str = attrs.field(repr=False)
    source: str


def token_path() -> Path:
    """Where `beasiswa login` keeps its tokens."""
    if os.environ.get(TOKEN_FILE_ENV):
        return Path(os.environ[TOKEN_FILE_ENV])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "beasiswa" / "tokens"


def env_secrets() -> list[str]:
    """The secrets of BEASISWA_TOKEN (commas or spaces between them), in order."""
    return [s for s in SEPARATORS.split(os.environ.get(TOKEN_ENV, "")) if s]


def database_key(engine) -> str:
    """The database as the token file names it: its URL without the password; a SQLite file by its absolute
    path (`out/beasiswa.db` is the same database from any folder)."""
    url = engine.url.set(password=None)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not url.database.startswith("file:"):
        url = url.set(database=os.path.abspath(url.database))
    return url.render_as_string(hide_password=False)


# ------------------------------------------------------------------------------------------- the token file

def read_tokens(path: Path | None = None) -> list[dict]:
    """The entries of the token file (none when it does not exist); exit 2 when others may read it or it is not
    a token file."""
    path = path or token_path()
    try:
        status = path.stat()
    except FileNotFoundError:
        return []
    except OSError as exc:
        fail(f"berkas token {path}: tidak dapat dibaca ({exc.strerror or exc})")
    mode = status.st_mode & 0o777
    if mode & 0o077:
        fail(f"berkas token {path}: mode {mode:04o} dapat dibaca kelompok atau pengguna lain; token tidak dipakai. "
             f"Jalankan `chmod 600 {path}` (atau `beasiswa login` lagi setelah menghapusnya)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["tokens"]
        if data.get("format") != _FORMAT or not all({"database", "user", "secret"} <= set(e) for e in entries):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        fail(f"berkas token {path}: bukan berkas token beasiswa ({_FORMAT}); hapus lalu `beasiswa login` lagi")
    return entries


def write_tokens(entries: list[dict], path: Path | None = None) -> Path:
    """The token file written whole: a new file made 0600 (its folder 0700 when made now), renamed over the
    old one, so no moment exists when the secrets are readable by others or half written."""
    path = path or token_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.baru")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump({"format": _FORMAT, "tokens": entries}, stream, indent=1)
            stream.write("\n")
        os.replace(temp, path)
    except OSError as exc:
        fail(f"berkas token {path}: tidak dapat ditulis ({exc.strerror or exc})")
    return path


def file_tokens(key: str, path: Path | None = None) -> dict[str, Token]:
    path = path or token_path()
    return {e["user"]: Token(e["user"], e["secret"], str(path)) for e in read_tokens(path) if e["database"] == key}


# ------------------------------------------------------------------------------------------- who acts

def tokens_for(engine) -> dict[str, Token]:
    """The tokens that apply to `engine`'s database, by user: BEASISWA_TOKEN's when it is set (a secret of
    another database is not there, so it applies to none), else the token file's for this database."""
    secrets = env_secrets()
    if secrets:
        from beasiswa.auth import TOKEN, Auth  # lazy: SQLAlchemy, which `beasiswa decide` starts without

        owners = Auth(engine).owners(secrets, kind=TOKEN)
        found: dict[str, Token] = {}
        for secret in secrets:
            if secret in owners:
                found.setdefault(owners[secret], Token(owners[secret], secret, TOKEN_ENV))
        return found
    return file_tokens(database_key(engine))


def how_to_sign_in(name: str | None, engine) -> str:
    who = name or "NAMA"
    return (f"masuk dulu dengan `beasiswa login {who}` pada basis data ini ({database_key(engine)}), atau berikan "
            f"tokennya di {TOKEN_ENV} untuk tugas terjadwal")


def acting(engine, names, command: str, option: str = "--as") -> list[str]:
    """The users `names` (a name, a list of names, or none) proven by their tokens, as the services take them;
    no name: the one user signed in on this database. Exit 1 (audited) when a user has no token or it is
    refused, 2 when none is named and several are signed in."""
    from beasiswa.db.uow import utc_now  # lazy: SQLAlchemy, as above

    wanted = [n.strip() for n in ([names] if isinstance(names, str) else names or []) if n and n.strip()]
    tokens = tokens_for(engine)
    now = utc_now()
    if not wanted:
        if len(tokens) > 1:
            fail(f"{command}: --as: {len(tokens)} pengguna sudah masuk pada basis data ini "
                 f"({', '.join(sorted(tokens))}); sebutkan siapa yang bertindak: --as NAMA atau BEASISWA_USER")
        if not tokens:
            _refuse(engine, None, command, _not_signed_in(None, engine), now)
        wanted = list(tokens)
    for name in dict.fromkeys(wanted):
        _prove(engine, name, tokens.get(name), f"{command}: {option} {name}", now)
    return wanted


def acting_one(engine, name: str | None, command: str, option: str = "--as") -> str:
    """`acting` for one user (a command one user runs, or its `option` naming one: `--approver`)."""
    return acting(engine, name, command, option)[0]


def _prove(engine, name: str, token: Token | None, where: str, now) -> None:
    from beasiswa.auth import TOKEN, Auth  # lazy: SQLAlchemy, as above
    from beasiswa.model import Refusal

    if token is None:
        _refuse(engine, name, where, _not_signed_in(name, engine), now)
    try:
        session = Auth(engine).authenticate(token.secret, now, kind=TOKEN)
    except Refusal as refusal:
        _refuse(engine, name, f"{where} (token dari {token.source})", refusal, now)
    if session.user.name != name:  # a token file edited by hand: the secret is someone else's
        _refuse(engine, name, where, _not_signed_in(name, engine), now)


def _not_signed_in(name: str | None, engine):
    from beasiswa.model import Refusal

    who = f"pengguna {name!r} belum masuk" if name else "belum ada pengguna yang masuk"
    return Refusal("NOT_SIGNED_IN", f"{who}: {how_to_sign_in(name, engine)}")


def _refuse(engine, name: str | None, where: str, refusal, now):
    """Audit the refusal (who asked, the command) and exit 1 with its message after `where`."""
    from beasiswa.auth import Auth  # lazy: SQLAlchemy, as above
    from beasiswa.cli.service import busy

    command = where.split(":", 1)[0]
    busy(lambda: Auth(engine).record_refusal(name, AUTH_ACTION, f"perintah {command}", refusal, now))
    fail(f"{where}: {refusal}", 1)
