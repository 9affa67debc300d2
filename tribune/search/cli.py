"""`flask search ...`: rebuild the index, see how far it lags, run the indexing worker."""

import logging
import signal
import threading

import click
from flask import current_app

from tribune.fulltext import maintenance
from tribune.fulltext.store import IndexUnavailable
from tribune.models.base import utcnow
from tribune.services import search as search_service

log = logging.getLogger(__name__)


@click.group("search")
def search_cli():
    """The full-text search index (derived from the database; safe to rebuild at any time)."""


@search_cli.command("rebuild")
@click.option("--batch", default=500, show_default=True, help="Posts read per database query.")
@click.option(
    "--procs",
    type=click.IntRange(min=1),
    default=None,
    help="Indexing processes, each writing a segment of its own with a posting pool of its own "
    "(SEARCH_REBUILD_LIMITMB) [default: one per CPU, at most 4; fewer if that would leave under "
    f"{maintenance.MIN_POSTS_PER_PROC} posts to a process].",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
def rebuild(batch, procs, quiet):
    """Build a new index from the database beside the current one, then swap it in."""
    step = 10_000
    shown = 0

    def progress(count):
        nonlocal shown
        if not quiet and count // step > shown // step:
            click.echo(f"  {count} posts…", err=True)
        shown = count

    # A stop request (e.g. systemd, `kill`) unwinds like Ctrl-C: workers are stopped and the
    # unfinished generation is removed.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        done = maintenance.rebuild(
            search_service.store(),
            search_service.new_session,
            batch_size=batch,
            limitmb=current_app.config["SEARCH_REBUILD_LIMITMB"],
            procs=procs or maintenance.default_procs(),
            progress=progress,
        )
    except (maintenance.WorkerFailed, IndexUnavailable) as error:
        click.echo(f"search rebuild failed: {error}. The served index is unchanged.", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        click.echo("search rebuild interrupted. The served index is unchanged.", err=True)
        raise SystemExit(130) from None
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    rate = done.posts / done.seconds if done.seconds else 0
    processes = "1 process" if done.procs == 1 else f"{done.procs} processes"
    click.echo(
        f"Indexed {done.posts} posts in {done.seconds:.1f} s ({rate:.0f} posts/s, {processes}) "
        f"into {done.directory}; up to change {done.up_to} "
        f"({done.applied_after} applied after the snapshot)."
    )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@search_cli.command("status")
def status():
    """How far the index lags the database."""
    with search_service.new_session() as session:
        state = maintenance.status(search_service.store(), session)
    age = ""
    if state.oldest_pending_at is not None:
        age = f", oldest {(utcnow() - state.oldest_pending_at).total_seconds():.1f} s old"
    click.echo(f"last applied change: {state.last_applied}")
    click.echo(f"newest change:       {state.newest}")
    click.echo(f"lag:                 {state.pending} changes{age}")
    docs = "?" if state.documents is None else state.documents
    click.echo(f"documents:           {docs}")
    click.echo(f"directory:           {state.directory or '(none)'}")
    if state.error:
        click.echo(f"problem:             {state.error} -- run `flask search rebuild`")
        raise SystemExit(1)


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Apply what is pending, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between looks.")
def worker(once, interval):
    """Apply the change log continuously (for deployments with several web workers)."""
    interval = interval or current_app.config["SEARCH_WORKER_INTERVAL"]
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    reported = False
    while not stop.is_set():
        try:
            done = search_service.catch_up(wait=interval)
            reported = False
            if done is not None and done.changes:
                log.info("applied %d changes (%d posts)", done.changes, done.posts)
        except IndexUnavailable as error:
            if not reported:  # once per outage, not once per second
                click.echo(
                    f"search index unavailable: {error} -- run `flask search rebuild`", err=True
                )
                reported = True
            if once:
                raise SystemExit(1) from error
        except Exception:
            # The database may be restarting: say so, wait, and try again; changes stay logged.
            log.exception("search worker: applying changes failed; retrying")
            if once:
                raise
        if once:
            break
        stop.wait(interval)
    if not once:
        click.echo("search worker stopped")
