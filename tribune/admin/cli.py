"""First run at the terminal: `flask admin create NAME` makes an administrator and walks through
two-factor authentication, which staff must use (issue 17); `flask admin two-factor NAME` does
the second half for an existing staff account.

Interactive at a terminal (password asked twice, a QR code and the secret shown, the first code
asked until it is right). For scripts, the password comes from standard input
(`--password-stdin`) or TRIBUNE_ADMIN_PASSWORD, and two-factor authentication is set up at the
first login in a browser, where the site sends an administrator before anything else. Bad input
is refused with the reason, before anything is written; once the account exists, a failed or
interrupted 2FA step leaves it as it is and says how to finish.
"""

import os
import sys

import click
import segno
from flask import current_app
from flask_babel import force_locale

from tribune.services import Invalid, Refused, accounts, passwords, twofactor

PASSWORD_ENV = "TRIBUNE_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)
CODE_ATTEMPTS = 5


@click.group("admin")
def admin_cli():
    """The site's administrators: the first one, and their two-factor authentication."""


def _interactive(choice):
    """--interactive/--no-interactive, else whether a person sits at the terminal."""
    if choice is not None:
        return choice
    return sys.stdin.isatty() and sys.stdout.isatty()


def _say(error):
    """An Invalid or Refused from a service, in the terminal's language (English)."""
    field = getattr(error, "field", None)
    return f"{field}: {error.message}" if field else str(error.message)


def _password_from_script(password_stdin):
    if password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise click.ClickException("No password on standard input. Nothing was created.")
        return line.rstrip("\r\n")
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise click.ClickException(
            "No terminal to ask the password at: give it on standard input with "
            f"--password-stdin, or in {PASSWORD_ENV}. Nothing was created."
        )
    return password


def _ask_password(username):
    """Ask until the password meets the rules; a bad one is explained and asked again."""
    while True:
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
        try:
            passwords.check_rules(password, username)
        except Invalid as error:
            click.echo(f"Not accepted: {error.message} Try another.", err=True)
            continue
        return password


def _walk_through_two_factor(user):
    """Show a fresh secret, ask its first code (again while wrong); print the recovery codes."""
    secret = twofactor.new_secret()
    uri = twofactor.provisioning_uri(user, secret)
    click.echo("")
    click.echo("Two-factor authentication (required for administrators and moderators).")
    click.echo(
        "Scan this QR code with an authenticator app (Aegis, FreeOTP, Google Authenticator):"
    )
    segno.make(uri, error="m").terminal(compact=True)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    click.echo(f"or type this key into the app: {grouped}")
    click.echo(f"(address: {uri})")
    for attempt in range(1, CODE_ATTEMPTS + 1):
        code = click.prompt("The 6-digit code the app shows now", default="", show_default=False)
        try:
            codes = twofactor.enable_from_terminal(user, secret, code)
        except Invalid as error:
            left = CODE_ATTEMPTS - attempt
            click.echo(f"{error.message} ({left} attempt(s) left)", err=True)
            continue
        click.echo("")
        click.echo("Two-factor authentication is on. Recovery codes, each usable once if the")
        click.echo("phone is lost; keep them somewhere safe now, they are not shown again:")
        for recovery in codes:
            click.echo(f"  {recovery}")
        return True
    return False


def _finish_later(username):
    click.echo(
        f"Two-factor authentication is not set up yet. {username} will be asked to set it up at "
        f"the first login, before anything else; or run: flask --app tribune admin two-factor "
        f"{username}",
        err=True,
    )


def _next_steps(username):
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    click.echo(
        f"Next: log in as {username} at {base}/accounts/login and open {base}/admin/setup to "
        "name the site, choose its language and create its first sections."
    )


@admin_cli.command("create")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help=f"Read the password from the first line of standard input (or set {PASSWORD_ENV}).",
)
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask at the terminal (the default when there is one) or not (scripts).",
)
def admin_create(username, password_stdin, interactive):
    """Create an administrator and set up their two-factor authentication.

    At a terminal: asks the password twice and walks through two-factor authentication with an
    authenticator app. In scripts: the password from standard input (--password-stdin) or
    TRIBUNE_ADMIN_PASSWORD; two-factor authentication is then set up at the first login.
    """
    interactive = _interactive(interactive) and not password_stdin
    with force_locale("en"):
        try:
            accounts.validate_username(username.strip())
        except Invalid as error:
            raise click.ClickException(f"{_say(error)} Nothing was created.") from error
        if interactive:
            password = _ask_password(username.strip())
        else:
            password = _password_from_script(password_stdin)
        try:
            user = accounts.register(username, password, role="admin")
        except Invalid as error:
            raise click.ClickException(f"{_say(error)} Nothing was created.") from error
        click.echo(f"Created the administrator {user.username}.")
        if not interactive:
            _finish_later(user.username)
            _next_steps(user.username)
            return
        if not _two_factor_or_say_how(user):
            raise SystemExit(1)
        _next_steps(user.username)


def _two_factor_or_say_how(user):
    """The walk-through; if it fails or is interrupted, how to finish (the account stays)."""
    try:
        done = _walk_through_two_factor(user)
    except click.Abort:
        _finish_later(user.username)
        raise
    if not done:
        _finish_later(user.username)
    return done


@admin_cli.command("two-factor")
@click.argument("username")
def admin_two_factor(username):
    """Set up two-factor authentication for an administrator or moderator at the terminal."""
    from tribune import access

    with force_locale("en"):
        user = accounts.find_by_username(username)
        if user is None or not user.is_active or user.is_placeholder:
            raise click.ClickException(f"No account {username!r} that can log in.")
        if not access.is_staff(user):
            raise click.ClickException(
                f"{user.username} is neither an administrator nor a moderator in term: they set "
                "up two-factor authentication themselves, in their settings."
            )
        if twofactor.is_enabled(user):
            raise click.ClickException(
                f"{user.username} already uses two-factor authentication; nothing was changed."
            )
        try:
            done = _two_factor_or_say_how(user)
        except Refused as refused:
            raise click.ClickException(_say(refused)) from refused
        if not done:
            raise SystemExit(1)
