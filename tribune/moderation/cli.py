"""`flask moderation ...`: verify the log's hash chain; grant a term from the command line."""

from datetime import UTC, datetime, time, timedelta

import click

from tribune.services.moderation_log import verify_chain


@click.group("moderation")
def moderation_cli():
    """Moderation: the log and moderator terms."""


@moderation_cli.command("verify-log")
def verify_log():
    """Check every entry of the moderation log against the hash chain; exit 1 at the first break."""
    verdict = verify_chain()
    if verdict.ok:
        click.echo(f"The moderation log is intact: {verdict.count} entries, head {verdict.head}.")
        return
    click.echo(
        f"The moderation log is broken at entry {verdict.broken_id}: {verdict.problem}. "
        f"{verdict.count} entries before it are intact.",
        err=True,
    )
    raise SystemExit(1)


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
