"""Writing what an archive line says beyond threads and posts (services/archive.py): a paper's
summary, position and co-signatures, an action's date and place, a debate's closures and its
links to actions. The counters the thread page relies on are set from the same rows."""

from __future__ import annotations

from tribune.extensions import db
from tribune.models import (
    Action,
    ClosureEvent,
    Paper,
    PaperSignature,
    PaperSignatureEvent,
    ThreadLink,
)
from tribune.services.accounts import username_key
from tribune.services.debate import position_key
from tribune.text import markup


def write_kind_fields(thread, record, opener, users, associations):
    """The paper, action and closure rows of a newly imported thread."""
    if record["kind"] == "paper":
        _write_paper(thread, record, opener, users, associations)
    if record["kind"] == "action" and record["action"]:
        fields = record["action"]
        db.session.add(
            Action(
                thread=thread,
                starts_at=fields["starts_at"],
                ends_at=fields["ends_at"],
                timezone=fields["timezone"],
                city=fields["city"],
                place=fields["place"],
                status=fields["status"],
                created_at=thread.created_at,
            )
        )
    for event in record["closures"]:
        db.session.add(
            ClosureEvent(
                thread=thread,
                kind=event["kind"],
                actor=users[username_key(event["by"])],
                agreed_source=event["agreed"],
                agreed_html=markup.render(event["agreed"]) if event["agreed"] else "",
                disputed_source=event["disputed"],
                disputed_html=markup.render(event["disputed"]) if event["disputed"] else "",
                reason=event["reason"],
                created_at=event["at"],
            )
        )
    thread.closure_count = len(record["closures"])
    last = record["closures"][-1] if record["closures"] else None
    thread.closed_at = last["at"] if last and last["kind"] == "close" else None


def _write_paper(thread, record, opener, users, associations):
    fields = record["paper"] or {"summary": "", "position": "", "signatures": []}
    paper = Paper(
        thread=thread,
        summary=fields["summary"],
        position=fields["position"],
        position_key=position_key(fields["position"]) if fields["position"] else "",
        created_at=thread.created_at,
    )
    db.session.add(paper)
    signatures = fields["signatures"]
    if not signatures and record["association"]:
        # Version 1 files name one association, signed by the author when the paper was opened.
        signatures = [
            {
                "association": record["association"],
                "signed_by": opener.username,
                "signed_at": thread.created_at,
                "withdrawn_at": None,
            }
        ]
    for signature in signatures:
        withdrawn_by = signature.get("withdrawn_by")
        withdrawn_by = users.get(username_key(withdrawn_by)) if withdrawn_by else None
        row = PaperSignature(
            paper=paper,
            association=associations[signature["association"]],
            signed_by=users.get(username_key(signature["signed_by"])) or opener,
            signed_at=signature["signed_at"],
            withdrawn_at=signature["withdrawn_at"],
            withdrawn_by=withdrawn_by if signature["withdrawn_at"] else None,
        )
        db.session.add(row)
        # The history the file can vouch for: the signing, and the withdrawal (by whom, if said).
        db.session.add(
            PaperSignatureEvent(
                signature=row, kind="sign", actor=row.signed_by, created_at=row.signed_at
            )
        )
        if row.withdrawn_at is not None:
            db.session.add(
                PaperSignatureEvent(
                    signature=row,
                    kind="withdraw",
                    actor=row.withdrawn_by,
                    created_at=row.withdrawn_at,
                )
            )


def write_links(debate, record, users, written):
    """The links of an imported debate to the actions the file names."""
    for link in record["links"]:
        action = written.threads[link["action"]]
        db.session.add(
            ThreadLink(
                debate_id=debate.id,
                action_id=action.id,
                created_by_id=users[username_key(link["by"])].id,
                created_at=link["at"],
            )
        )
        debate.link_count = (debate.link_count or 0) + 1
        action.link_count = (action.link_count or 0) + 1
