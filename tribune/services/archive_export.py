"""Writing the public archive (format in services/archive.py): what readers can see, and nothing
private. Posts and threads are numbered within the file ("p1", "t1"), in the order written, so
quotes, replies and links refer to each other without database ids, and exporting again after an
import into an empty instance gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.models import (
    Action,
    Association,
    ClosureEvent,
    Paper,
    PaperSignature,
    Post,
    PostRevision,
    Quote,
    Section,
    Thread,
    ThreadLink,
    Translation,
    User,
)

VERSION = 2
BATCH = 200


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _compact(item: dict) -> dict:
    """Leave out empty optional fields, so files stay small and stable."""
    return {key: value for key, value in item.items() if value not in (None, "", [], {}, False)}


def export_records(include_hidden: bool = False) -> Iterator[dict]:
    """The archive line by line: its header, sections, associations, then every thread."""
    yield {"type": "tribune-archive", "version": VERSION}
    for section in db.session.scalars(select(Section).order_by(Section.position, Section.id)):
        yield _compact(
            {
                "type": "section",
                "slug": section.slug,
                "area": section.area,
                "title": section.title,
                "description": section.description,
                "translations": section.translations,
                "position": section.position,
            }
        )
    for association in db.session.scalars(select(Association).order_by(Association.id)):
        yield _compact(
            {
                "type": "association",
                "slug": association.slug,
                "name": association.name,
                "city": association.city,
                "country": association.country,
                "description": association.description,
            }
        )
    yield from _Threads(include_hidden).records()


class _Threads:
    """Threads in id order, in batches, with the file's own numbering of threads and posts."""

    def __init__(self, include_hidden):
        self.include_hidden = include_hidden
        self.thread_refs: dict[int, str] = {}
        self.post_refs: dict[int, str] = {}
        self.exported_threads = self._exported_threads()
        self.exported_posts = self._exported_posts()

    def _exported_threads(self) -> set[int]:
        # Numbered up front: a link may point to a thread written later in the file.
        query = select(Thread.id).order_by(Thread.id)
        if not self.include_hidden:
            query = query.where(Thread.is_hidden.is_(False))
        ids = set(db.session.scalars(query.where(Thread.merged_into_id.is_(None))))
        for number, thread_id in enumerate(sorted(ids), start=1):
            self.thread_refs[thread_id] = f"t{number}"
        return ids

    def _exported_posts(self) -> set[int]:
        query = select(Post.id, Post.thread_id).order_by(Post.thread_id, Post.id)
        if not self.include_hidden:
            query = query.where(access.visible_posts_clause(None))
        ids = set()
        for post_id, thread_id in db.session.execute(query):
            if thread_id in self.exported_threads:
                ids.add(post_id)
                self.post_refs[post_id] = f"p{len(self.post_refs) + 1}"
        return ids

    def records(self) -> Iterator[dict]:
        ordered = sorted(self.exported_threads)
        for start in range(0, len(ordered), BATCH):
            ids = ordered[start : start + BATCH]
            threads = db.session.scalars(
                select(Thread).where(Thread.id.in_(ids)).order_by(Thread.id)
            )
            loaded = _Loaded(ids, self.exported_posts)
            for thread in threads:
                record = self._thread(thread, loaded)
                if record is not None:
                    yield record
            db.session.expunge_all()

    def _thread(self, thread, loaded) -> dict | None:
        posts = loaded.posts.get(thread.id, [])
        if not posts:
            return None
        record = {
            "ref": self.thread_refs[thread.id],
            "area": thread.section.area,
            "section": thread.section.slug,
            "kind": thread.kind,
            "title": thread.title,
            "language": thread.language,
            "locked": thread.is_locked,
            "pinned": thread.is_pinned,
        }
        paper = loaded.papers.get(thread.id)
        if paper is not None:
            record["paper"] = _compact(
                {
                    "summary": paper.summary,
                    "position": paper.position,
                    "signatures": [
                        _compact(
                            {
                                "association": s.association.slug,
                                "signed_by": s.signed_by.username,
                                "signed_at": _iso(s.signed_at),
                                "withdrawn_at": _iso(s.withdrawn_at),
                                "withdrawn_by": s.withdrawn_by.username
                                if s.withdrawn_by is not None
                                else None,
                            }
                        )
                        for s in loaded.signatures.get(thread.id, [])
                    ],
                }
            )
        action = loaded.actions.get(thread.id)
        if action is not None:
            record["action"] = _compact(
                {
                    "starts_at": _iso(action.starts_at),
                    "ends_at": _iso(action.ends_at),
                    "timezone": action.timezone,
                    "city": action.city,
                    "place": action.place,
                    "status": action.status,
                }
            )
        record["closures"] = [
            _compact(
                {
                    "kind": event.kind,
                    "by": event.actor.username,
                    "at": _iso(event.created_at),
                    "agreed": event.agreed_source,
                    "disputed": event.disputed_source,
                    "reason": event.reason,
                }
            )
            for event in loaded.closures.get(thread.id, [])
        ]
        record["links"] = [
            {"action": self.thread_refs[link.action_id],
             "by": loaded.link_authors[link.created_by_id], "at": _iso(link.created_at)}
            for link in loaded.links.get(thread.id, [])
            if link.action_id in self.thread_refs
        ]  # fmt: skip
        record["posts"] = [self._post(post, loaded) for post in posts]
        return _compact(record)

    def _post(self, post, loaded) -> dict:
        item = {
            "ref": self.post_refs[post.id],
            "author": post.author.username,
            "created_at": _iso(post.created_at),
            "edited_at": _iso(post.edited_at),
            "language": post.language,
            "body": post.body_source,
            "reply_to": self.post_refs.get(post.reply_to_id),
        }
        if post.id in loaded.hidden:
            item["hidden"] = True
            item["hidden_reason"] = post.hidden_reason or "hidden with its author's account"
        item["quotes"] = [
            _compact(
                {
                    "post": self.post_refs[quote.quoted_post_id],
                    "passage": quote.passage,
                    "quoted_revision": quote.quoted_revision,
                }
            )
            for quote in loaded.quotes.get(post.id, [])
            if quote.quoted_post_id in self.post_refs
        ]
        item["revisions"] = [
            _compact(
                {
                    "number": revision.number,
                    "title": revision.title,
                    "language": revision.language,
                    "body": revision.body_source,
                    "written_at": _iso(revision.written_at),
                    "replaced_at": _iso(revision.replaced_at),
                    "replaced_by": revision.replaced_by.username,
                }
            )
            for revision in loaded.revisions.get(post.id, [])
        ]
        item["translations"] = [
            _compact(
                {
                    "language": t.language,
                    "title": t.title,
                    "body": t.body_source,
                    "translator": t.translator.username,
                    "created_at": _iso(t.created_at),
                    "updated_at": _iso(t.updated_at),
                    "source_revision": t.source_revision,
                }
            )
            for t in loaded.translations.get(post.id, [])
        ]
        return _compact(item)


class _Loaded:
    """Everything a batch of threads needs, a few queries per batch (never one per post)."""

    def __init__(self, thread_ids, exported_posts):
        self.posts: dict[int, list[Post]] = {}
        for post in db.session.scalars(
            select(Post).where(Post.thread_id.in_(thread_ids)).order_by(Post.id)
        ):
            if post.id in exported_posts:
                self.posts.setdefault(post.thread_id, []).append(post)
        post_ids = [p.id for posts in self.posts.values() for p in posts]
        visible = set(
            db.session.scalars(
                select(Post.id).where(
                    Post.thread_id.in_(thread_ids), access.visible_posts_clause(None)
                )
            )
        )
        self.hidden = set(post_ids) - visible
        self.papers = self._by(Paper, Paper.thread_id, thread_ids, single=True)
        self.actions = self._by(Action, Action.thread_id, thread_ids, single=True)
        self.signatures = self._by(
            PaperSignature, PaperSignature.thread_id, thread_ids, order=PaperSignature.id
        )
        self.closures = self._by(ClosureEvent, ClosureEvent.thread_id, thread_ids, ClosureEvent.id)
        self.links = self._by(ThreadLink, ThreadLink.debate_id, thread_ids, ThreadLink.id)
        authors = {link.created_by_id for links in self.links.values() for link in links}
        self.link_authors = dict(
            db.session.execute(select(User.id, User.username).where(User.id.in_(authors))).all()
        )
        self.quotes = self._by(Quote, Quote.post_id, post_ids, (Quote.position, Quote.id))
        self.revisions = self._by(PostRevision, PostRevision.post_id, post_ids, PostRevision.number)
        self.translations = self._by(Translation, Translation.post_id, post_ids, Translation.id)

    @staticmethod
    def _by(model, column, ids, order=None, single=False):
        found: dict = {}
        orders = order if isinstance(order, tuple) else (order,) if order is not None else ()
        for start in range(0, len(ids), 500):
            query = select(model).where(column.in_(ids[start : start + 500])).order_by(*orders)
            for row in db.session.scalars(query).unique():
                key = getattr(row, column.key)
                if single:
                    found[key] = row
                else:
                    found.setdefault(key, []).append(row)
        return found


def export_file(path: str, include_hidden: bool = False) -> int:
    """Write the archive to `path`; the number of threads written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in export_records(include_hidden):
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += "posts" in record
    return count
