"""The refusals of signing in and of sessions, worded once (in Indonesian, as an officer reads them).

Codes are strings, like the workflow's (ROLE, OFFICE, FOUR_EYES): `beasiswa.model.Code` is the decision
contract's vocabulary, and its every member not listed as otherwise maps to a rejected claim, so sign-in codes
stay out of it. A failed sign-in says the same for an unknown user, a wrong password and a user without a
password: the answer does not tell which names exist.
"""

import datetime as dt

from beasiswa.auth.limits import TOKEN, Limits
from beasiswa.model import Refusal


def sign_in_failed() -> Refusal:
    return Refusal("SIGN_IN_FAILED", "nama pengguna atau kata sandi salah")


def locked(name: str, until: str, limits: Limits) -> Refusal:
    return Refusal("LOCKED", f"pengguna {name!r} terkunci sampai {until} (UTC) setelah {limits.max_failures} kali "
                             f"gagal masuk berturut-turut; coba lagi nanti atau minta admin mengatur ulang kata sandi",
                   until=until)


def inactive(name: str) -> Refusal:
    return Refusal("INACTIVE", f"pengguna {name!r} sudah dinonaktifkan dan tidak boleh masuk")


def not_signed_in() -> Refusal:
    return Refusal("NOT_SIGNED_IN", "sesi tidak dikenal: silakan masuk (`beasiswa login`)")


# Why a session ended (`sessions.revoked_reason`), as its user reads it.
ENDED_BECAUSE = {"sign_out": "keluar", "revoked": "dicabut admin", "disabled": "pengguna dinonaktifkan",
                 "password_changed": "kata sandi diganti", "password_reset": "kata sandi diatur ulang admin",
                 "replaced": "diganti sesi baru"}


def session_ended(kind: str, reason: str) -> Refusal:
    what = "token" if kind == TOKEN else "sesi"
    return Refusal("SESSION_ENDED", f"{what} sudah diakhiri ({ENDED_BECAUSE.get(reason, reason)}): silakan masuk "
                                    f"lagi", reason=reason)


def expired(kind: str, idle: dt.timedelta | None, limits: Limits) -> Refusal:
    if kind == TOKEN:
        return Refusal("SESSION_EXPIRED", f"token berakhir: berlaku {limits.token_life.days} hari sejak dibuat; "
                                          f"masuk lagi dengan `beasiswa login`")
    if idle is not None:
        return Refusal("SESSION_EXPIRED", f"sesi berakhir: tidak dipakai {_minutes(idle)} menit; silakan masuk lagi")
    return Refusal("SESSION_EXPIRED", f"sesi berakhir: batas {_minutes(limits.absolute) // 60} jam sejak masuk; "
                                      f"silakan masuk lagi")


def password_change_required(name: str) -> Refusal:
    return Refusal("PASSWORD_CHANGE_REQUIRED", f"pengguna {name!r} masuk dengan kata sandi sementara: ganti kata "
                                               f"sandi dulu sebelum melakukan hal lain")


def password_wrong() -> Refusal:
    return Refusal("PASSWORD_WRONG", "kata sandi saat ini: salah")


def password_same() -> Refusal:
    return Refusal("PASSWORD_SAME", "kata sandi baru: harus berbeda dari kata sandi saat ini")


def unknown_user(name: str) -> Refusal:
    return Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar")


def unknown_session(session_id: int) -> Refusal:
    return Refusal("SESSION_UNKNOWN", f"sesi {session_id}: tidak terdaftar")


def already_ended(session_id: int, reason: str) -> Refusal:
    return Refusal("SESSION_ENDED", f"sesi {session_id}: sudah diakhiri ({reason})", reason=reason)


def _minutes(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 60)
