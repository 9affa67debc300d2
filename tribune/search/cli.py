"""`flask search ...`: rebuild the search data, check it, and run the Whoosh indexing worker."""

import logging
import signal
import threading

import click
from flask import current_app

from tribune import fulltext
from tribune.extensions import db
from tribune.fulltext.backend import SearchUnavailable

log = logging.getLogger(__name__)


@click.group("search")
def search_cli():
    """Full-text search (derived from the database; safe to rebuild at any time)."""


def _new_session():
    from sqlalchemy.orm import Session

    return Session(db.engine)


@search_cli.command("rebuild")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def rebuild(quiet):
    """Derive the search data again from the database; searches keep being answered."""
    backend = fulltext.current()
    bar = None
    shown = 0

    def progress(done, total):
        nonlocal bar, shown
        if quiet:
            return
        if bar is None:
            stream = click.get_text_stream("stderr")
            bar = click.progressbar(length=total, label="Posts", file=stream)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    # A stop request (systemd, `kill`) unwinds like Ctrl-C: what was half-built is thrown away.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        done = backend.rebuild(_new_session, progress=progress)
    except SearchUnavailable as error:
        click.echo(f"search rebuild failed: {error}. What was served is unchanged.", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        click.echo("search rebuild interrupted. What was served is unchanged.", err=True)
        raise SystemExit(130) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    rate = done.posts / done.seconds if done.seconds else 0
    click.echo(
        f"Derived {done.texts} texts of {done.posts} posts in {done.seconds:.1f} s "
        f"({rate:.0f} posts/s, {backend.name} backend){'; ' + done.detail if done.detail else ''}."
    )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@search_cli.command("status")
@click.option(
    "--quick",
    is_flag=True,
    help="Count instead of reading all of the search data (for frequent checks).",
)
def status(quick):
    """Read the search data and check it against the database; exit 1 naming each problem."""
    state = fulltext.current().status(_new_session, thorough=not quick)
    width = max(len(name) for name, _value in state.facts) + 1
    for name, value in state.facts:
        click.echo(f"{name + ':':<{width}} {value}")
    for problem in state.problems:
        click.echo(f"problem: {problem}", err=True)
    if state.problems:
        raise SystemExit(1)
    click.echo("search: OK")


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Apply what is pending, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between looks.")
def worker(once, interval):
    """Apply the Whoosh backend's change log continuously (several web workers on one host)."""
    backend = fulltext.current()
    if backend.derived_in_transaction:
        click.echo(
            f"Nothing to run: the {backend.name} backend derives search data in each writing "
            "transaction."
        )
        return
    interval = interval or current_app.config["SEARCH_WORKER_INTERVAL"]
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    reported = False
    while not stop.is_set():
        try:
            done = backend.catch_up(wait=interval)
            reported = False
            if done is not None and done.changes:
                log.info("applied %d changes (%d posts)", done.changes, done.posts)
        except SearchUnavailable as error:
            if not reported:  # once per outage, not once per second
                click.echo(f"search index unavailable: {error}", err=True)
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
