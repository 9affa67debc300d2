"""`flask mail ...`: send the notification e-mail of the outbox (services/mail.py)."""

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from tribune.extensions import db
from tribune.services import mail

mail_cli = AppGroup("mail", help="Send notification e-mail from the outbox.")
log = logging.getLogger("tribune.mail")


def _report(counts):
    return ", ".join(f"{name} {value}" for name, value in counts.items())


@mail_cli.command("send")
def send():
    """One pass (for cron): write due digests, send what is due, retry later what failed."""
    if not mail.enabled():
        click.echo("E-mail is off: set TRIBUNE_SMTP_URL, TRIBUNE_MAIL_FROM and TRIBUNE_PUBLIC_URL.")
        return
    click.echo(_report(mail.send_pass()))


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between passes.")
def worker(interval):
    """Send continuously, a pass every --interval seconds, until SIGTERM or Ctrl-C."""
    if not mail.enabled():
        raise click.ClickException(
            "E-mail is off: set TRIBUNE_SMTP_URL, TRIBUNE_MAIL_FROM and TRIBUNE_PUBLIC_URL."
        )
    interval = interval or current_app.config["MAIL_WORKER_INTERVAL"]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        try:
            counts = mail.send_pass()
            if any(counts.values()):
                log.info("mail pass: %s", _report(counts))
        except Exception:
            # The database may be restarting: the outbox keeps everything; try again later.
            db.session.rollback()
            log.exception("mail worker: pass failed; retrying")
        finally:
            db.session.remove()
        stop.wait(interval)
    click.echo("mail worker stopped")


@mail_cli.command("status")
def status():
    """How many messages are pending, being sent, sent, void or failed."""
    counts = mail.status_counts()
    for name in ("pending", "sending", "sent", "void", "failed"):
        click.echo(f"{name}: {counts.get(name, 0)}")


@mail_cli.command("retry")
def retry():
    """Queue the failed messages again (once the cause, e.g. a wrong password, is fixed)."""
    click.echo(f"{mail.retry_failed()} message(s) queued again")
