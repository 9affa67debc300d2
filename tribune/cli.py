"""Command line: demo content, re-rendering posts, account administration, consistency check."""

import click
from sqlalchemy import select

from tribune.extensions import db


def register_commands(app):
    """Attach the command groups to the app's `flask` command."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(users_cli)
    from tribune.admin.cli import admin_cli

    app.cli.add_command(admin_cli)
    from tribune.moderation.cli import moderation_cli

    app.cli.add_command(moderation_cli)
    from tribune.search.cli import search_cli

    app.cli.add_command(search_cli)
    from tribune.notifications.cli import mail_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(archive_cli)
    from tribune.backup_cli import backup_cli

    app.cli.add_command(backup_cli)
    from tribune.mirror_cli import mirror_cli

    app.cli.add_command(mirror_cli)
    app.cli.add_command(check_command)
    app.cli.add_command(static_cli)


@click.command("check")
@click.option("--repair", is_flag=True, help="Rewrite every wrong value from the rows.")
def check_command(repair):
    """Check stored counters, derived values, the search data and the moderation log against
    the rows.

    Exits 1 when anything was wrong (repaired or not), naming each; 0 when all is right.
    """
    from sqlalchemy.orm import Session

    from tribune import fulltext
    from tribune.extensions import db
    from tribune.services import counters
    from tribune.services.moderation_log import verify_chain

    findings = counters.check(repair=repair)
    for finding in findings:
        click.echo(finding.describe(), err=True)
    verdict = verify_chain()
    if not verdict.ok:
        # Append-only: nothing to repair, only to report (see `flask moderation verify-log`).
        click.echo(
            f"moderation_log: broken at entry {verdict.broken_id}: {verdict.problem}", err=True
        )
    if findings and repair:
        click.echo(f"Repaired {len(findings)} kind(s) of value from the rows.", err=True)
    # Search is derived too (after the repairs above, which it may have to follow).
    search = fulltext.current()
    problems = search.status(lambda: Session(db.engine), thorough=True).problems
    for problem in problems:
        click.echo(f"search: {problem}", err=True)
    if problems and repair:
        done = search.rebuild(lambda: Session(db.engine))
        click.echo(f"Search derived again from the rows ({done.posts} posts).", err=True)
    if findings or problems or not verdict.ok:
        raise SystemExit(1)
    click.echo(
        f"All stored counters, derived values and search data match the rows; "
        f"the moderation log holds {verdict.count} intact entries."
    )


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
    from tribune.services.accounts import posting_limits_waived

    # Demo accounts are minutes old and post at once: new-account limits are for the web.
    with posting_limits_waived():
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
    if admin:
        from flask import current_app

        base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
        click.echo(
            f"Next: log in as {user.username} and open {base}/admin/setup to name the site, "
            "choose its language and create its first sections. Administrators set up "
            "two-factor authentication first (`flask admin create` walks through it here)."
        )


@users_cli.command("reset-link")
@click.argument("username")
@click.option("--base-url", default=None, help="The forum's public address (default PUBLIC_URL).")
def users_reset_link(username, base_url):
    """Print a single-use password-reset link for an account, to hand over in person."""
    from flask import current_app

    from tribune.services import NotFound, accounts, resets

    base = base_url or current_app.config.get("PUBLIC_URL") or ""
    try:
        url = resets.issue_admin_link(None, accounts.find_by_username(username), base)
    except NotFound as error:
        raise click.ClickException(f"No account {username!r} that can log in.") from error
    minutes = current_app.config["ADMIN_RESET_LINK_MINUTES"]
    click.echo(url)
    click.echo(f"Valid once, for {minutes} minutes.", err=True)
    if not base:
        click.echo("Set TRIBUNE_PUBLIC_URL (or --base-url) to print a full address.", err=True)


@users_cli.command("list")
def users_list():
    """List accounts: username, role, state. E-mail addresses are not printed."""
    from tribune.models import User

    for user in db.session.scalars(select(User).order_by(User.id)):
        state = (
            "disabled" if user.is_disabled else ("placeholder" if user.is_placeholder else "active")
        )
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{state}")


@click.group("archive")
def archive_cli():
    """Import and export threads as JSON Lines (one thread per line; see services/archive.py)."""


@archive_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def archive_import(path):
    """Import threads from a .jsonl file: all of it, or nothing if any line is wrong."""
    from tribune.services import archive

    try:
        report = archive.import_file(path)
    except archive.ArchiveInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(invalid.problems)} problem(s) found; nothing was imported."
        ) from invalid
    click.echo(
        f"Imported {report.threads} threads and {report.posts} posts "
        f"({report.placeholders} placeholder accounts, {report.sections} new sections, "
        f"{report.associations} new associations)."
    )


@archive_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--include-hidden", is_flag=True, help="Also write hidden posts (with reasons).")
def archive_export(path, include_hidden):
    """Export every thread to a .jsonl file, in the import format."""
    from tribune.services import archive

    count = archive.export_file(path, include_hidden=include_hidden)
    click.echo(f"Exported {count} threads to {path}.")


@click.group("static")
def static_cli():
    """Static files for production (tribune/assets.py)."""


@static_cli.command("build")
def static_build():
    """Fingerprint and compress tribune/static/ into STATIC_BUILD_DIR; restart the workers after."""
    from pathlib import Path

    from flask import current_app

    from tribune import assets

    target = Path(current_app.config["STATIC_BUILD_DIR"])
    manifest = assets.build(Path(current_app.static_folder), target)
    click.echo(f"Built {len(manifest)} static files into {target}.")
