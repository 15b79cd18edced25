"""The command line proves who acts (issue 13, "the CLI proves identity too"): `beasiswa login` keeps a personal
token in a file only its owner may read, per database and user; BEASISWA_TOKEN gives batch jobs theirs; every
write asks for the token of each user it names, and refuses (exit 1, audited) a name without one, or whose
token expired, was revoked or ended with the user's deactivation; admins see and revoke tokens like sessions."""

import datetime as dt
import json
import os
import stat

import pytest
import typer
from freezegun import freeze_time
from sqlalchemy import select
from typer.testing import CliRunner

from beasiswa.auth import TOKEN, Auth
from beasiswa.cli import app
from beasiswa.cli.identity import token_path
from beasiswa.db.user_tables import audit_trail
from auth_support import CHEAP, PASSWORD, database, every_text, signing  # noqa: F401 - fixtures
from ledger_support import ROOT, sqlite_database
from workflow_support import staffed, tokens_of, url_of

runner = CliRunner()
CASE = ROOT / "fixtures" / "cases" / "01-contoh-kontrak.json"
UTC = dt.timezone.utc


def cli(w, *args, input=None, env=None):
    result = runner.invoke(app, [*args, "--db", url_of(w)], input=input, env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


def login(w, name, password=PASSWORD, *extra):
    return cli(w, "login", name, "--password-stdin", *extra, input=password + "\n")


def add_user(w, name="rina", *, as_=None, env=None):
    who = ["--as", as_] if as_ else []
    return cli(w, "users", "add", name, "--role", "auditor", "--office", "KP", *who, env=env)


def refused_rows(w, code):
    with w.engine.connect() as conn:
        rows = conn.execute(select(audit_trail).where(audit_trail.c.refusal_code == code).order_by(audit_trail.c.seq))
        return [(r.asked_as, r.action, r.subject, r.result) for r in rows]


def saved(path=None) -> list[dict]:
    return json.loads((path or token_path()).read_text(encoding="utf-8"))["tokens"]


# ------------------------------------------------------------------------------------------- login and the file

def test_login_keeps_a_token_only_its_owner_may_read_and_a_write_then_acts_as_that_user(signing, tmp_path,
                                                                                        monkeypatch):
    w, _ = signing
    monkeypatch.setenv("BEASISWA_TOKEN_FILE", str(tmp_path / "baru" / "tokens"))
    code, out = login(w, "admin")
    assert code == 0, out
    assert out.startswith("masuk sebagai admin (admin, KP): token ")
    path = token_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    [entry] = saved()
    assert entry["user"] == "admin" and entry["secret"] not in every_text(w)  # the database keeps its hash only
    assert add_user(w) == (0, "pengguna ditambahkan: rina (auditor, KP)\n")  # --as left out: the one signed in
    assert cli(w, "whoami")[1].startswith("admin (admin, KP): token ")


def test_a_token_file_its_group_or_others_may_read_is_refused_naming_the_path_and_its_mode(signing):
    w, _ = signing
    assert login(w, "admin")[0] == 0
    os.chmod(token_path(), 0o640)
    code, out = add_user(w, as_="admin")
    assert code == 2
    assert f"berkas token {token_path()}: mode 0640 dapat dibaca kelompok atau pengguna lain" in out.replace("\n", "")
    assert login(w, "admin")[0] == 2  # refused before the password is asked
    os.chmod(token_path(), 0o600)
    assert add_user(w, as_="admin")[0] == 0


def test_a_wrong_password_keeps_no_token(signing):
    w, _ = signing
    code, out = login(w, "admin", "bukan-kata-sandinya")
    assert code == 1 and "SIGN_IN_FAILED" in out
    assert not token_path().exists()


def test_a_one_time_password_is_replaced_at_login_by_the_second_line(signing):
    w, auth = signing
    auth.set_one_time_password("admin", "ani", "sekali-pakai-12", dt.datetime.now(UTC))
    code, out = login(w, "ani", "sekali-pakai-12")  # no second line: no new password, no token
    assert code == 2 and "kata sandi baru pada baris kedua" in out
    assert not token_path().exists()
    code, out = login(w, "ani", "sekali-pakai-12\nkata-sandi-ani-baru")
    assert code == 0, out
    assert out.startswith("kata sandi sekali pakai diganti; masuk sebagai ani (petugas, KC-PLG)")
    assert [e["user"] for e in saved()] == ["ani"]


def test_several_users_and_databases_each_keep_their_own_token(signing, tmp_path):
    w, _ = signing
    other = staffed_copy(tmp_path)
    assert login(w, "admin")[0] == 0 and login(w, "ani")[0] == 0 and login(other, "admin")[0] == 0
    assert sorted(e["user"] for e in saved()) == ["admin", "admin", "ani"]
    assert len({e["database"] for e in saved()}) == 2
    code, out = add_user(w)  # two signed in here: who acts?
    assert code == 2 and "2 pengguna sudah masuk pada basis data ini (admin, ani)" in out
    assert add_user(w, as_="admin")[0] == 0
    assert login(w, "admin")[0] == 0  # again: the old token ended, the file keeps one per user and database
    assert len(saved()) == 3


def staffed_copy(tmp_path):
    url = sqlite_database(tmp_path, "lain.db")
    w = staffed(url)
    auth_users_password(w)
    return w


def auth_users_password(w):
    from sqlalchemy import update

    from beasiswa.auth.passwords import hash_password
    from beasiswa.db.user_tables import users

    with w.engine.begin() as conn:
        conn.execute(update(users).values(password_hash=hash_password(PASSWORD, CHEAP)))


def test_a_token_of_another_database_is_not_used(signing, tmp_path):
    w, _ = signing
    other = staffed_copy(tmp_path)
    assert login(other, "admin")[0] == 0
    code, out = add_user(w, as_="admin")
    assert code == 1 and "NOT_SIGNED_IN: pengguna 'admin' belum masuk" in out
    [secret] = tokens_of(url_of(other), ["admin"]).values()
    code, out = add_user(w, as_="admin", env={"BEASISWA_TOKEN": secret})  # names no one here
    assert code == 1 and "NOT_SIGNED_IN" in out


# ------------------------------------------------------------------------------------------- refused tokens

def test_a_name_without_a_token_is_refused_telling_how_to_sign_in_and_the_refusal_is_audited(signing):
    w, _ = signing
    code, out = add_user(w, as_="admin")
    assert code == 1
    assert "users add: --as admin: NOT_SIGNED_IN: pengguna 'admin' belum masuk: masuk dulu dengan `beasiswa login " \
           "admin`" in out.replace("\n", "")
    assert refused_rows(w, "NOT_SIGNED_IN") == [("admin", "auth.authenticate", "perintah users add", "refused")]
    code, out = add_user(w)  # no name and no token at all
    assert code == 1 and "belum ada pengguna yang masuk" in out and "beasiswa login NAMA" in out


def test_a_token_is_good_until_30_days_after_login_and_refused_from_then_on(signing):
    w, _ = signing
    assert login(w, "admin")[0] == 0
    ends = dt.datetime.fromisoformat(saved()[0]["expires_at"])
    with freeze_time(ends - dt.timedelta(microseconds=1)):
        assert add_user(w, "rina", as_="admin")[0] == 0
    with freeze_time(ends):
        code, out = add_user(w, "sari", as_="admin")
    assert code == 1 and "SESSION_EXPIRED: token berakhir: berlaku 30 hari sejak dibuat" in out
    assert refused_rows(w, "SESSION_EXPIRED") == [("admin", "auth.authenticate", "perintah users add", "refused")]


def test_a_token_the_admin_revoked_is_refused_and_the_admin_saw_it_among_the_sessions(signing):
    w, _ = signing
    assert login(w, "admin")[0] == 0 and login(w, "ani")[0] == 0
    code, out = cli(w, "users", "sessions", "ani", "--as", "admin")
    assert code == 0 and "token CLI" in out and "ani" in out
    [ani_token] = [e["session"] for e in saved() if e["user"] == "ani"]
    assert cli(w, "users", "revoke", str(ani_token), "--as", "admin") == (
        0, f"sesi/token {ani_token} milik ani diakhiri\n")
    code, out = cli(w, "arrears", "KC-PLG-2025-000404", "--months", "0", "--as", "ani")
    assert code == 1 and "SESSION_ENDED: token sudah diakhiri (dicabut admin)" in out
    assert refused_rows(w, "SESSION_ENDED") == [("ani", "auth.authenticate", "perintah arrears", "refused")]
    code, out = cli(w, "users", "sessions", "--all", "--as", "admin")
    assert "diakhiri (revoked, oleh admin)" in out.replace("\n", "")


def test_a_deactivated_users_token_is_refused_naming_why(signing):
    w, _ = signing
    assert login(w, "admin")[0] == 0 and login(w, "ani")[0] == 0
    assert cli(w, "users", "deactivate", "ani", "--as", "admin")[0] == 0
    code, out = cli(w, "arrears", "KC-PLG-2025-000404", "--months", "0", "--as", "ani")
    assert code == 1 and "token sudah diakhiri (pengguna dinonaktifkan)" in out


def test_logout_ends_the_token_on_the_server_too(signing):
    w, auth = signing
    assert login(w, "ani")[0] == 0
    [secret] = [e["secret"] for e in saved()]
    assert cli(w, "logout") == (0, "keluar: ani (token diakhiri)\n")
    assert saved() == []
    with pytest.raises(Exception, match="SESSION_ENDED"):
        auth.authenticate(secret, dt.datetime.now(UTC), kind=TOKEN)
    assert cli(w, "whoami")[0] == 1


# ------------------------------------------------------------------------------------------- batch jobs

def test_beasiswa_token_with_two_users_lets_process_verify_as_one_and_approve_as_the_other(signing, tmp_path):
    w, _ = signing
    secrets = tokens_of(url_of(w), ["ani", "budi"])
    job = {"BEASISWA_TOKEN": f"{secrets['ani']}, {secrets['budi']}"}  # a comma, and a space for good measure
    args = ("process", str(CASE), "--out", str(tmp_path / "surat"), "--verify-as", "ani", "--approve-as", "budi",
            "--date", "2025-08-11")
    code, out = cli(w, *args, env={"BEASISWA_TOKEN": secrets["ani"]})  # the approver's token missing
    assert code == 1 and "process: --approve-as budi: NOT_SIGNED_IN" in out
    code, out = cli(w, *args, env=job)
    assert code == 0, out
    with w.engine.connect() as conn:
        done = conn.execute(select(audit_trail.c.actor, audit_trail.c.action).where(
            audit_trail.c.action.in_(["verify", "approve", "pay"]), audit_trail.c.result == "done")).all()
    assert {tuple(r) for r in done} == {("ani", "verify"), ("budi", "approve"), ("budi", "pay")}


# ------------------------------------------------------------------------------------------- every write asks

WRITES = {
    "verify": ["verify", "KC-PLG-2025-000001/klaim-1"],
    "approve": ["approve", "KC-PLG-2025-000001/klaim-1"],
    "pay": ["pay", "KC-PLG-2025-000001/klaim-1"],
    "return": ["return", "KC-PLG-2025-000001/klaim-1", "--missing", "claim_form"],
    "resubmit": ["resubmit", "KC-PLG-2025-000001/klaim-1", "--documents", "claim_form"],
    "override": ["override", "KC-PLG-2025-000001/klaim-1", "--outcome", "approved", "--reason", "x"],
    "appeal": ["appeal", "KC-PLG-2025-000001/klaim-1", "--reason", "x"],
    "reconsider": ["reconsider", "KC-PLG-2025-000001/klaim-1"],
    "arrears": ["arrears", "KC-PLG-2025-000001", "--months", "0"],
    "claims account": ["claims", "account", "KC-PLG-2025-000001", "klaim-1", "--bank", "BRI", "--number",
                       "014201012345501", "--holder", "Siti Aminah", "--reason", "x"],
    "intake": ["intake", str(CASE)],
    "process": ["process", str(CASE), "--out", "{tmp}/surat"],
    "queue": ["queue", "--mine"],
    "letters render": ["letters", "render", "--out", "{tmp}/surat"],
    "ledger record": ["ledger", "record", str(CASE), "--approver", "budi"],
    "ledger reverse": ["ledger", "reverse", "1", "--reason", "x", "--approver", "budi"],
    "users add": ["users", "add", "rina", "--role", "auditor", "--office", "KP"],
    "users deactivate": ["users", "deactivate", "dedi"],
    "users set": ["users", "set", "dedi", "--role", "supervisor"],
    "users password": ["users", "password", "dedi", "--password-stdin"],
    "users sessions": ["users", "sessions"],
    "users revoke": ["users", "revoke", "1"],
    "payments export": ["payments", "export", "--office", "KC-PLG", "--out", "{tmp}/transfer"],
    "payments batches": ["payments", "batches"],
    "payments show": ["payments", "show", "TRF/KC-PLG/20250801/001"],
    "payments verify": ["payments", "verify"],
    "payments reconcile": ["payments", "reconcile", str(CASE)],
    "payments exceptions": ["payments", "exceptions"],
    "payments resolve": ["payments", "resolve", "RKN/KC-PLG/20250801/001", "1", "--note", "x"],
}


@pytest.mark.parametrize("command", sorted(WRITES))
def test_every_command_that_names_who_acts_refuses_a_name_without_a_token_and_writes_nothing(signing, tmp_path,
                                                                                             command):
    w, _ = signing
    with w.engine.connect() as conn:
        before = len(conn.execute(select(audit_trail)).all())
    args = [a.replace("{tmp}", str(tmp_path)) for a in WRITES[command]]
    code, out = cli(w, *args, "--as", "ani", input="kata-sandi-baru-12\n")
    assert code == 1, out
    assert "NOT_SIGNED_IN: pengguna 'ani' belum masuk" in out
    with w.engine.connect() as conn:
        after = conn.execute(select(audit_trail).order_by(audit_trail.c.seq)).all()
    assert [(r.action, r.refusal_code) for r in after[before:]] == [("auth.authenticate", "NOT_SIGNED_IN")]


def test_the_list_above_is_every_command_with_an_as_option():
    found = set()

    def walk(command, path):
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, sub_name])
        if any("--as" in p.opts for p in getattr(command, "params", [])):
            found.add(" ".join(path))

    walk(typer.main.get_command(app), [])
    assert found == set(WRITES)
