"""Atom 1.0 documents (RFC 4287) with feedgen, and conditional GET.

feedgen writes every element RFC 4287 requires (feed and entry id, title, updated; an author on
each entry; alternate links); a small entry extension, through feedgen's public extension API,
adds the xml:lang of each entry, since a feed mixes Persian, German, French... posts.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from flask import Response, current_app, request
from werkzeug.http import is_resource_modified

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A feed with no entry yet is dated so, so that its ETag stays the same until one appears.
EPOCH = datetime(2010, 3, 28, tzinfo=UTC)
# Feed readers poll; they may keep a copy this long before asking again (seconds).
MAX_AGE = 300


class _FeedLanguage(BaseExtension):
    """Nothing at feed level (the feed's own language is feedgen's `language`)."""


class _EntryLanguage(BaseEntryExtension):
    """xml:lang on one <entry>."""

    def __init__(self):
        self.lang = None

    def language(self, lang=None):
        if lang is not None:
            self.lang = lang
        return self.lang

    def extend_atom(self, entry):
        if self.lang:
            entry.set(XML_LANG, self.lang)
        return entry


@dataclass
class Entry:
    """One entry: `url` is its permanent address (also its id), `html` sanitized HTML."""

    url: str
    title: str
    updated: datetime
    published: datetime
    author: str
    html: str
    language: str


@dataclass
class Feed:
    url: str  # the feed's own address (rel="self"), also its id
    page_url: str  # the page it follows (rel="alternate")
    title: str
    language: str
    subtitle: str = ""
    entries: list = field(default_factory=list)

    @property
    def updated(self):
        return max((entry.updated for entry in self.entries), default=EPOCH)

    @property
    def etag(self):
        """Changes whenever an entry comes, goes (hidden) or is edited, or the title changes."""
        state = "|".join(f"{e.url}@{e.updated.isoformat()}" for e in self.entries)
        return hashlib.sha256(f"{self.title}|{self.language}|{state}".encode()).hexdigest()[:32]


def absolute(path):
    """An absolute address on this site: from PUBLIC_URL when set (never a client's Host)."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return base + path


def render(feed):
    """The Atom document of `feed`, as bytes."""
    generator = FeedGenerator()
    generator.register_extension("tribune", _FeedLanguage, _EntryLanguage, atom=True, rss=False)
    generator.id(feed.url)
    generator.title(feed.title)
    if feed.subtitle:
        generator.subtitle(feed.subtitle)
    generator.language(feed.language)
    generator.updated(feed.updated)
    generator.link(href=feed.url, rel="self", type="application/atom+xml")
    generator.link(href=feed.page_url, rel="alternate", type="text/html")
    generator.generator("Tribune")
    for item in feed.entries:
        entry = generator.add_entry(order="append")
        entry.id(item.url)
        entry.title(item.title)
        entry.updated(item.updated)
        entry.published(item.published)
        entry.author({"name": item.author})
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.content(item.html, type="html")
        entry.tribune.language(item.language)
    return generator.atom_str(pretty=False)


def respond(feed):
    """The feed, or 304 Not Modified when the reader's copy (ETag / date) is current."""
    etag, modified = feed.etag, feed.updated
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": f"public, max-age={MAX_AGE}",
    }
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        return Response(status=304, headers=headers)
    return Response(render(feed), mimetype="application/atom+xml", headers=headers)
