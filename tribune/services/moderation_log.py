"""The moderation log: one function writes every entry; another verifies the hash chain.

Each entry's hash is an HMAC-SHA256, keyed with the log key, of the canonical JSON of its content
and the previous entry's hash (the first entry chains to GENESIS). Ids are assigned here in
sequence (last id + 1), so a removed entry shows as a gap, an altered one as a hash that no longer
matches, and two writers racing for the same place collide on the primary key instead of forking
the chain.

The key is held outside the database (TRIBUNE_LOG_KEY, or instance/log_key), so someone who can
write to the database but not read the key cannot recompute the hashes after rewriting entries.
Deleting the newest entries leaves a shorter chain that still verifies: that is caught by
comparing with a head hash someone noted earlier (`verify-log --expect-head`), which is why the
log page shows its head and the number of entries.

Entries written before the key existed (plain SHA-256) keep verifying as they are, but only the
first LOG_PLAIN_ENTRIES of them, a number kept outside the database too (recorded once by
`flask moderation key-log` after the upgrade): otherwise rewriting the whole log as plain
entries would pass. The first keyed entry's hash covers the last plain one, so the plain prefix
cannot be rewritten without the key either. See docs/decisions/0102-hmac-keyed-moderation-log.md.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import ModerationLogEntry, Thread
from tribune.models.base import utcnow
from tribune.services import counters, notify

GENESIS = "0" * 64


def canonical_json(value):
    """One byte string per value: sorted keys, no spaces, UTF-8 (RFC 8785 in spirit)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _timestamp(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload(entry):
    """What an entry's hash covers: every column but the hash itself."""
    return {
        "id": entry.id,
        "created_at": _timestamp(entry.created_at),
        "actor_id": entry.actor_id,
        "term_id": entry.term_id,
        "action": entry.action,
        "target_kind": entry.target_kind,
        "target_id": entry.target_id,
        "thread_id": entry.thread_id,
        "related_thread_id": entry.related_thread_id,
        "section_id": entry.section_id,
        "related_section_id": entry.related_section_id,
        "reason": entry.reason,
        "details": entry.details or {},
        "prev_hash": entry.prev_hash,
    }


def log_key():
    """The key the log's hashes are keyed with, as bytes (from the configuration)."""
    return current_app.config["LOG_KEY"].encode("utf-8")


def key_id(key=None):
    """A short fingerprint of the log key, to compare with a backup copy (not the key)."""
    return hashlib.sha256(b"tribune log key id:" + (key or log_key())).hexdigest()[:16]


def compute_hash(entry, key=None):
    """The HMAC-SHA256 (hex) of the entry's canonical payload under the log key."""
    return hmac.new(key or log_key(), canonical_json(payload(entry)), hashlib.sha256).hexdigest()


def legacy_hash(entry):
    """The plain SHA-256 of the payload: how entries were hashed before the log had a key."""
    return hashlib.sha256(canonical_json(payload(entry))).hexdigest()


def last_entry():
    """The newest entry, or None."""
    return db.session.scalar(
        select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc()).limit(1)
    )


def record(actor, term, action, target_kind, target_id, reason, *, thread=None,
           related_thread=None, section=None, related_section=None, details=None):
    """Add the log entry of an act to the current transaction. The caller commits.

    Every moderation and administration act calls this exactly once, before its commit, so the
    act and its entry are written together or not at all.
    """
    previous = last_entry()
    entry = ModerationLogEntry(
        id=(previous.id + 1) if previous else 1,
        created_at=utcnow(),
        actor_id=actor.id,
        term_id=term.id if term is not None else None,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        thread_id=thread.id if thread is not None else None,
        related_thread_id=related_thread.id if related_thread is not None else None,
        section_id=section.id if section is not None else None,
        related_section_id=related_section.id if related_section is not None else None,
        reason=reason,
        details=details or {},
        prev_hash=previous.hash if previous else GENESIS,
    )
    entry.hash = compute_hash(entry)
    for concerned in {t for t in (thread, related_thread) if t is not None}:
        counters.add(concerned, Thread.moderation_count)
    db.session.add(entry)
    # The author concerned is told, with the public reason, in the act's own transaction.
    notify.moderation_recorded(actor, action, target_kind, target_id, reason, thread)
    return entry


@dataclass
class Verdict:
    """The result of a chain check: how many entries (and how many from before the log key),
    the head hash, the first broken entry, and where a witnessed head was found."""

    count: int
    head: str
    broken_id: int | None = None
    problem: str = ""
    legacy: int = 0
    witnessed_id: int | None = None

    @property
    def ok(self):
        return self.broken_id is None


def head():
    """(number of entries, head hash) as stored, for the public page: GENESIS when empty."""
    newest = last_entry()
    return (newest.id, newest.hash) if newest else (0, GENESIS)


def _problem(entry, expected_id, expected_prev, plain_allowed, key):
    """What is wrong with one entry at its place in the chain, or None; and whether it is a
    plain (pre-key) entry."""
    if entry.id != expected_id:
        return f"expected entry {expected_id}", False
    if entry.prev_hash != expected_prev:
        return "does not link to the previous", False
    if hmac.compare_digest(compute_hash(entry, key), entry.hash):
        return None, False
    if not hmac.compare_digest(legacy_hash(entry), entry.hash):
        return (
            "content does not match its hash (changed, or the hash was recomputed without "
            "the log key, or this is not the log's key)"
        ), False
    if not plain_allowed:
        return (
            "not keyed with the log key: rewritten without it, or written before the log had "
            "a key and not recorded as such (see `flask moderation key-log`)"
        ), True
    return None, True


def verify_chain(batch_size=1000, expect_head=None, plain_entries=None):
    """Walk the log in id order, checking sequence, links and keyed hashes; stop at the first
    break. With `expect_head`, note the entry whose hash it is (GENESIS is the empty log's).

    Only the first `plain_entries` entries (LOG_PLAIN_ENTRIES by default) may be plain SHA-256,
    and only while no keyed entry came before them."""
    key = log_key()
    if plain_entries is None:
        plain_entries = current_app.config.get("LOG_PLAIN_ENTRIES", 0)
    verdict = Verdict(count=0, head=GENESIS, witnessed_id=0 if expect_head == GENESIS else None)
    last_id = 0
    while True:
        # Plain rows, not ORM objects (which the session may hold changed): what is stored is
        # what is checked.
        rows = db.session.execute(
            select(ModerationLogEntry.__table__)
            .where(ModerationLogEntry.id > last_id)
            .order_by(ModerationLogEntry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return verdict
        for row in rows:
            entry = SimpleNamespace(**row._mapping)
            plain_allowed = verdict.legacy == verdict.count < plain_entries
            problem, plain = _problem(entry, verdict.count + 1, verdict.head, plain_allowed, key)
            if problem:
                verdict.broken_id, verdict.problem = entry.id, problem
                return verdict
            if entry.hash == expect_head:
                verdict.witnessed_id = entry.id
            verdict.legacy += plain
            verdict.count += 1
            verdict.head = entry.hash
        last_id = rows[-1].id
