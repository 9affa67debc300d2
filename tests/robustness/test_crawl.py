"""Crawl every page reachable from the home page: no broken links, no 500, no writes on GET."""

import hashlib
import re
from collections import deque
from datetime import UTC, datetime

import time_machine
from sqlalchemy import MetaData, select

from tests.support import login
from tribune import demo
from tribune.extensions import db

LINK = re.compile(r'href="(/[^"#]*)"')
# Bounded: the demo has a few dozen pages; the limit only guards against a crawler trap.
MAX_PAGES = 400


# How far each participant has read each thread: written when a thread page is shown, by design
# (issue 16, docs/decisions/0501-notifications-in-the-event-transaction.md), like a browser's
# visited links. It changes nothing anyone else sees.
READING_STATE = frozenset({"thread_reads"})


def database_fingerprint():
    """A hash of every row of every table (but the readers' own reading state)."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    digest = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            if table.name in READING_STATE:
                continue
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def crawl(client, cookies=None):
    """GET every same-site page linked from the home page; returns {path: status}.

    With a `cookies` list, (path, redirect target) of every response that set a cookie is
    added to it."""
    seen, queue, statuses = {"/"}, deque(["/"]), {}
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        statuses[path] = response.status_code
        if cookies is not None and response.headers.getlist("Set-Cookie"):
            cookies.append((path, response.headers.get("Location", "")))
        if not response.content_type.startswith("text/html"):
            continue
        for link in LINK.findall(response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            if link.startswith("/static/") or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return statuses


def test_crawl_as_reader_and_participant(app, make_user):
    demo.load()
    for who in (None, "participant"):
        # The clock stands still during the crawl: a session notes when it was last seen at
        # most once a minute (a write by design), and a crawl on a busy machine can take longer.
        with time_machine.travel(datetime.now(UTC), tick=False):
            client = app.test_client()
            if who:
                make_user(who)
                login(client, who)
            before = database_fingerprint()
            statuses = crawl(client)
            after = database_fingerprint()
        assert len(statuses) >= 20, statuses
        broken = {path: code for path, code in statuses.items() if code >= 400}
        assert broken == {}, broken
        assert after == before, "a GET request changed the database"
