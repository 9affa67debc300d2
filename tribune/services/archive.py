"""Archive import and export: threads as JSON Lines, also how old mailing lists and sites come in.

One JSON object per line, one thread each (the first post opens it):

    {"area": "tribune"|"agenda", "section": SLUG, "section_title"?: TEXT,
     "kind"?: "paper"|"discussion"|"action", "title": TEXT, "language"?: "fa",
     "association"?: SLUG,
     "posts": [{"author": USERNAME, "created_at": ISO 8601 WITH OFFSET, "language"?: CODE,
                "body": MARKDOWN, "hidden"?: BOOL, "hidden_reason"?: TEXT,
                "translations"?: [{"language": CODE, "body": MARKDOWN, "translator": USERNAME}]},
               ...]}

Import validates the whole file first and reports every problem as `FILE:LINE: field: message`;
one bad line and nothing is imported. A valid file is written in one transaction: missing sections
and associations are created, unknown authors become placeholder accounts (no password, cannot
log in), timestamps are kept, hidden posts stay hidden with their reason. Search derives from
the same transaction (fulltext/tracking.py), exactly once per post. Export writes the same
format; importing an export into an empty instance gives the same threads, posts, authors, dates
and translations back.

An association is stored as the co-signatory of a position paper (models/debate.py), so only
threads of kind "paper" may name one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.models import Association, Post, Section, Thread, User
from tribune.services import sections as sections_service
from tribune.services import site
from tribune.services.accounts import DELETED_PREFIX, username_key
from tribune.services.archive_format import (
    ArchiveInvalid,
    Paper,
    PaperSignature,
    Problem,
    Translation,
    existing_users,
    read_file,
    usernames,
)
from tribune.services.sections import SectionTexts
from tribune.text import markup

__all__ = ["ArchiveInvalid", "Problem", "Report", "export_file", "import_file", "read_file"]


@dataclass
class Report:
    """What an import wrote."""

    threads: int = 0
    posts: int = 0
    translations: int = 0
    placeholders: int = 0
    sections: int = 0
    associations: int = 0
    thread_ids: list[int] = field(default_factory=list)


# Writing


def import_file(path: str) -> Report:
    """Validate the whole file, then import it in one transaction; ArchiveInvalid if anything
    is wrong (and then nothing is written)."""
    records = read_file(path)
    report = Report()
    try:
        users = _accounts_for(records, report)
        sections = _sections_for(records, report)
        associations = _associations_for(records, report)
        pending = []
        for _number, record in records:
            pending.append(_write_thread(record, users, sections, report))
            if len(pending) >= FLUSH_THREADS:
                _finish(pending, users, associations, report)
        _finish(pending, users, associations, report)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def _accounts_for(records, report) -> dict[str, User]:
    users = existing_users(usernames(records))
    for name in sorted(usernames(records)):
        key = username_key(name)
        if key in users:
            continue
        user = User(username=name, username_key=key, is_placeholder=True, password_hash=None)
        if key.startswith(DELETED_PREFIX):
            # An exported deleted account comes back as what it was: a former participant.
            user.is_disabled = True
            user.deleted_at = datetime.now(UTC)
        db.session.add(user)
        users[key] = user
        report.placeholders += 1
    db.session.flush()
    return users


def _sections_for(records, report) -> dict[str, Section]:
    sections = {s.slug: s for s in db.session.scalars(select(Section))}
    position = db.session.scalar(select(func.coalesce(func.max(Section.position), 0))) or 0
    for _number, record in records:
        slug = record["section"]
        if slug not in sections:
            position += 1
            # The import's transaction is committed (or not) as a whole, by the importer.
            default = site.current().default_locale
            sections[slug] = sections_service.build(
                record["area"],
                slug,
                {default: SectionTexts(record["section_title"] or slug)},
                position=position,
                default=default,
            )
            report.sections += 1
    return sections


def _associations_for(records, report) -> dict[str, Association]:
    associations = {a.slug: a for a in db.session.scalars(select(Association))}
    for _number, record in records:
        slug = record["association"]
        if slug and slug not in associations:
            associations[slug] = Association(slug=slug, name=slug)
            db.session.add(associations[slug])
            report.associations += 1
    return associations


# Threads written per flush. A flush per thread cost 40 % of an import (issue 14): each one
# runs the unit of work and the search tracking hooks again and inserts rows one thread at a time.
FLUSH_THREADS = 200


def _finish(pending, users, associations, report) -> None:
    """Flush the pending threads at once, then set what needed their ids."""
    db.session.flush()
    for thread, posts, record in pending:
        _count_visible(thread, posts)
        if record["kind"] == "paper" and Paper is not None:
            _write_paper(thread, record, users, associations)
        report.thread_ids.append(thread.id)
    pending.clear()


def _write_paper(thread, record, users, associations) -> None:
    opener = users[username_key(record["posts"][0]["author"])]
    paper = Paper(
        thread=thread, summary="", position="", position_key="", created_at=thread.created_at
    )
    db.session.add(paper)
    if record["association"]:
        db.session.add(
            PaperSignature(
                paper=paper,
                association=associations[record["association"]],
                signed_by_id=opener.id,
                signed_at=thread.created_at,
            )
        )


def _write_thread(record, users, sections, report):
    """Add a thread, its posts and their translations to the session (not flushed yet)."""
    posts_in = record["posts"]
    opener = users[username_key(posts_in[0]["author"])]
    section = sections[record["section"]]
    thread = Thread(
        section=section,
        author=opener,
        title=record["title"],
        kind=record["kind"],
        language=record["language"],
        created_at=posts_in[0]["created_at"],
        last_post_at=posts_in[0]["created_at"],
    )
    db.session.add(thread)
    posts = []
    for item in posts_in:
        post = Post(
            thread=thread,
            author=users[username_key(item["author"])],
            language=item["language"],
            body_source=item["body"],
            body_html=markup.render(item["body"]),
            created_at=item["created_at"],
            is_hidden=item["hidden"],
            hidden_reason=item["hidden_reason"],
        )
        db.session.add(post)
        posts.append(post)
        report.posts += 1
    for post, item in zip(posts, posts_in, strict=True):
        for translated in item["translations"]:
            db.session.add(
                Translation(
                    post=post,
                    language=translated["language"],
                    translator=users[username_key(translated["translator"])],
                    body_source=translated["body"],
                    body_html=markup.render(translated["body"]),
                    source_revision=0,
                    created_at=post.created_at,
                )
            )
            report.translations += 1
        if item["translations"] and hasattr(post, "translation_count"):
            post.translation_count = len(item["translations"])
    report.threads += 1
    return thread, posts, record


def _count_visible(thread, posts):
    # The readers' counters, by the same rule moderation keeps them (services/moderation.py
    # recount_thread): a thread is hidden with its opening post; counts are of visible posts.
    thread.is_hidden = posts[0].is_hidden
    visible = [post for post in posts if not post.is_hidden]
    thread.reply_count = sum(1 for post in visible if post is not posts[0])
    last = visible[-1] if visible else None
    thread.last_post_id = last.id if last else None
    thread.last_post_at = last.created_at if last else thread.created_at
    if not thread.is_hidden:
        thread.section.thread_count = (thread.section.thread_count or 0) + 1


# Export


def export_records(include_hidden: bool = False) -> Iterator[dict]:
    """Every thread in the archive format, oldest first; hidden posts only if asked."""
    last = 0
    while True:
        threads = db.session.scalars(
            select(Thread).where(Thread.id > last).order_by(Thread.id).limit(200)
        ).all()
        if not threads:
            return
        last = threads[-1].id
        ids = [thread.id for thread in threads]
        posts = _posts_by_thread(ids)
        visible = _visible_post_ids(ids)
        translations = _translations_by_post([p.id for ps in posts.values() for p in ps])
        signatures = _signatures_by_thread(ids)
        for thread in threads:
            record = _thread_record(
                thread, posts.get(thread.id, []), visible, translations, signatures, include_hidden
            )
            if record is not None:
                yield record
        db.session.expunge_all()


def _posts_by_thread(thread_ids):
    found: dict[int, list[Post]] = {}
    for post in db.session.scalars(
        select(Post).where(Post.thread_id.in_(thread_ids)).order_by(Post.id)
    ):
        found.setdefault(post.thread_id, []).append(post)
    return found


def _visible_post_ids(thread_ids):
    # The readers' rule (access.py), so whatever readers cannot see is "hidden" in the export.
    return set(
        db.session.scalars(
            select(Post.id).where(Post.thread_id.in_(thread_ids), access.visible_posts_clause(None))
        )
    )


def _translations_by_post(post_ids):
    found: dict[int, list] = {}
    if Translation is None or not post_ids:
        return found
    for start in range(0, len(post_ids), 500):
        rows = db.session.scalars(
            select(Translation)
            .where(Translation.post_id.in_(post_ids[start : start + 500]))
            .order_by(Translation.id)
        )
        for translation in rows:
            found.setdefault(translation.post_id, []).append(translation)
    return found


def _signatures_by_thread(thread_ids):
    found: dict[int, str] = {}
    if PaperSignature is None:
        return found
    rows = db.session.execute(
        select(PaperSignature.thread_id, Association.slug)
        .join(Association, Association.id == PaperSignature.association_id)
        .where(PaperSignature.thread_id.in_(thread_ids), PaperSignature.withdrawn_at.is_(None))
        .order_by(PaperSignature.signed_at, PaperSignature.id)
    )
    for thread_id, slug in rows:
        found.setdefault(thread_id, slug)  # the format holds one: the first to sign
    return found


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _thread_record(thread, posts, visible, translations, signatures, include_hidden):
    if not posts or (posts[0].id not in visible and not include_hidden):
        # A merged (emptied) thread has nothing to export; a hidden opening post hides its
        # thread, title included.
        return None
    record = {
        "area": thread.section.area,
        "section": thread.section.slug,
        "section_title": thread.section.title,
        "kind": thread.kind,
        "title": thread.title,
        "language": thread.language,
    }
    if thread.id in signatures:
        record["association"] = signatures[thread.id]
    record["posts"] = [
        _post_record(post, post.id not in visible, translations.get(post.id, []))
        for post in posts
        if include_hidden or post.id in visible
    ]
    return record


def _post_record(post, hidden, translations):
    item = {
        "author": post.author.username,
        "created_at": _iso(post.created_at),
        "language": post.language,
        "body": post.body_source,
    }
    if hidden:
        item["hidden"] = True
        item["hidden_reason"] = post.hidden_reason or "hidden with its author's account"
    if translations:
        item["translations"] = [
            {"language": t.language, "body": t.body_source, "translator": t.translator.username}
            for t in translations
        ]
    return item


def export_file(path: str, include_hidden: bool = False) -> int:
    """Write the archive to `path`; the number of threads written."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record in export_records(include_hidden):
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
