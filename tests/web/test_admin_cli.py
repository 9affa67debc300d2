"""First run (issue 17): `flask admin create NAME` makes an administrator and walks through
two-factor authentication at a terminal; scripts give the password on standard input or in the
environment; bad input is refused before anything is written."""

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import RecoveryCode, User
from tribune.services import accounts, twofactor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
GOOD = "a long and private passphrase"


def run(app, *args, input=None, env=None):
    return app.test_cli_runner().invoke(args=["admin", *args], input=input, env=env)


def users():
    return db.session.scalar(sql_select(func.count(User.id)))


@pytest.fixture
def known_secret(monkeypatch):
    # The walk-through shows a fresh secret and then asks its code; the runner's input is
    # written beforehand, so the secret is fixed here (the pty test below reads a real one).
    monkeypatch.setattr(twofactor, "new_secret", lambda: SECRET)
    return pyotp.TOTP(SECRET)


def test_interactive_creation_walks_through_two_factor(app, client, known_secret):
    result = run(
        app,
        "create",
        "coordinator",
        "--interactive",
        input=f"short\nshort\n{GOOD}\n{GOOD}\n123\n{known_secret.now()}\n",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Use at least 12 characters" in out  # a bad password is explained and asked again
    assert "JBSW Y3DP" in out and "otpauth://totp/Tribune:coordinator" in out
    assert "This code is not right" in out  # a wrong code too
    codes = re.findall(r"^  ([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})$", out, re.M)
    assert len(codes) == 10
    user = accounts.find_by_username("coordinator")
    assert user.role == "admin" and twofactor.is_enabled(user)
    assert "/admin/setup" in out
    # The account logs in with the password and a recovery code from the terminal.
    login(client, "coordinator", GOOD)
    page = client.post("/accounts/login/code", data={"code": codes[0]}, follow_redirects=True)
    assert page.status_code == 200
    assert client.get("/admin/").status_code == 200


def test_scripts_give_the_password_on_stdin_or_in_the_environment(app):
    result = run(app, "create", "coordinator", "--password-stdin", input=f"{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "will be asked to set it up at the first login" in result.output
    assert accounts.authenticate("coordinator", GOOD).role == "admin"
    result = run(app, "create", "second-admin", "--no-interactive",
                 env={"TRIBUNE_ADMIN_PASSWORD": GOOD})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("second-admin", GOOD).role == "admin"
    assert not twofactor.is_enabled(accounts.find_by_username("second-admin"))


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create", "admin", "--password-stdin"), f"{GOOD}\n", "This username is reserved."),
        (("create", "x", "--password-stdin"), f"{GOOD}\n", "3 to 30 Latin letters"),
        (("create", "coordinator", "--password-stdin"), "\n", "No password on standard input"),
        (("create", "coordinator", "--password-stdin"), "short\n", "at least 12 characters"),
        (("create", "coordinator", "--no-interactive"), "", "TRIBUNE_ADMIN_PASSWORD"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(app, args, stdin, message):
    before = users()
    result = run(app, *args, input=stdin, env={"TRIBUNE_ADMIN_PASSWORD": ""})
    assert result.exit_code == 1
    assert message in result.output and "Nothing was created" in result.output
    assert users() == before


def test_a_taken_name_is_refused(app, make_user):
    make_user("coordinator")
    result = run(app, "create", "Coordinator", "--password-stdin", input=f"{GOOD}\n")
    assert result.exit_code == 1 and "This username is taken" in result.output
    assert accounts.find_by_username("coordinator").role == "participant"


def test_a_failed_walk_through_keeps_the_account_and_two_factor_finishes_it(app, known_secret):
    result = run(
        app, "create", "coordinator", "--interactive",
        input=f"{GOOD}\n{GOOD}\n" + "000000\n" * 5,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "admin two-factor coordinator" in result.output
    user = accounts.find_by_username("coordinator")
    assert user.role == "admin" and not twofactor.is_enabled(user)
    result = run(app, "two-factor", "coordinator", input=f"{known_secret.now()}\n")
    assert result.exit_code == 0, result.output
    assert twofactor.is_enabled(accounts.find_by_username("coordinator"))
    assert db.session.scalar(sql_select(func.count(RecoveryCode.id))) == 10
    again = run(app, "two-factor", "coordinator", input="000000\n")
    assert again.exit_code == 1 and "already uses two-factor" in again.output


def test_two_factor_is_for_staff_accounts_only(app, make_user):
    make_user("sara")
    result = run(app, "two-factor", "sara", input="000000\n")
    assert result.exit_code == 1 and "neither an administrator nor a moderator" in result.output
    assert run(app, "two-factor", "nobody").exit_code == 1


def _read_until(fd, pattern, seen):
    """Read the terminal until `pattern` appears in what it showed; return all of it."""
    while not re.search(pattern, seen[0]):
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"the command stopped before {pattern!r}:\n{seen[0]}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        assert chunk, f"the command ended before {pattern!r}:\n{seen[0]}"
        seen[0] += chunk.decode("utf-8", "replace")
    return seen[0]


def test_at_a_real_terminal_it_asks_without_being_told(tmp_path):
    """The command sees a terminal (a pty) and asks: no flag, as a person would run it."""
    if os.environ.get("TRIBUNE_TEST_DATABASE_URL"):
        pytest.skip("runs against its own SQLite file")
    flask = str(Path(sys.executable).with_name("flask"))
    env = {
        **os.environ,
        "TRIBUNE_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRIBUNE_DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}",
        "FLASK_SKIP_DOTENV": "1",
    }
    subprocess.run([flask, "--app", "tribune", "db", "upgrade"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [flask, "--app", "tribune", "admin", "create", "coordinator"],
        stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    seen = [""]
    try:
        _read_until(primary, r"Password for coordinator: ", seen)
        os.write(primary, f"{GOOD}\n".encode())
        _read_until(primary, r"Repeat for confirmation: ", seen)
        os.write(primary, f"{GOOD}\n".encode())
        shown = _read_until(primary, r"code the app shows now: ", seen)
        secret = re.search(r"type this key into the app: ([A-Z2-7 ]+)", shown).group(1)
        os.write(primary, f"{pyotp.TOTP(secret.replace(' ', '')).now()}\n".encode())
        done = _read_until(primary, r"/admin/setup", seen)
        assert process.wait(timeout=120) == 0, done
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert "Two-factor authentication is on" in done
    assert PASSWORD not in done and GOOD not in done  # the password is never echoed
