"""Who may do what: users with a role and an office, and the one check every change goes through.

Pure: the user and the case's office are passed in; nothing here reads the database. The rules:
- officers (petugas) take in, verify, return, override, resubmit, appeal and reconsider claims;
- supervisors (pengawas) approve, take in, settle arrears and pay, and may verify in an officer's stead; they
  never approve a claim they verified themselves (four eyes: two different people);
- officers and supervisors number and render their office's letters (`letters render`);
- an officer corrects a claim's account (a bank returned the transfer), or a supervisor in an officer's stead;
- officers and supervisors export their office's bank transfer files (`payments export`): a file says only
  what the journal's payouts, posted by two people, already say, and the bank's own cash-management system
  releases it with its own maker and approver;
- a payout is reversed by two people of the payout's office (`beasiswa ledger reverse`): an officer or a
  supervisor prepares it with a written reason, and a supervisor who is not that person approves it (four eyes:
  undoing money is as controlled as paying it);
- a bank's statement is reconciled by a supervisor of the office whose transfers it answers (`beasiswa payments
  reconcile`): a transfer the bank returned is reversed with the bank as its maker and that supervisor as its
  approver;
- officers and supervisors act on their own office's cases only;
- auditors read everything and change nothing; admins manage users and nothing else;
- a deactivated user does nothing at all.
A refusal names who, what, and the rule (ROLE, OFFICE, INACTIVE, FOUR_EYES, UNKNOWN_USER).

Reading is scoped the same way, in one place for both front doors (`office_to_read`, `check_read`): officers and
supervisors read their own office's claims and cases only, whatever office they ask for; auditors and admins read
every office, or the one they ask for.
"""


import attrs

from beasiswa.access.actions import ACTION_NAMES, AUTOMATIC, Action
from beasiswa.model import Refusal
from beasiswa.model.vocabulary import Vocabulary


class Role(Vocabulary):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @classmethod
    def parse(cls, value: object, what: str = "peran", field: str | None = "role") -> "Role":
        return super().parse(value, what, field)


ROLE_NAMES = {Role.OFFICER: "petugas", Role.SUPERVISOR: "pengawas", Role.AUDITOR: "auditor", Role.ADMIN: "admin"}

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.INTAKE: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.VERIFY: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.RETURN: frozenset({Role.OFFICER}),
    Action.OVERRIDE: frozenset({Role.OFFICER}),
    Action.RESUBMIT: frozenset({Role.OFFICER}),
    Action.APPEAL: frozenset({Role.OFFICER}),
    Action.RECONSIDER: frozenset({Role.OFFICER}),
    Action.SETTLE_ARREARS: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.APPROVE: frozenset({Role.SUPERVISOR}),
    Action.CONFIRM_REJECTION: frozenset({Role.SUPERVISOR}),
    Action.PAY: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.ISSUE_LETTER: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.REVERSE: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.CORRECT_ACCOUNT: frozenset({Role.OFFICER, Role.SUPERVISOR}),
    Action.APPROVE_REVERSAL: frozenset({Role.SUPERVISOR}),
    Action.RECONCILE: frozenset({Role.SUPERVISOR}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.EXPORT_TRANSFERS: frozenset({Role.OFFICER, Role.SUPERVISOR}),
}
# Roles whose every action is limited to the cases of their own office.
OFFICE_BOUND = frozenset({Role.OFFICER, Role.SUPERVISOR})

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def check_name(name: object) -> str:
    """A user name: 2 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter (it is written in the journal)."""
    if not (isinstance(name, str) and 2 <= len(name) <= 40 and name[0].isascii() and name[0].isalpha()
            and set(name) <= _NAME_CHARS):
        raise ValueError(f"name: {name!r} bukan nama pengguna (2 sampai 40 huruf a-z, angka 0-9, '.', '_', "
                         f"'-', diawali huruf)")
    return name


def check_office(office: object) -> str:
    """An office code as the case files write it: 'KC-PLG' (upper-case letters and digits, '-' between)."""
    parts = office.split("-") if isinstance(office, str) else []
    if not parts or not all(p and p.isascii() and p.isalnum() and p.upper() == p for p in parts):
        raise ValueError(f"office: {office!r} bukan kode kantor (mis. KC-PLG)")
    return office


@attrs.frozen
class User:
    name: str = attrs.field(validator=lambda _i, _a, v: check_name(v))
    role: Role
    office: str = attrs.field(validator=lambda _i, _a, v: check_office(v))
    active: bool = True

    def describe(self) -> str:
        return f"'{self.name}' ({ROLE_NAMES[self.role]}, {self.office})"


class NotAllowed(Refusal):
    """A user asked for something their role, office or status does not allow; the rule is `code`."""


def check(user: User, action: Action, office: str | None = None, what: str = "") -> None:
    """Refuse (NotAllowed) unless `user` may do `action` on something of `office` (None: not a case's)."""
    doing = f"{ACTION_NAMES[action]}{' ' + what if what else ''}"
    if not user.active:
        raise NotAllowed("INACTIVE", f"pengguna {user.describe()} sudah dinonaktifkan dan tidak boleh {doing}")
    if action in AUTOMATIC:
        raise NotAllowed("AUTOMATIC", f"{doing}: langkah ini otomatis mengikuti hasil aturan, tidak diminta "
                                      f"oleh pengguna")
    roles = ALLOWED[action]
    if user.role not in roles:
        allowed = ", ".join(ROLE_NAMES[r] for r in Role if r in roles)
        raise NotAllowed("ROLE", f"pengguna {user.describe()} tidak boleh {doing}: hanya {allowed}")
    if office is not None and user.role in OFFICE_BOUND and office != user.office:
        raise NotAllowed("OFFICE", f"pengguna {user.describe()} tidak boleh {doing} milik kantor {office}: "
                                   f"{ROLE_NAMES[user.role]} hanya menangani kasus kantornya sendiri")


def check_two_people(maker: User, approver: User, what: str = "") -> None:
    """A posting made by one user and approved by another: never the same person twice."""
    if maker.name == approver.name:
        raise NotAllowed("FOUR_EYES", f"pengguna {approver.describe()} tidak boleh menyetujui {what} yang ia "
                                      f"sendiri buat: empat mata, dua orang yang berbeda")


def check_four_eyes(approver: User, verified_by: str | None, overridden_by: str | None, what: str = "") -> None:
    """The supervisor who approves is neither the officer who verified nor the one who overrode."""
    for other, did in ((verified_by, "memverifikasinya"), (overridden_by, "mengubah putusannya")):
        if other is not None and other == approver.name:
            raise NotAllowed("FOUR_EYES", f"pengguna {approver.describe()} tidak boleh menyetujui {what} yang "
                                          f"ia sendiri {did}: empat mata, dua orang yang berbeda")


def office_to_read(user: User, asked: str | None = None) -> str | None:
    """The office whose claims `user` reads when `asked` for one (None or '': every office): an officer's or a
    supervisor's own office whatever was asked; for the others the office asked (checked: a ValueError names
    it), or None for all."""
    if user.role in OFFICE_BOUND:
        return user.office
    asked = asked.strip().upper() if isinstance(asked, str) else asked
    return check_office(asked) if asked else None


def may_read(user: User, office: str) -> bool:
    """Whether `user` may read a claim or a case of `office` (an active user; office-bound roles their own)."""
    return user.active and (user.role not in OFFICE_BOUND or office == user.office)


def check_read(user: User, office: str, what: str) -> None:
    """Refuse (NotAllowed OFFICE, or INACTIVE) unless `user` may read `what`, a claim or a case of `office`."""
    if not user.active:
        raise NotAllowed("INACTIVE", f"pengguna {user.describe()} sudah dinonaktifkan dan tidak boleh membaca {what}")
    if not may_read(user, office):
        raise NotAllowed("OFFICE", f"pengguna {user.describe()} tidak boleh membaca {what} milik kantor {office}: "
                                   f"{ROLE_NAMES[user.role]} hanya menangani kasus kantornya sendiri")
