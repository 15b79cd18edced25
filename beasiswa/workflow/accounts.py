"""The users' accounts: the first admin (`bootstrap`), an admin adding and deactivating users (which ends
their sessions and tokens at once) and changing a user's role and office (`set_user`), the list.

Mixed into `Workflow` (service.py), whose `_run` and `_now` it uses; a refused attempt is audited in a
transaction of its own (`_refusing`).
"""

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import Role, User, check, check_name, check_office
from beasiswa.access.trail import actor, audit
from beasiswa.auth.passwords import check_policy, hash_password
from beasiswa.auth.sessions import end_sessions_of
from beasiswa.db.engine import is_postgres
from beasiswa.db.user_tables import users
from beasiswa.model import Refusal

# PostgreSQL: the advisory lock two first admins' bootstraps queue on (the journal's is JOURNAL_LOCK).
BOOTSTRAP_LOCK = 0x62656173697375


class Accounts:
    def bootstrap(self, name: str, office: str, password: str | None = None) -> User:
        """The first admin, on a database without users; refused once any user exists. With `password`, the
        admin's own (not one to change at the first sign-in), so that they can sign in (`beasiswa login`)."""
        return self._refusing(name, "user.bootstrap", f"user {name}",
                              lambda: self._bootstrap(name, office, password))

    def _bootstrap(self, name: str, office: str, password: str | None) -> User:
        user = self._new_user(name, Role.ADMIN, office)
        hashed = None
        if password is not None:
            check_policy(password, "kata sandi admin pertama")
            hashed = hash_password(password)

        def work(conn: Connection) -> User:
            if is_postgres(conn):  # not LOCK TABLE: it needs UPDATE on all of users (the app may change `active`)
                conn.execute(select(func.pg_advisory_xact_lock(BOOTSTRAP_LOCK)))
            existing = conn.execute(select(func.count()).select_from(users)).scalar_one()
            if existing:
                raise Refusal("USERS_EXIST", f"sudah ada {existing} pengguna: admin pertama hanya dibuat pada "
                                             f"basis data tanpa pengguna; admin menambah pengguna dengan "
                                             f"`beasiswa users add`")
            return self._insert_user(conn, user, created_by=user.name, now=self._now(), password_hash=hashed)
        return self._run(work)

    def add_user(self, as_: str | None, name: str, role: Role | str, office: str) -> User:
        return self._refusing(as_, "user.add", f"user {name}", lambda: self._add_user(as_, name, role, office))

    def _add_user(self, as_: str | None, name: str, role: Role | str, office: str) -> User:
        user = self._new_user(name, role, office)

        def work(conn: Connection) -> User:
            admin = actor(conn, as_)
            check(admin, Action.MANAGE_USERS, None, f"(menambah {user.describe()})")
            if conn.execute(select(users.c.name).where(users.c.name == user.name)).scalar() is not None:
                raise Refusal("USER_EXISTS", f"pengguna {user.name!r} sudah terdaftar; nama pengguna tidak "
                                             f"dipakai dua kali")
            return self._insert_user(conn, user, created_by=admin.name, now=self._now())
        return self._run(work)

    def deactivate_user(self, as_: str | None, name: str) -> User:
        return self._refusing(as_, "user.deactivate", f"user {name}", lambda: self._deactivate_user(as_, name))

    def _deactivate_user(self, as_: str | None, name: str) -> User:
        def work(conn: Connection) -> User:
            admin = actor(conn, as_)
            check(admin, Action.MANAGE_USERS, None, f"(menonaktifkan {name!r})")
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
            if row is None:
                raise Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar")
            if not row.active:
                raise Refusal("USER_INACTIVE", f"pengguna {name!r} sudah nonaktif")
            if row.role == Role.ADMIN.value:
                admins = conn.execute(select(func.count()).select_from(users).where(
                    users.c.role == Role.ADMIN.value, users.c.active.is_(True))).scalar_one()
                if admins <= 1:
                    raise Refusal("LAST_ADMIN", f"{name!r} adalah satu-satunya admin aktif; tambahkan admin lain "
                                                f"sebelum menonaktifkannya")
            now = self._now()
            conn.execute(update(users).where(users.c.name == name).values(active=False))
            audit(conn, [dict(at=now, actor=admin.name, action="user.deactivate", subject=f"user {name}",
                              before={"active": True}, after={"active": False})])
            end_sessions_of(conn, name, now, by=admin.name)  # signed out at once, in the same transaction
            return User(row.name, Role(row.role), row.office, False)
        return self._run(work)

    def set_user(self, as_: str | None, name: str, role: Role | str | None = None,
                 office: str | None = None) -> User:
        """An admin changes a user's role, office or both; the user as now. Refused: not an admin (ROLE), an
        unknown or deactivated user, a role or office not valid (INVALID_USER naming the field and the value),
        nothing asked or nothing different (NO_CHANGE), the last active admin's role taken away (LAST_ADMIN).
        The user's sessions go on: every request reads the role and office from the user's row, so the change
        holds from the next request on."""
        return self._refusing(as_, "user.set", f"user {name}", lambda: self._set_user(as_, name, role, office))

    def _set_user(self, as_: str | None, name: str, role: Role | str | None, office: str | None) -> User:
        try:
            new_role = None if role in (None, "") else role if isinstance(role, Role) else Role.parse(role)
            new_office = None if office in (None, "") else check_office(office)
        except ValueError as exc:
            raise Refusal("INVALID_USER", str(exc)) from None
        if new_role is None and new_office is None:
            raise Refusal("NO_CHANGE", f"pengguna {name!r}: tidak ada yang diubah (berikan peran, kantor, atau "
                                       f"keduanya)")

        def work(conn: Connection) -> User:
            admin = actor(conn, as_)
            check(admin, Action.MANAGE_USERS, None, f"(mengubah peran atau kantor {name!r})")
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
            if row is None:
                raise Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar")
            if not row.active:
                raise Refusal("USER_INACTIVE", f"pengguna {name!r} sudah nonaktif")
            before = User(row.name, Role(row.role), row.office, True)
            after = User(row.name, new_role or before.role, new_office or before.office, True)
            if after == before:
                raise Refusal("NO_CHANGE", f"pengguna {before.describe()}: peran dan kantornya sudah demikian")
            if before.role is Role.ADMIN and after.role is not Role.ADMIN:
                admins = conn.execute(select(func.count()).select_from(users).where(
                    users.c.role == Role.ADMIN.value, users.c.active.is_(True))).scalar_one()
                if admins <= 1:
                    raise Refusal("LAST_ADMIN", f"{name!r} adalah satu-satunya admin aktif; tambahkan admin lain "
                                                f"sebelum mengubah perannya")
            conn.execute(update(users).where(users.c.name == name)
                         .values(role=after.role.value, office=after.office))
            audit(conn, [dict(at=self._now(), actor=admin.name, action="user.set", subject=f"user {name}",
                              before={"role": before.role.value, "office": before.office},
                              after={"role": after.role.value, "office": after.office})])
            return after
        return self._run(work)

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.office, users.c.role, users.c.name)).all()
        return [User(r.name, Role(r.role), r.office, bool(r.active)) for r in rows]

    @staticmethod
    def _new_user(name: str, role: Role | str, office: str) -> User:
        try:
            return User(check_name(name), role if isinstance(role, Role) else Role.parse(role), check_office(office))
        except ValueError as exc:
            raise Refusal("INVALID_USER", str(exc)) from None

    @staticmethod
    def _insert_user(conn: Connection, user: User, *, created_by: str, now: str,
                     password_hash: str | None = None) -> User:
        values = dict(name=user.name, role=user.role.value, office=user.office, active=True, created_at=now,
                      created_by=created_by)
        after = {"role": user.role.value, "office": user.office, "active": True}
        if password_hash is not None:
            values.update(password_hash=password_hash, must_change_password=False, password_changed_at=now)
            after["password_set"] = True
        conn.execute(insert(users).values(**values))
        audit(conn, [dict(at=now, actor=created_by, action="user.add", subject=f"user {user.name}", after=after)])
        return user
