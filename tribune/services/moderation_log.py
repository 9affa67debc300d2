"""The moderation log: one function writes every entry; another verifies the hash chain.

Each entry's hash is SHA-256 over the canonical JSON of its content and the previous entry's hash
(the first entry chains to GENESIS). Ids are assigned here in sequence (last id + 1), so a removed
entry shows as a gap, an altered one as a hash that no longer matches, and two writers racing for
the same place collide on the primary key instead of forking the chain.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from types import SimpleNamespace

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import ModerationLogEntry, Thread
from tribune.models.base import utcnow
from tribune.services import counters

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


def compute_hash(entry):
    """The SHA-256 hex digest of the entry's canonical payload."""
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
    return entry


@dataclass
class Verdict:
    """The result of a chain check: how many entries, the head hash, the first broken entry."""

    count: int
    head: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self):
        return self.broken_id is None


def verify_chain(batch_size=1000):
    """Walk the log in id order, checking sequence, links and hashes; stop at the first break."""
    expected_prev, expected_id, count = GENESIS, 1, 0
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
            return Verdict(count=count, head=expected_prev)
        for row in rows:
            entry = SimpleNamespace(**row._mapping)
            if entry.id != expected_id:
                return Verdict(count, expected_prev, entry.id, f"expected entry {expected_id}")
            if entry.prev_hash != expected_prev:
                return Verdict(count, expected_prev, entry.id, "does not link to the previous")
            if compute_hash(entry) != entry.hash:
                return Verdict(count, expected_prev, entry.id, "content does not match its hash")
            expected_prev, expected_id, count = entry.hash, entry.id + 1, count + 1
        last_id = rows[-1].id
