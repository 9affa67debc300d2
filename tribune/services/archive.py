"""The public archive: JSON Lines anyone may keep, share and import; also how old mailing lists
and sites come in. It holds what readers can see, never private data (e-mail addresses, password
hashes, sessions, memberships, reports, moderator notes); hidden posts only with
`--include-hidden`.

Version 2 (written by `archive export`): one JSON object per line, ? marks what may be left out.

    {"type": "tribune-archive", "version": 2}
    {"type": "section", "slug": SLUG, "area": "tribune"|"agenda", "title": TEXT,
     "description"?: TEXT, "translations"?: {LANG: {"title": .., "description": ..}},
     "position"?: N}                                                      (one per section)
    {"type": "association", "slug": SLUG, "name": TEXT, "city"?: TEXT, "country"?: TEXT,
     "description"?: TEXT}                                                (one per association)
    {"ref": "t1", "area": .., "section": SLUG, "kind"?: "discussion"|"paper"|"action",
     "title": TEXT, "language"?: "fa", "locked"?: true, "pinned"?: true,
     "paper"?: {"summary"?: TEXT, "position": TEXT,
                "signatures"?: [{"association": SLUG, "signed_by": USERNAME, "signed_at": TIME,
                                 "withdrawn_at"?: TIME, "withdrawn_by"?: USERNAME}]},
     "action"?: {"starts_at": TIME, "ends_at"?: TIME, "timezone": IANA ZONE, "city": TEXT,
                 "place"?: TEXT, "status"?: "planned"|"cancelled"},
     "closures"?: [{"kind": "close"|"reopen", "by": USERNAME, "at": TIME, "agreed"?: MARKDOWN,
                    "disputed"?: MARKDOWN, "reason"?: TEXT}],
     "links"?: [{"action": "t7", "by": USERNAME, "at": TIME}],
     "posts": [{"ref": "p1", "author": USERNAME, "created_at": TIME, "edited_at"?: TIME,
                "language"?: CODE, "body": MARKDOWN, "reply_to"?: "p1",
                "quotes"?: [{"post": "p1", "passage": TEXT, "quoted_revision"?: N}],
                "revisions"?: [{"number": 1, "title"?: TEXT, "language": CODE, "body": MARKDOWN,
                                "written_at": TIME, "replaced_at": TIME,
                                "replaced_by": USERNAME}],
                "hidden"?: true, "hidden_reason"?: TEXT,
                "translations"?: [{"language": CODE, "title"?: TEXT, "body": MARKDOWN,
                                  "translator": USERNAME, "created_at"?: TIME,
                                  "updated_at"?: TIME, "source_revision"?: N}]},
               ...]}                                                      (one per thread)

TIME is ISO 8601 with an offset. "t…" and "p…" name threads and posts within the file: replies,
quotes and links refer to them, wherever in the file they are. Version 1 files (threads only, no
refs, an optional "section_title" and one "association" for a paper) still import.

Import validates the whole file first and reports every problem as `FILE:LINE: field: message`
(a bad UTF-8 byte, a line cut off at the end of the file, a reference to a post the file does not
hold); one bad line and nothing is imported. A valid file is written in one transaction: missing
sections and associations are created, unknown people become placeholder accounts (no password,
cannot log in), timestamps are kept, hidden posts stay hidden with their reason. Search derives
from the same transaction (fulltext/tracking.py). Exporting, importing into an empty instance and
exporting again gives the same bytes.

A position paper lives in the tribune (docs/decisions/0402): a paper in the agenda is refused,
as moving one there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from tribune.extensions import db
from tribune.models import (
    Association,
    Post,
    PostRevision,
    Quote,
    Section,
    Thread,
    Translation,
    User,
)
from tribune.services import archive_export, archive_kinds, site, thread_days
from tribune.services import sections as sections_service
from tribune.services.accounts import DELETED_PREFIX, username_key
from tribune.services.archive_format import (
    ArchiveInvalid,
    Problem,
    existing_users,
    read_archive,
    read_file,
    usernames,
)
from tribune.services.sections import SectionTexts
from tribune.services.transaction import transaction
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


@transaction
def import_file(path: str) -> Report:
    """Validate the whole file, then import it in one transaction; ArchiveInvalid if anything
    is wrong (and then nothing is written)."""
    archive = read_archive(path)
    records = archive.threads
    report = Report()
    users = _accounts_for(records, report)
    sections = _sections_for(archive, report)
    associations = _associations_for(archive, report)
    written = _Written()
    pending = []
    for _number, record in records:
        pending.append(_add_thread(record, users, sections, report, written))
        if len(pending) >= FLUSH_THREADS:
            _finish(pending, users, associations, report)
    _finish(pending, users, associations, report)
    _write_references(records, users, written)
    # The archive's days of the sections, once at the end (one read of their threads).
    thread_days.recount(*sections.values())
    db.session.commit()
    return report


@dataclass
class _Written:
    """The rows written for the file's own names ("t1", "p1"), for references between them."""

    threads: dict[str, Thread] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)


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


def _sections_for(archive, report) -> dict[str, Section]:
    """The sections the file names: existing ones are kept as they are, new ones created from
    the file's section lines (or from the thread's slug and title, as version 1 files say)."""
    sections = {s.slug: s for s in db.session.scalars(select(Section))}
    position = db.session.scalar(select(func.coalesce(func.max(Section.position), 0))) or 0
    for _number, line in archive.sections:
        if line["slug"] not in sections:
            sections[line["slug"]] = sections_service.restore(line)
            report.sections += 1
    for _number, record in archive.threads:
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


def _associations_for(archive, report) -> dict[str, Association]:
    associations = {a.slug: a for a in db.session.scalars(select(Association))}
    wanted = [(line["slug"], line) for _number, line in archive.associations]
    for _number, record in archive.threads:
        wanted.append((record["association"], None))
        if record["paper"]:
            wanted += [(s["association"], None) for s in record["paper"]["signatures"]]
    for slug, line in wanted:
        if slug and slug not in associations:
            associations[slug] = Association(**line) if line else Association(slug=slug, name=slug)
            db.session.add(associations[slug])
            report.associations += 1
    return associations


# Threads written per flush. A flush per thread cost 40 % of an import (issue 14): each one
# runs the unit of work and the search tracking hooks again and inserts rows one thread at a time.
FLUSH_THREADS = 200


def _finish(pending, users, associations, report) -> None:
    """Flush the pending threads at once, then write what needs their rows' ids."""
    db.session.flush()
    for thread, posts, record, opener in pending:
        for post, item in zip(posts, record["posts"], strict=True):
            _write_post_history(post, item, users, report)
        _count_visible(thread, posts)
        archive_kinds.write_kind_fields(thread, record, opener, users, associations)
        report.threads += 1
        report.thread_ids.append(thread.id)
    pending.clear()


def _add_thread(record, users, sections, report, written):
    """Add a thread and its posts to the session, not flushed yet: (thread, posts, record,
    opener) for `_finish`."""
    posts_in = record["posts"]
    opener = users[username_key(posts_in[0]["author"])]
    section = sections[record["section"]]
    thread = Thread(
        section=section,
        author=opener,
        title=record["title"],
        kind=record["kind"],
        language=record["language"],
        is_locked=record["locked"],
        is_pinned=record["pinned"],
        created_at=posts_in[0]["created_at"],
        last_post_at=posts_in[0]["created_at"],
    )
    db.session.add(thread)
    if record["ref"]:
        written.threads[record["ref"]] = thread
    posts = []
    for item in posts_in:
        post = Post(
            thread=thread,
            author=users[username_key(item["author"])],
            language=item["language"],
            body_source=item["body"],
            body_html=markup.render(item["body"]),
            created_at=item["created_at"],
            edited_at=item["edited_at"],
            is_hidden=item["hidden"],
            hidden_reason=item["hidden_reason"],
            revision_count=len(item["revisions"]),
            translation_count=len(item["translations"]),
        )
        db.session.add(post)
        posts.append(post)
        if item["ref"]:
            written.posts[item["ref"]] = post
        report.posts += 1
    return thread, posts, record, opener


def _write_post_history(post, item, users, report):
    for revision in item["revisions"]:
        db.session.add(
            PostRevision(
                post_id=post.id,
                number=revision["number"],
                title=revision["title"],
                language=revision["language"],
                body_source=revision["body"],
                body_html=markup.render(revision["body"]),
                written_at=revision["written_at"],
                replaced_at=revision["replaced_at"],
                replaced_by=users[username_key(revision["replaced_by"])],
            )
        )
    for translated in item["translations"]:
        db.session.add(
            Translation(
                post=post,
                language=translated["language"],
                title=translated["title"],
                translator=users[username_key(translated["translator"])],
                body_source=translated["body"],
                body_html=markup.render(translated["body"]),
                source_revision=translated["source_revision"],
                created_at=translated["created_at"] or post.created_at,
                updated_at=translated["updated_at"],
            )
        )
        report.translations += 1


def _write_references(records, users, written):
    """Replies, quotes and links name posts and threads anywhere in the file: written once
    every thread and post is."""
    for _number, record in records:
        for item in record["posts"]:
            post = written.posts.get(item["ref"]) if item["ref"] else None
            if post is None:
                continue
            if item["reply_to"]:
                post.reply_to_id = written.posts[item["reply_to"]].id
            for position, quote in enumerate(item["quotes"]):
                db.session.add(
                    Quote(
                        post_id=post.id,
                        quoted_post_id=written.posts[quote["post"]].id,
                        position=position,
                        passage=quote["passage"],
                        quoted_revision=quote["quoted_revision"],
                        created_at=post.created_at,
                    )
                )
            post.quote_count = len(item["quotes"])
        if record["links"]:
            archive_kinds.write_links(written.threads[record["ref"]], record, users, written)


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

export_records = archive_export.export_records
export_file = archive_export.export_file
