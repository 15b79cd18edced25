"""The options the command groups share (`--db`, the acting user, the bounds of numbers) and the one parser of a
date typed on the command line.
"""

import datetime as dt

import typer

from beasiswa.cli.console import fail

# Bounds of the numbers the commands take, so a 30-digit number is refused as input (exit 2, naming the option)
# rather than overflowing a database column or a date: a journal's seq is a signed 64-bit integer.
MAX_SEQ = 2**63 - 1
MAX_ROWS = 1_000_000  # --limit
MAX_DAYS = 36_500  # --older-than: a hundred years
MAX_WORKERS = 256

DB_OPTION = typer.Option(None, "--db", metavar="URL",
                         help="URL basis data (bawaan: $BEASISWA_DATABASE_URL, jika tidak ada sqlite:///beasiswa.db).")

# Who acts: a user who signed in (`beasiswa login`, or BEASISWA_TOKEN), proven by beasiswa.cli.identity.acting.
USER_ENV = "BEASISWA_USER"
# The address people reach the web application at: the letters' QR codes point to its /verifikasi page, and
# `beasiswa web` serves under it. The default is `beasiswa web`'s own (beasiswa.letters.canonical.DEFAULT_PUBLIC_URL,
# resolved in the command, so this module imports nothing of the letters).
PUBLIC_URL_ENV = "BEASISWA_PUBLIC_URL"
PUBLIC_URL_OPTION = typer.Option(None, "--public-url", envvar=PUBLIC_URL_ENV, show_envvar=True, metavar="URL",
                                 help="Alamat publik aplikasi web; kode QR surat menunjuk ke halaman /verifikasi "
                                      "di bawahnya (bawaan: http://127.0.0.1:8000).")


def public_url_of(given: str | None) -> str:
    """The public address given (or the default), checked; exit 2 naming --public-url and the value."""
    from beasiswa.letters.canonical import DEFAULT_PUBLIC_URL, check_public_url  # lazy: the letters' modules

    try:
        return check_public_url(given or DEFAULT_PUBLIC_URL)
    except ValueError:
        fail(f"--public-url: {given!r} bukan alamat http(s) tanpa kueri (mis. https://beasiswa.contoh.go.id)")


AS_HELP = ("Pengguna yang bertindak (yang dicatat), yang sudah masuk (`beasiswa login`, atau BEASISWA_TOKEN); "
           "boleh dihilangkan bila hanya satu pengguna yang masuk pada basis data ini.")
AS_OPTION = typer.Option(None, "--as", envvar=USER_ENV, show_envvar=True, metavar="NAMA", help=AS_HELP)
PASSWORD_STDIN_OPTION = typer.Option(False, "--password-stdin",
                                     help="Baca kata sandi dari baris pertama masukan standar (untuk skrip), "
                                          "bukan ditanya tersembunyi.")


def parse_day(text: str | None, option: str) -> dt.date:
    """The date typed for `option` (YYYY-MM-DD), today when none was; exit 2 naming the option and the text."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} bukan tanggal (YYYY-MM-DD)")
