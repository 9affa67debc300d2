"""A static copy of the public site, for readers who cannot reach it (`flask mirror build DIR`).

Pages are rendered by the application itself, as an anonymous reader sees them (its own test
client, one isolated request each), so the copy shows exactly what the site shows and nothing a
reader could not see. Starting from the home page, every same-origin link a reader can follow is
fetched, written as a file and rewritten into a relative link, so the copy reads from a folder,
a USB stick, any static host or an onion service. Forms (search, log in, replies, the language
switch) are removed, as are links to what a copy cannot serve (accounts, search, the API,
moderation tools); each page carries a banner with the date of the copy and the live address.

`--since` updates an existing copy: every page is visited again but a thread's pages are only
fetched again when something in the thread changed after the previous copy (mirror.json), so a
big forum's unchanged debates are not rendered again.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import posixpath
import re
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, or_, select, union

from tribune.extensions import db
from tribune.models import (
    Action,
    ClosureEvent,
    ModerationLogEntry,
    Post,
    Quote,
    Thread,
    ThreadLink,
    Translation,
)
from tribune.models.base import utcnow

MANIFEST = "mirror.json"
# What a copy cannot serve or must not hold: accounts and profiles (no account data beyond the
# names on posts), search and the API (they need the server), moderation tools.
DENIED = ("/accounts/", "/search", "/api/", "/moderation/", "/locale")
ALLOWED = ("/moderation/log", "/moderation/log/head.json", "/moderation/moderators")
# Where the crawl starts; everything else is reached by following links.
START = (
    "/",
    "/tribune/",
    "/agenda/",
    "/papers/",
    "/calendar/",
    "/calendar/agenda.ics",
    "/associations/",
    "/moderation/log",
    "/moderation/log/head.json",
)
LINKING = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src"}
THREAD_PAGE = re.compile(r"^/t/(\d+)$")
# The calendar pages by month lead on forever; a copy holds the years with actions in them and
# the current one, each side one more (commemorations come back every year).
CALENDAR_PAGE = re.compile(r"^/calendar/(jalali/)?(?:six-months/)?(\d{4})/\d{2}$")
JALALI_OFFSET = 621
HISTORY_PAGE = re.compile(r"^/p/(\d+)/history$")


def public(path: str) -> bool:
    """Whether a path is part of the public site a copy holds."""
    if path in ALLOWED:
        return True
    return not any(path == d.rstrip("/") or path.startswith(d) for d in DENIED)


def file_for(path: str, query: str = "") -> str:
    """The file (relative to the copy's root) that holds the page at `path?query`."""
    path = unquote(path)
    last = path.rsplit("/", 1)[-1]
    if "." in last and not query:
        return path.lstrip("/")
    folder = path.strip("/")
    name = "index.html"
    if query:
        if re.fullmatch(r"[A-Za-z0-9=&_.-]{1,80}", query):
            name = f"index--{query.replace('&', '_')}.html"
        else:
            name = f"index--{hashlib.sha256(query.encode()).hexdigest()[:16]}.html"
    return f"{folder}/{name}" if folder else name


@dataclass
class Built:
    """What a build wrote."""

    pages: int = 0
    fetched: int = 0
    kept: int = 0
    files: list[str] = field(default_factory=list)


class _Crawl:
    def __init__(self, root: str, since: datetime | None, progress: Callable[[int], None] | None):
        self.root = root
        self.since = since
        self.progress = progress
        self.client = current_app.test_client(use_cookies=False)
        self.changed = _changed_threads(since) if since else None
        self.files: dict[str, str | None] = {}  # url -> file (None: not in the copy)
        self.fragments: dict[str, str] = {}  # url -> fragment a redirect added
        self.queue: deque[str] = deque()  # pages written as fetched, to rewrite
        self.built = Built()
        self.banner = _banner()
        self.years = _calendar_years()

    def _get(self, url):
        # One request in its own context, as a fresh browser would make it (no shared `g`).
        response = contextvars.Context().run(self.client.get, url)
        response.get_data()  # read it whole, then let go of files it streamed from
        response.close()
        return response

    def target(self, url: str) -> tuple[str | None, str]:
        """(file, fragment) of a same-origin url, fetching it first if need be."""
        if url not in self.files:
            self.fetch(url)
        return self.files[url], self.fragments.get(url, "")

    def fetch(self, url: str) -> None:
        parts = urlsplit(url)
        if not public(parts.path) or not self._in_calendar_range(parts.path):
            self.files[url] = None
            return
        name = file_for(parts.path, parts.query)
        self.files[url] = name
        if self._unchanged(parts.path, name):
            self.built.kept += 1
            return
        response = self._get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(response.headers["Location"])
            self.files[url] = None
            if location.netloc or not location.path.startswith("/"):
                return
            goal = location.path + (f"?{location.query}" if location.query else "")
            file, fragment = self.target(goal)
            self.files[url] = file
            self.fragments[url] = location.fragment or fragment
            return
        if response.status_code != 200:
            self.files[url] = None
            return
        # Written as it came at once (memory stays flat however many pages wait), rewritten
        # when its turn comes.
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(response.get_data())
        self.built.fetched += 1
        if response.mimetype == "text/html":
            self.queue.append(url)

    def _in_calendar_range(self, path) -> bool:
        match = CALENDAR_PAGE.match(path)
        if not match:
            return True
        year = int(match.group(2)) + (JALALI_OFFSET if match.group(1) else 0)
        return self.years[0] <= year <= self.years[1]

    def _unchanged(self, path, name) -> bool:
        """Under --since: a page of a thread (or a post's history) nothing happened to."""
        if self.changed is None or not os.path.exists(os.path.join(self.root, name)):
            return False
        match = THREAD_PAGE.match(path)
        if match:
            return int(match.group(1)) not in self.changed
        match = HISTORY_PAGE.match(path)
        if match:
            thread_id = db.session.scalar(select(Post.thread_id).where(Post.id == int(match[1])))
            return thread_id is not None and thread_id not in self.changed
        return False

    def finish(self, url) -> None:
        path = os.path.join(self.root, self.files[url])
        with open(path, encoding="utf-8") as handle:
            html = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.rewrite(url, self.files[url], html))

    def rewrite(self, url, name, html) -> str:
        soup = BeautifulSoup(html, "html.parser")
        for form in soup.find_all("form"):
            form.decompose()
        for nav in soup.select("nav.user-nav"):
            nav.decompose()
        if not current_app.config.get("PUBLIC_URL"):
            # Printed permanent links name the site's public address; without one configured
            # they would name the address the copy was made from, which nobody can reach.
            for link in soup.select(".print-link"):
                link.decompose()
        here = posixpath.dirname(name)
        for tag in soup.find_all(LINKING):
            attribute = LINKING[tag.name]
            value = tag.get(attribute)
            if not value:
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                if tag.name != "a":  # nothing is loaded from another origin
                    tag.decompose()
                continue
            if not parts.path:  # "#post-5": within the page
                continue
            absolute = parts.path + (f"?{parts.query}" if parts.query else "")
            file, fragment = self.target(absolute)
            if file is None:
                if tag.name == "a":
                    tag.unwrap()  # the text stays, the link to what the copy lacks goes
                else:
                    tag.decompose()
                continue
            fragment = parts.fragment or fragment
            relative = posixpath.relpath(file, here or ".")
            tag[attribute] = relative + (f"#{fragment}" if fragment else "")
        if soup.body is not None:
            soup.body.insert(0, BeautifulSoup(self.banner, "html.parser"))
        return str(soup)

    def run(self, start_urls) -> Built:
        for url in start_urls:
            self.target(url)
        while self.queue:
            self.finish(self.queue.popleft())
            self.built.pages += 1
            if self.progress:
                self.progress(1)
        self.built.files = sorted({f for f in self.files.values() if f})
        return self.built


def _calendar_years() -> tuple[int, int]:
    first, last = db.session.execute(
        select(func.min(Action.starts_at), func.max(Action.starts_at))
    ).one()
    now = utcnow().year
    return (min(first.year, now) if first else now) - 1, (max(last.year, now) if last else now) + 1


def _banner() -> str:
    config = current_app.config
    with force_locale(config["DEFAULT_LOCALE"]):
        return render_template(
            "mirror/banner.html", made_at=utcnow(), site=config.get("PUBLIC_URL") or ""
        )


def _changed_threads(since: datetime) -> set[int]:
    """Threads where anything a reader sees changed after `since` (posts, edits, translations,
    moderation acts, closures, links), and the threads they were merged into or split from."""
    queries = [
        select(Post.thread_id).where(or_(Post.created_at > since, Post.edited_at > since)),
        select(Post.thread_id)
        .join(Translation, Translation.post_id == Post.id)
        .where(func.coalesce(Translation.updated_at, Translation.created_at) > since),
        select(ModerationLogEntry.thread_id).where(ModerationLogEntry.created_at > since),
        select(ModerationLogEntry.related_thread_id).where(ModerationLogEntry.created_at > since),
        select(ClosureEvent.thread_id).where(ClosureEvent.created_at > since),
        select(ThreadLink.debate_id).where(ThreadLink.created_at > since),
        select(ThreadLink.action_id).where(ThreadLink.created_at > since),
        select(Thread.id).where(Thread.created_at > since),
    ]
    changed = {row for row in db.session.scalars(union(*queries)) if row is not None}
    # What changed shows on the threads linked to it and quoting it: those are rendered again.
    if changed:
        quoted = select(Post.id).where(Post.thread_id.in_(changed))
        neighbours = [
            select(ThreadLink.debate_id).where(ThreadLink.action_id.in_(changed)),
            select(ThreadLink.action_id).where(ThreadLink.debate_id.in_(changed)),
            select(Post.thread_id)
            .join(Quote, Quote.post_id == Post.id)
            .where(Quote.quoted_post_id.in_(quoted)),
        ]
        changed |= set(db.session.scalars(union(*neighbours)))
    return changed


def build(root: str, since: datetime | None = None, progress=None) -> Built:
    """Write the copy into `root` (created if missing). With `since`, keep the pages of threads
    that did not change after it."""
    if os.path.isdir(root) and os.listdir(root):
        if previous_build(root) is None:
            raise MirrorRefused(
                f"{root} is not empty and holds no copy of the site (no {MANIFEST}): "
                "choose an empty or new directory."
            )
        if since is None:
            _empty(root)  # a full copy again: nothing hidden since may stay behind
    os.makedirs(root, exist_ok=True)
    crawl = _Crawl(root, since, progress)
    if crawl.changed:
        _forget(root, crawl.changed)
    built = crawl.run(START)
    _copy_static(root)
    with open(os.path.join(root, MANIFEST), "w", encoding="utf-8") as handle:
        json.dump(
            {"built_at": utcnow().isoformat(), "site": current_app.config.get("PUBLIC_URL") or "",
             "pages": built.pages},
            handle,
        )  # fmt: skip
    return built


class MirrorRefused(Exception):
    """The directory cannot take a copy; nothing was written."""


def _empty(root: str) -> None:
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def _forget(root: str, thread_ids: set[int]) -> None:
    """Remove the pages of changed threads (all their pages, their posts' histories), so that
    what is no longer public does not survive in the copy; the crawl writes what still is."""
    for thread_id in thread_ids:
        shutil.rmtree(os.path.join(root, "t", str(thread_id)), ignore_errors=True)
    post_ids = db.session.scalars(select(Post.id).where(Post.thread_id.in_(thread_ids)))
    for post_id in post_ids:
        shutil.rmtree(os.path.join(root, "p", str(post_id)), ignore_errors=True)


def _copy_static(root: str) -> None:
    """The stylesheet's font and the other static files pages load, whether linked or not."""
    source = current_app.static_folder
    shutil.copytree(source, os.path.join(root, "static"), dirs_exist_ok=True)


def previous_build(root: str) -> datetime | None:
    """When the copy in `root` was made, from its mirror.json (None if there is none)."""
    try:
        with open(os.path.join(root, MANIFEST), encoding="utf-8") as handle:
            return datetime.fromisoformat(json.load(handle)["built_at"])
    except (OSError, ValueError, KeyError):
        return None
