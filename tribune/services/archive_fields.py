"""Checking the fields the archive format gained in version 2 (services/archive.py): section and
association lines, the kind-specific fields of papers and actions, closures, links, revisions,
quotes and replies, and the references between posts and threads within the file."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tribune.models import ACTION_STATUSES, LANGUAGES
from tribune.models.debate import CLOSURE_KINDS

SECTION_KEYS = {"type", "slug", "area", "title", "description", "translations", "position"}
ASSOCIATION_KEYS = {"type", "slug", "name", "city", "country", "description"}
PAPER_KEYS = {"summary", "position", "signatures"}
SIGNATURE_KEYS = {"association", "signed_by", "signed_at", "withdrawn_at", "withdrawn_by"}
ACTION_KEYS = {"starts_at", "ends_at", "timezone", "city", "place", "status"}
CLOSURE_KEYS = {"kind", "by", "at", "agreed", "disputed", "reason"}
LINK_KEYS = {"action", "by", "at"}
QUOTE_KEYS = {"post", "passage", "quoted_revision"}
REVISION_KEYS = {"number", "title", "language", "body", "written_at", "replaced_at", "replaced_by"}


def _list(check, obj, key, where):
    value = obj.get(key, [])
    if not isinstance(value, list):
        check.add(where, "must be a list")
        return []
    return value


def _objects(check, obj, key, where, allowed):
    """The objects of a list field, each checked for unknown keys, with where they are."""
    for index, item in enumerate(_list(check, obj, key, where)):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            check.add(at, "must be an object")
            continue
        check.unknown_keys(item, allowed, f"{at}.")
        yield at, item


def _count(check, obj, key, where, minimum=0):
    value = obj.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        check.add(where, f"must be a whole number of at least {minimum}")
        return minimum
    return value


def check_section(check, obj, areas) -> dict | None:
    check.unknown_keys(obj, SECTION_KEYS, "")
    translations = obj.get("translations", {})
    if not isinstance(translations, dict) or not all(
        isinstance(v, dict) and all(isinstance(t, str) for t in v.values())
        for v in translations.values()
    ):
        check.add("translations", 'must map languages to {"title": .., "description": ..}')
        translations = {}
    return {
        "slug": check.slug(obj, "slug", "slug"),
        "area": check.choice(obj, "area", "area", areas),
        "title": check.text(obj, "title", "title", limit=200, one_line=True),
        "description": check.text(obj, "description", "description", required=False) or "",
        "translations": translations,
        "position": _count(check, obj, "position", "position"),
    }


def check_association(check, obj) -> dict:
    check.unknown_keys(obj, ASSOCIATION_KEYS, "")
    return {
        "slug": check.slug(obj, "slug", "slug"),
        "name": check.text(obj, "name", "name", limit=200, one_line=True),
        "city": check.text(obj, "city", "city", required=False, limit=100, one_line=True) or "",
        "country": check.text(obj, "country", "country", required=False, limit=100, one_line=True)
        or "",
        "description": check.text(obj, "description", "description", required=False) or "",
    }


def _object(check, obj, key, allowed):
    """An optional object field, checked for unknown keys; None if absent or not an object."""
    raw = obj.get(key)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        check.add(key, "must be an object")
        return None
    check.unknown_keys(raw, allowed, f"{key}.")
    return raw


def check_paper(check, obj, timestamp) -> dict | None:
    raw = _object(check, obj, "paper", PAPER_KEYS)
    if raw is None:
        return None
    signatures = [
        {
            "association": check.slug(item, "association", f"{at}.association"),
            "signed_by": check.username(item, "signed_by", f"{at}.signed_by"),
            "signed_at": timestamp(check, item.get("signed_at"), f"{at}.signed_at"),
            "withdrawn_at": timestamp(check, item["withdrawn_at"], f"{at}.withdrawn_at")
            if "withdrawn_at" in item
            else None,
            # Who withdrew it (files before issue 17 do not say: None, shown as unknown).
            "withdrawn_by": check.username(item, "withdrawn_by", f"{at}.withdrawn_by")
            if "withdrawn_by" in item
            else None,
        }
        for at, item in _objects(check, raw, "signatures", "paper.signatures", SIGNATURE_KEYS)
    ]
    return {
        "summary": check.text(raw, "summary", "paper.summary", required=False, limit=600) or "",
        "position": check.text(raw, "position", "paper.position", limit=120, one_line=True),
        "signatures": signatures,
    }


def check_action(check, obj, timestamp) -> dict | None:
    raw = _object(check, obj, "action", ACTION_KEYS)
    if raw is None:
        return None
    zone = check.text(raw, "timezone", "action.timezone", limit=64, one_line=True)
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            check.add("action.timezone", f"{zone!r} is not a time zone, like Europe/Berlin")
    return {
        "starts_at": timestamp(check, raw.get("starts_at"), "action.starts_at"),
        "ends_at": timestamp(check, raw["ends_at"], "action.ends_at") if "ends_at" in raw else None,
        "timezone": zone,
        "city": check.text(raw, "city", "action.city", limit=100, one_line=True),
        "place": check.text(raw, "place", "action.place", required=False, limit=200) or "",
        "status": check.choice(raw, "status", "action.status", ACTION_STATUSES, "planned"),
    }


def check_closures(check, obj, timestamp) -> list[dict]:
    found = []
    for at, item in _objects(check, obj, "closures", "closures", CLOSURE_KEYS):
        found.append(
            {
                "kind": check.choice(item, "kind", f"{at}.kind", CLOSURE_KINDS),
                "by": check.username(item, "by", f"{at}.by"),
                "at": timestamp(check, item.get("at"), f"{at}.at"),
                "agreed": check.text(item, "agreed", f"{at}.agreed", required=False) or "",
                "disputed": check.text(item, "disputed", f"{at}.disputed", required=False) or "",
                "reason": check.text(item, "reason", f"{at}.reason", required=False) or "",
            }
        )
    return found


def check_links(check, obj, timestamp) -> list[dict]:
    return [
        {
            "action": ref(check, item, "action", f"{at}.action", "t"),
            "by": check.username(item, "by", f"{at}.by"),
            "at": timestamp(check, item.get("at"), f"{at}.at"),
            "where": f"{at}.action",
        }
        for at, item in _objects(check, obj, "links", "links", LINK_KEYS)
    ]


def check_post_extras(check, raw, at, timestamp, max_body) -> dict:
    """A post's reference, reply, quotes and revisions."""
    quotes = [
        {
            "post": ref(check, item, "post", f"{where}.post", "p"),
            "passage": check.text(item, "passage", f"{where}.passage", limit=max_body),
            "quoted_revision": _count(check, item, "quoted_revision", f"{where}.quoted_revision"),
            "where": f"{where}.post",
        }
        for where, item in _objects(check, raw, "quotes", f"{at}.quotes", QUOTE_KEYS)
    ]
    revisions = []
    for where, item in _objects(check, raw, "revisions", f"{at}.revisions", REVISION_KEYS):
        revisions.append(
            {
                "number": _count(check, item, "number", f"{where}.number", minimum=1),
                "title": check.text(item, "title", f"{where}.title", required=False, limit=300),
                "language": check.choice(item, "language", f"{where}.language", LANGUAGES),
                "body": check.text(item, "body", f"{where}.body", limit=max_body),
                "written_at": timestamp(check, item.get("written_at"), f"{where}.written_at"),
                "replaced_at": timestamp(check, item.get("replaced_at"), f"{where}.replaced_at"),
                "replaced_by": check.username(item, "replaced_by", f"{where}.replaced_by"),
            }
        )
    if [r["number"] for r in revisions] != list(range(1, len(revisions) + 1)):
        check.add(f"{at}.revisions", "must be numbered 1, 2, 3 ... in order")
    return {
        "ref": ref(check, raw, "ref", f"{at}.ref", "p", required=False),
        "reply_to": ref(check, raw, "reply_to", f"{at}.reply_to", "p", required=False),
        "edited_at": timestamp(check, raw["edited_at"], f"{at}.edited_at")
        if "edited_at" in raw
        else None,
        "quotes": quotes,
        "revisions": revisions,
    }


def ref(check, obj, key, where, prefix, required=True):
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.startswith(prefix) or not value[1:].isdigit():
        kind = "post" if prefix == "p" else "thread"
        check.add(where, f"must name a {kind} of this file, like {prefix}12")
        return None
    return value


def check_references(path, records, problems, problem_type) -> None:
    """Every reference names a post or thread of this file; each name is given once."""
    posts: dict[str, int] = {}
    threads: dict[str, tuple[int, str]] = {}
    for number, record in records:
        if record.get("ref"):
            if record["ref"] in threads:
                problems.append(problem_type(path, number, "ref", f"{record['ref']} is used twice"))
            threads[record["ref"]] = (number, record["kind"])
        for index, post in enumerate(record["posts"]):
            if post and post["ref"]:
                if post["ref"] in posts:
                    where = f"posts[{index}].ref"
                    problems.append(
                        problem_type(path, number, where, f"{post['ref']} is used twice")
                    )
                posts[post["ref"]] = number
    for number, record in records:
        for link in record["links"]:
            target = threads.get(link["action"])
            if link["action"] is None:
                continue
            if target is None:
                message = f"{link['action']} names no thread of this file"
            elif target[1] != "action":
                message = f"{link['action']} is not an action"
            else:
                continue
            problems.append(problem_type(path, number, link["where"], message))
        for index, post in enumerate(record["posts"]):
            if not post:
                continue
            named = [(f"posts[{index}].reply_to", post["reply_to"])]
            named += [(quote["where"], quote["post"]) for quote in post["quotes"]]
            for where, ref in named:
                if ref is not None and ref not in posts:
                    problems.append(
                        problem_type(path, number, where, f"{ref} names no post of this file")
                    )
