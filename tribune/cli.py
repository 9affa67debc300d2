"""Command line: demo content, re-rendering posts, account administration."""

import click
from sqlalchemy import select

from tribune.extensions import db


def register_commands(app):
    """Attach the command groups to the app's `flask` command."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(users_cli)


@click.group("demo")
def demo_cli():
    """Demo content."""


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has content.")
def demo_load(if_empty):
    """Load the demo sections, associations, papers and replies."""
    from tribune import demo

    if not demo.is_empty():
        if if_empty:
            click.echo("The database has content; demo not loaded.")
            return
        raise click.ClickException(
            "The database is not empty; the demo loads only into an empty one."
        )
    count = demo.load()
    click.echo(f"Demo content loaded: {count} posts.")


@click.group("posts")
def posts_cli():
    """Stored posts."""


@posts_cli.command("rerender")
@click.option("--batch", default=500, show_default=True, help="Posts per transaction.")
def posts_rerender(batch):
    """Render every post (and revision) again from its Markdown, e.g. after an allowlist change."""
    from tribune.services import rendering

    changed, total = rendering.rerender_all(batch_size=batch)
    click.echo(f"Re-rendered {total} texts; {changed} changed.")


@click.group("users")
def users_cli():
    """Accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.password_option(help="Asked for interactively when not given.")
def users_create(username, admin, password):
    """Create an account (an administrator with --admin)."""
    from tribune.services import Invalid, accounts

    try:
        user = accounts.register(username, password, role="admin" if admin else "participant")
    except Invalid as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from error
    click.echo(f"Created {user.username} ({user.role}).")


@users_cli.command("list")
def users_list():
    """List accounts: username, role, state. E-mail addresses are not printed."""
    from tribune.models import User

    for user in db.session.scalars(select(User).order_by(User.id)):
        state = (
            "disabled" if user.is_disabled else ("placeholder" if user.is_placeholder else "active")
        )
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{state}")
