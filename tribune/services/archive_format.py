"""The archive format (see services/archive.py): reading a .jsonl file and checking all of it.

Every problem is collected, with its line and field, before anything is written: `read_file`
returns the checked threads or raises ArchiveInvalid listing them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import AREAS, LANGUAGES, THREAD_KINDS, Section, User
from tribune.services import archive_fields as fields
from tribune.services.accounts import DELETED_PREFIX, RESERVED_USERNAMES, USERNAME_RE, username_key
from tribune.services.moderation import areas_for
from tribune.services.sections import RESERVED_SLUGS, SLUG_RE

# The name a deleted account is left with (services/accounts.py), so exports of them import back.
DELETED_RE = re.compile(rf"^{DELETED_PREFIX}-[0-9a-f]{{6,32}}$")
THREAD_KEYS = {
    "ref", "area", "section", "section_title", "kind", "title", "language", "association",
    "locked", "pinned", "paper", "action", "closures", "links", "posts",
}  # fmt: skip
POST_KEYS = {
    "ref", "author", "created_at", "edited_at", "language", "body", "reply_to", "hidden",
    "hidden_reason", "quotes", "revisions", "translations",
}  # fmt: skip
TRANSLATION_KEYS = {
    "language", "title", "body", "translator", "created_at", "updated_at", "source_revision",
}  # fmt: skip
MAX_POSTS_PER_THREAD = 20_000
MIN_REASON = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, where it is."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ArchiveInvalid(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# Reading and validating


class _Checker:
    """Collects the problems of one line."""

    def __init__(self, path: str, line: int, problems: list[Problem]) -> None:
        self.path, self.line, self.problems = path, line, problems

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line, where, message))

    def text(self, obj, key, where, required=True, minimum=1, limit=None, one_line=False):
        value = obj.get(key)
        if value is None:
            if required:
                self.add(where, "is required")
            return None
        if not isinstance(value, str):
            self.add(where, "must be a string")
            return None
        value = " ".join(value.split()) if one_line else value.replace("\r\n", "\n").strip()
        if len(value) < minimum:
            self.add(where, f"needs at least {minimum} characters")
            return None
        if limit is not None and len(value) > limit:
            self.add(where, f"can have at most {limit} characters")
            return None
        return value

    def choice(self, obj, key, where, choices, default=None):
        value = obj.get(key, default)
        if value not in choices:
            self.add(where, f"must be one of {', '.join(choices)}")
            return None
        return value

    def slug(self, obj, key, where, required=True):
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not SLUG_RE.match(value):
            self.add(where, "must be a short name: a-z, 0-9, '-' or '_', like women")
            return None
        return value

    def username(self, obj, key, where):
        value = obj.get(key)
        if not isinstance(value, str) or not (USERNAME_RE.match(value) or DELETED_RE.match(value)):
            self.add(where, "must be a user name: 3-30 Latin letters, digits, '.', '_' or '-'")
            return None
        return value

    def unknown_keys(self, obj, allowed, where):
        for key in sorted(set(obj) - allowed):
            self.add(f"{where}{key}", "is not a field of the archive format")


def _timestamp(check: _Checker, raw, where: str) -> datetime | None:
    if not isinstance(raw, str):
        check.add(where, "is required: an ISO 8601 time with offset, like 2010-03-28T14:30+04:30")
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        check.add(where, f"{raw!r} is not an ISO 8601 time, like 2010-03-28T14:30:00+04:30")
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        check.add(where, "needs a time zone offset (like +04:30 or Z): the time would be ambiguous")
        return None
    return moment.astimezone(UTC)


def _check_translations(check, raw, post_language, where):
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add(where, "must be a list")
        return []
    found, seen = [], set()
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            check.add(at, "must be an object")
            continue
        check.unknown_keys(item, TRANSLATION_KEYS, f"{at}.")
        language = check.choice(item, "language", f"{at}.language", LANGUAGES)
        if language is not None and language == post_language:
            check.add(f"{at}.language", "is the post's own language")
        elif language in seen:
            check.add(f"{at}.language", "is given twice for this post")
        seen.add(language)
        body = check.text(item, "body", f"{at}.body", minimum=2, limit=_max_body())
        translator = check.username(item, "translator", f"{at}.translator")
        revision = item.get("source_revision", 0)
        if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
            check.add(f"{at}.source_revision", "must be a whole number of at least 0")
        found.append(
            {
                "language": language,
                "title": check.text(item, "title", f"{at}.title", required=False, limit=300),
                "body": body,
                "translator": translator,
                "created_at": _timestamp(check, item["created_at"], f"{at}.created_at")
                if "created_at" in item
                else None,
                "updated_at": _timestamp(check, item["updated_at"], f"{at}.updated_at")
                if "updated_at" in item
                else None,
                "source_revision": revision if isinstance(revision, int) else 0,
            }
        )
    return found


def _max_body() -> int:
    return current_app.config["MAX_BODY_LENGTH"]


def _check_post(check, raw, index, thread_language):
    at = f"posts[{index}]"
    if not isinstance(raw, dict):
        check.add(at, "must be an object")
        return None
    check.unknown_keys(raw, POST_KEYS, f"{at}.")
    language = check.choice(raw, "language", f"{at}.language", LANGUAGES, thread_language)
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        check.add(f"{at}.hidden", "must be true or false")
        hidden = False
    reason = check.text(
        raw, "hidden_reason", f"{at}.hidden_reason", required=False, minimum=MIN_REASON, limit=2000
    )
    if hidden and "hidden_reason" not in raw:
        check.add(f"{at}.hidden_reason", "a hidden post needs the reason it was hidden")
    elif "hidden_reason" in raw and not hidden:
        check.add(f"{at}.hidden_reason", "is only for hidden posts")
    return {
        **fields.check_post_extras(check, raw, at, _timestamp, _max_body()),
        "author": check.username(raw, "author", f"{at}.author"),
        "created_at": _timestamp(check, raw.get("created_at"), f"{at}.created_at"),
        "language": language,
        "body": check.text(raw, "body", f"{at}.body", minimum=2, limit=_max_body()),
        "hidden": hidden,
        "hidden_reason": reason or "",
        "translations": _check_translations(
            check, raw.get("translations"), language, f"{at}.translations"
        ),
    }


def _check_thread(check: _Checker, obj) -> dict | None:
    if not isinstance(obj, dict):
        check.add("line", "must be a JSON object (one thread)")
        return None
    check.unknown_keys(obj, THREAD_KEYS, "")
    kind = check.choice(obj, "kind", "kind", THREAD_KINDS, "discussion")
    area = check.choice(obj, "area", "area", AREAS)
    if kind is not None and area is not None and area not in areas_for(kind):
        # docs/decisions/0402: the same rule as moving a thread.
        check.add("kind", "position papers belong in the tribune (area tribune)")
    for flag in ("locked", "pinned"):
        if not isinstance(obj.get(flag, False), bool):
            check.add(flag, "must be true or false")
    paper = fields.check_paper(check, obj, _timestamp)
    if paper is not None and kind != "paper":
        check.add("paper", 'only a position paper (kind "paper") has paper fields')
    action = fields.check_action(check, obj, _timestamp)
    if action is not None and kind != "action":
        check.add("action", 'only an action (kind "action") has a date and place')
    language = check.choice(obj, "language", "language", LANGUAGES, "fa")
    association = check.slug(obj, "association", "association", required=False)
    if association is not None and kind != "paper":
        check.add("association", 'only a position paper (kind "paper") can name an association')
    section = check.slug(obj, "section", "section")
    if section in RESERVED_SLUGS:
        # /<area>/archive/ is the archive by date: a section so named could not be reached.
        check.add("section", f"{section!r} is a word of the site's own addresses; rename it")
        section = None
    record = {
        "ref": fields.ref(check, obj, "ref", "ref", "t", required=False) if "ref" in obj else None,
        "locked": obj.get("locked") is True,
        "pinned": obj.get("pinned") is True,
        "paper": paper,
        "action": action,
        "closures": fields.check_closures(check, obj, _timestamp),
        "links": fields.check_links(check, obj, _timestamp),
        "area": area,
        "section": section,
        "section_title": check.text(
            obj, "section_title", "section_title", required=False, limit=200, one_line=True
        ),
        "kind": kind,
        "title": check.text(
            obj,
            "title",
            "title",
            minimum=3,
            limit=current_app.config["MAX_TITLE_LENGTH"],
            one_line=True,
        ),
        "language": language,
        "association": association,
        "posts": [],
    }
    posts = obj.get("posts")
    if not isinstance(posts, list) or not posts:
        check.add("posts", "must be a non-empty list (the first post opens the thread)")
    elif len(posts) > MAX_POSTS_PER_THREAD:
        check.add("posts", f"can have at most {MAX_POSTS_PER_THREAD} posts")
    else:
        record["posts"] = [
            _check_post(check, post, index, language or "fa") for index, post in enumerate(posts)
        ]
    return record


@dataclass
class Archive:
    """A checked archive file: its section and association lines, and its threads."""

    sections: list[tuple[int, dict]] = field(default_factory=list)
    associations: list[tuple[int, dict]] = field(default_factory=list)
    threads: list[tuple[int, dict]] = field(default_factory=list)


def _lines(path: str, problems: list[Problem]):
    """(number, text) of every line, each decoded on its own, so a bad byte is reported on the
    line that holds it; a last line without its newline that does not parse is reported as cut
    off."""
    with open(path, "rb") as handle:
        raw = handle.read()
    lines = raw.split(b"\n")
    last = len(lines)
    if lines and lines[-1] == b"":
        lines.pop()
        last = None  # the file ends with a newline: no line was cut
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            message = f"is not UTF-8 text at byte {error.start + 1} of the line ({error.reason})"
            problems.append(Problem(path, number, "line", message))
            continue
        yield number, text, number == last


def read_archive(path: str) -> Archive:
    """Every line of the file, checked; ArchiveInvalid listing every problem otherwise."""
    problems: list[Problem] = []
    archive = Archive()
    for number, line, unterminated in _lines(path, problems):
        if not line.strip():
            continue
        check = _Checker(path, number, problems)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            if unterminated:
                check.add("line", "is cut off: the file ends in the middle of it (truncated?)")
            else:
                check.add("json", f"{error.msg} (column {error.colno})")
            continue
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "tribune-archive":
            if obj.get("version") not in (1, 2):
                check.add("version", f"{obj.get('version')!r}: this Tribune reads versions 1 and 2")
        elif kind == "section":
            archive.sections.append((number, fields.check_section(check, obj, AREAS)))
        elif kind == "association":
            archive.associations.append((number, fields.check_association(check, obj)))
        elif kind is not None:
            check.add("type", f"{kind!r} is not a kind of line of the archive format")
        else:
            record = _check_thread(check, obj)
            if record is not None:
                archive.threads.append((number, record))
    if not archive.threads and not archive.sections and not problems:
        problems.append(Problem(path, 1, "file", "holds no threads"))
    fields.check_references(path, archive.threads, problems, Problem)
    _check_against_database(path, archive, problems)
    if problems:
        raise ArchiveInvalid(sorted(problems, key=lambda p: p.line))
    return archive


def read_file(path: str) -> list[tuple[int, dict]]:
    """The threads of the file, checked (see read_archive)."""
    return read_archive(path).threads


def usernames(records) -> set[str]:
    names = set()
    for _number, record in records:
        for post in record["posts"]:
            if post:
                names.add(post["author"])
                names.update(t["translator"] for t in post["translations"])
                names.update(r["replaced_by"] for r in post["revisions"])
        names.update(c["by"] for c in record["closures"])
        names.update(link["by"] for link in record["links"])
        if record["paper"]:
            names.update(s["signed_by"] for s in record["paper"]["signatures"])
            names.update(s.get("withdrawn_by") for s in record["paper"]["signatures"])
    names.discard(None)
    return names


def _check_against_database(path, archive, problems):
    """Sections must keep their area; new account names must be ones that could exist."""
    records = archive.threads
    sections = {s.slug: s.area for s in db.session.scalars(select(Section))}
    for number, section in archive.sections:
        slug, area = section["slug"], section["area"]
        if slug is not None and area is not None and sections.setdefault(slug, area) != area:
            problems.append(
                Problem(path, number, "area", f"{slug!r} is a section of the {sections[slug]} area")
            )
    for number, record in records:
        slug, area = record["section"], record["area"]
        if slug is None or area is None:
            continue
        known = sections.setdefault(slug, area)
        if known != area:
            problems.append(
                Problem(path, number, "section", f"{slug!r} is a section of the {known} area")
            )
    existing = existing_users(usernames(records))
    for number, record in records:
        for index, post in enumerate(record["posts"]):
            if not post:
                continue
            names = [(f"posts[{index}].author", post["author"])] + [
                (f"posts[{index}].translations[{i}].translator", t["translator"])
                for i, t in enumerate(post["translations"])
            ]
            for where, name in names:
                if name is None or username_key(name) in existing:
                    continue
                if username_key(name) in RESERVED_USERNAMES:
                    problems.append(Problem(path, number, where, f"{name!r} is a reserved name"))


def existing_users(names) -> dict[str, User]:
    keys = sorted({username_key(name) for name in names})
    found: dict[str, User] = {}
    for start in range(0, len(keys), 500):
        for user in db.session.scalars(
            select(User).where(User.username_key.in_(keys[start : start + 500]))
        ):
            found[user.username_key] = user
    return found
