"""One transaction per service call: what a service changed is committed by it, or nothing is.

Every service function that commits wears one of two decorators:

- `transaction`: roll back on any error, so a failing service leaves a clean session (no half
  change that a later flush in the same request could write) and the error goes on to the view.
- `act`: the same, and a moderation or administration act that writes a log entry is run again
  when another act took the entry's id first (moderation_log.record numbers entries last id + 1,
  so two acts at the same moment race for one id; the loser's commit fails with IntegrityError).

Running a function again is only safe when everything it did before the failed commit was
database work, which the rollback undid. So `act` is kept for log-writing services whose side
effects (mail) come after their commit; a service that sends, writes files or talks to another
system before it commits takes `transaction`. A service called inside another one still rolls
back when it fails, but only the outermost call retries, so a retry never repeats half of an
outer service's work.
"""

import contextvars
import functools

from sqlalchemy.exc import IntegrityError

from tribune.extensions import db

# How often an act is tried when another moderator's entry took its place in the log first.
LOG_RACE_ATTEMPTS = 3

_depth = contextvars.ContextVar("service_transaction_depth", default=0)


def _wrap(function, attempts):
    @functools.wraps(function)
    def run(*args, **kwargs):
        token = _depth.set(_depth.get() + 1)
        try:
            outermost = _depth.get() == 1
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except IntegrityError:
                    db.session.rollback()
                    if not outermost or attempt == attempts:
                        raise
                except BaseException:
                    db.session.rollback()
                    raise
            raise AssertionError("unreachable")
        finally:
            _depth.reset(token)

    return run


def transaction(function):
    """Run a service as one transaction: roll back on any error, so it leaves nothing behind."""
    return _wrap(function, attempts=1)


def act(function):
    """Run a logged act as one transaction: roll back on any error; run it again (up to
    LOG_RACE_ATTEMPTS times) if a concurrent act took the next log id."""
    return _wrap(function, attempts=LOG_RACE_ATTEMPTS)
