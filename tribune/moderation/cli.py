"""`flask moderation ...`: verify the log's hash chain; grant a term from the command line."""

from datetime import UTC, datetime, time, timedelta

import click

from tribune.services.moderation_log import key_id, verify_chain


@click.group("moderation")
def moderation_cli():
    """Moderation: the log and moderator terms."""


@moderation_cli.command("verify-log")
@click.option(
    "--expect-head",
    "expect_head",
    metavar="HASH",
    help="A head hash noted earlier (from the log page); fail unless the chain still holds it.",
)
def verify_log(expect_head):
    """Check every entry of the moderation log against the keyed hash chain; exit 1 at the
    first break, or when the chain no longer holds the head given with --expect-head."""
    expect = (expect_head or "").strip().lower() or None
    verdict = verify_chain(expect_head=expect)
    if not verdict.ok:
        click.echo(
            f"The moderation log is broken at entry {verdict.broken_id}: {verdict.problem}. "
            f"{verdict.count} entries before it are intact.",
            err=True,
        )
        raise SystemExit(1)
    if expect and verdict.witnessed_id is None:
        click.echo(
            f"The moderation log no longer holds the head {expect}: entries noted before were "
            f"removed or rewritten. It now has {verdict.count} entries, head {verdict.head}.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        f"The moderation log is intact: {verdict.count} entries, head {verdict.head} "
        f"(log key {key_id()})."
    )
    if verdict.legacy:
        click.echo(
            f"The first {verdict.legacy} entries were written before the log had a key "
            f"(plain SHA-256); every later entry is keyed and covers them."
        )
    if expect:
        click.echo(f"It still holds the head {expect}, at entry {verdict.witnessed_id}.")


@moderation_cli.command("key-log")
def key_log():
    """Record how many entries were written before the log had a key (once, after upgrading).

    Those entries (plain SHA-256) are then accepted at the start of the log, and no others:
    an entry that is not keyed past them is a rewrite. Compare the number with what members
    noted before the upgrade if you can.
    """
    from flask import current_app

    from tribune import config as config_module

    verdict = verify_chain(plain_entries=2**63)
    if not verdict.ok:
        raise click.ClickException(
            f"The log is broken at entry {verdict.broken_id}: {verdict.problem}. Nothing recorded."
        )
    recorded = current_app.config.get("LOG_PLAIN_ENTRIES") or 0
    if recorded == verdict.legacy:
        click.echo(f"Already recorded: the first {recorded} entries are from before the key.")
        return
    if recorded:
        raise click.ClickException(
            f"{recorded} entries were recorded as written before the key, but the log now starts "
            f"with {verdict.legacy}: it was rewritten. Nothing recorded."
        )
    config_module.record_plain_entries(current_app.instance_path, verdict.legacy)
    click.echo(
        f"Recorded: the first {verdict.legacy} of {verdict.count} entries were written before "
        f"the log had a key (head {verdict.head}). Later entries must all be keyed."
    )


@moderation_cli.command("grant-term")
@click.argument("username")
@click.option("--by", "admin_name", required=True, help="The administrator granting the term.")
@click.option("--start", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
@click.option("--days", default=182, show_default=True, help="Length of the term in days.")
@click.option("--association", default="", help="Slug of the association the term is held for.")
@click.option("--reason", required=True, help="Why; published in the moderation log.")
def grant_term(username, admin_name, start, days, association, reason):
    """Grant a moderator term (e.g. to bootstrap the first moderators)."""
    from sqlalchemy import select

    from tribune.extensions import db
    from tribune.models import Association
    from tribune.services import Invalid, NotFound, accounts, terms

    admin = accounts.find_by_username(admin_name)
    user = accounts.find_by_username(username)
    first_day = (start or datetime.now(UTC)).date()
    starts_at = datetime.combine(first_day, time.min, tzinfo=UTC)
    ends_at = starts_at + timedelta(days=days)
    found = None
    if association:
        found = db.session.scalar(select(Association).where(Association.slug == association))
        if found is None:
            raise click.ClickException(f"No association {association!r}.")
    try:
        term = terms.grant_term(admin, user, starts_at, ends_at, reason, found)
    except NotFound as error:
        raise click.ClickException(f"{admin_name!r} is not an active administrator.") from error
    except Invalid as error:
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from error
    click.echo(f"Term {term.id}: {user.username} moderates from {starts_at:%Y-%m-%d} "
               f"to {ends_at:%Y-%m-%d} (UTC).")
