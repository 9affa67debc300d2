"""Request-time wiring of search: settling the backend after requests that changed what it holds,
and keeping what readers search for out of the request log.

The backend derives what it can inside the writing transaction (fulltext.tracking). What it
derives after the commit (the Whoosh index) is brought up to date once per request or command,
however many commits it made: at the end of the request, or when the application context of a
command (import, demo, CLI) closes. A search made meanwhile catches up first, so nothing waits
on this to be found. SEARCH_INDEX_EACH_COMMIT settles at every commit outside requests instead
(tests that look into the index right after a service call).
"""

from __future__ import annotations

import logging
import re

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from tribune import fulltext
from tribune.fulltext import tracking


@event.listens_for(Session, "after_commit")
def _committed(session):
    if not tracking.take_committed(session) or not has_app_context():
        return
    if current_app.config.get("SEARCH_INDEX_EACH_COMMIT") and not has_request_context():
        fulltext.current().settle(budget=None)
    else:
        g.search_changed = True


def _after_request(exc):
    # A request does a bounded amount of indexing; a backlog beyond it is left to the next one.
    if g.pop("search_changed", False):
        fulltext.current().settle(budget=current_app.config["SEARCH_REQUEST_BUDGET"])


def _after_context(exc):
    if g.pop("search_changed", False):
        fulltext.current().settle(budget=None)


class RedactSearchQueries(logging.Filter):
    """Drop the query string of search requests from request log lines: what readers look for
    is nobody's business (PRODUCT.md, "Safety"). Installed on werkzeug's request logger (the
    development server); gunicorn's access log format is set in the README to leave it out."""

    _SEARCH = re.compile(r"(/(?:api/v1/)?search)\?\S*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._SEARCH.sub(r"\1?…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = self._SEARCH.sub(r"\1?…", record.msg)
        return True


def init_app(app):
    """Settle the backend after requests and commands that changed what search holds."""
    app.teardown_request(_after_request)
    app.teardown_appcontext(_after_context)
    request_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSearchQueries) for f in request_log.filters):
        request_log.addFilter(RedactSearchQueries())
