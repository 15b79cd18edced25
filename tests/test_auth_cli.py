"""`beasiswa users password`: an admin sets a one-time password on the command line (typed at a hidden prompt,
or on standard input for scripts such as `make demo`); its user signs in with it and must change it first."""

from typer.testing import CliRunner

from beasiswa.auth import Auth
from beasiswa.cli import app
from auth_support import CHEAP, at, auth_rows, user_row
from workflow_support import database, signed_in, staffed, staffed_and_signed_in  # noqa: F401 - `database` is the fixture

ONE_TIME = "sekali-pakai-12"


def run(database, *args, input=None):
    return CliRunner().invoke(app, ["users", "password", *args, "--db", database], input=input)


def test_an_admin_sets_a_one_time_password_the_user_must_change_at_the_first_sign_in(database):
    w = staffed(database)
    signed_in(database)
    done = run(database, "ani", "--password-stdin", "--as", "admin", input=ONE_TIME + "\n")
    assert done.exit_code == 0, done.output
    assert "kata sandi sekali pakai ditetapkan: ani" in done.output
    assert ONE_TIME not in user_row(w, "ani")["password_hash"]
    opened = Auth(w.engine, hasher=CHEAP).sign_in("ani", ONE_TIME, at())
    assert opened.session.must_change_password
    assert [r["action"] for r in auth_rows(w)][:1] == ["auth.password_reset"]


def test_the_password_is_asked_twice_at_a_hidden_prompt(database):
    staffed_and_signed_in(database)
    done = run(database, "ani", "--as", "admin", input=f"{ONE_TIME}\n{ONE_TIME}\n")
    assert done.exit_code == 0, done.output
    assert ONE_TIME not in done.output


def test_a_password_of_11_characters_is_bad_input_and_nothing_is_set(database):
    w = staffed(database)
    signed_in(database)
    done = run(database, "ani", "--password-stdin", "--as", "admin", input="sebelas-kar\n")
    assert done.exit_code == 2
    assert "minimal 12 karakter (diberikan 11 karakter)" in done.output
    assert user_row(w, "ani")["password_hash"] is None


def test_a_password_of_12_characters_is_taken(database):
    w = staffed(database)
    signed_in(database)
    done = run(database, "ani", "--password-stdin", "--as", "admin", input="dua-belas-ka\n")
    assert done.exit_code == 0, done.output
    assert user_row(w, "ani")["must_change_password"]


def test_an_officer_cannot_set_a_password_and_the_refusal_is_audited(database):
    w = staffed(database)
    signed_in(database)
    done = run(database, "dedi", "--password-stdin", "--as", "ani", input=ONE_TIME + "\n")
    assert done.exit_code == 1
    assert user_row(w, "dedi")["password_hash"] is None
    refused = [r for r in auth_rows(w) if r["action"] == "auth.password_reset"]
    assert [(r["result"], r["asked_as"]) for r in refused] == [("refused", "ani")]
