"""Position papers: publishing one with its structured fields, editing them, co-signatures.

A paper is a thread of kind "paper" in the tribune, with a `Paper` row holding its summary and
the position it defends. Its signatories are its author and the associations that co-sign;
an association can be named only by its confirmed members (access.can_sign_for).
"""

from flask import current_app
from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import (
    Paper,
    PaperSignature,
    PaperSignatureEvent,
)
from tribune.models.base import MAX_ID, utcnow
from tribune.services import Invalid, NotFound, Refused, notify, posting
from tribune.services.keys import POSITION_LIMIT, position_key
from tribune.services.names import refuse_direction_controls
from tribune.services.transaction import transaction

SUMMARY_LIMIT = 600
# A larger number in an address or a form is no id (models/base.py). ID_RULE is the URL converter
# of ids in the debate blueprints.
ID_RULE = f"int(max={MAX_ID})"


def as_id(value):
    """`value` as a database id (a positive integer up to MAX_ID), or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def clean_text(text, field, minimum=2, limit=None, required=True):
    """Stripped text with Windows line ends folded; Invalid on the field if too short or long."""
    text = (text or "").replace("\r\n", "\n").strip()
    limit = limit or current_app.config["MAX_BODY_LENGTH"]
    if not text and not required:
        return ""
    if len(text) < minimum:
        raise Invalid(_l("Write at least %(n)d characters.", n=minimum), field=field)
    if len(text) > limit:
        raise Invalid(_l("This can have at most %(n)d characters.", n=limit), field=field)
    return text


def clean_line(text, field, minimum=2, limit=200, required=True):
    """One line of text (a name, a title, a place), inner whitespace collapsed, no direction
    controls."""
    line = refuse_direction_controls(" ".join((text or "").split()), field)
    return clean_text(line, field, minimum, limit, required)


def _clean_fields(summary, position):
    summary = clean_text(summary, "summary", minimum=10, limit=SUMMARY_LIMIT)
    position = clean_line(position, "position", minimum=2, limit=POSITION_LIMIT)
    return summary, position


@transaction
def publish_paper(actor, section, title, body, language, summary, position, associations=()):
    """Publish a position paper in a section of the tribune, co-signed by `associations`."""
    if not access.can_open_thread(actor, section):
        raise NotFound()
    if section.area != "tribune":
        raise Invalid(_l("Position papers belong in the tribune."), field="section")
    summary, position = _clean_fields(summary, position)
    associations = list(dict.fromkeys(associations))
    for association in associations:
        if not access.can_sign_for(actor, association):
            raise Invalid(
                _l("Only confirmed members can name %(name)s as signatory.", name=association.name),
                field="associations",
            )

    def attach(thread, post):
        now = thread.created_at
        paper = Paper(
            thread=thread,
            summary=summary,
            position=position,
            position_key=position_key(position),
            created_at=now,
        )
        db.session.add(paper)
        for association in associations:
            signature = PaperSignature(
                paper=paper, association=association, signed_by_id=actor.id, signed_at=now
            )
            db.session.add(signature)
            _record(signature, "sign", actor, now)

    return posting.open_thread(actor, section, title, body, language, kind="paper", extend=attach)


@transaction
def edit_paper(actor, thread, summary, position):
    """Change a paper's summary or position (its title and text are edited as its post)."""
    if thread is None or thread.paper is None:
        raise NotFound()
    if not access.can_edit_paper(actor, thread):
        raise Refused(_l("You can no longer change this paper."))
    summary, position = _clean_fields(summary, position)
    paper = thread.paper
    if (summary, position) != (paper.summary, paper.position):
        paper.summary = summary
        paper.position = position
        paper.position_key = position_key(position)
        paper.updated_at = utcnow()
    db.session.commit()
    return paper


def _record(signature, kind, actor, at):
    """Keep the act in the signature's history (models.PaperSignatureEvent)."""
    db.session.add(
        PaperSignatureEvent(
            signature=signature, kind=kind, actor_id=getattr(actor, "id", None), created_at=at
        )
    )


def history(thread):
    """Every act on the paper's co-signatures (signing, withdrawing), oldest first."""
    return db.session.scalars(
        select(PaperSignatureEvent)
        .join(PaperSignature, PaperSignature.id == PaperSignatureEvent.signature_id)
        .where(PaperSignature.thread_id == thread.id)
        .order_by(PaperSignatureEvent.created_at, PaperSignatureEvent.id)
    ).all()


def signatures(thread):
    """The paper's active co-signatures, oldest first."""
    return db.session.scalars(
        select(PaperSignature)
        .where(PaperSignature.thread_id == thread.id, PaperSignature.withdrawn_at.is_(None))
        .order_by(PaperSignature.signed_at, PaperSignature.id)
    ).all()


@transaction
def sign(actor, thread, association):
    """Name the actor's association as co-signatory of a paper."""
    if thread is None or thread.paper is None or association is None:
        raise NotFound()
    if access.is_closed(thread):
        raise Refused(_l("This debate is closed; its paper can no longer be signed."))
    if not access.can_sign_paper(actor, thread, association):
        raise Refused(_l("Only confirmed members of an association can name it as signatory."))
    signature = db.session.scalar(
        select(PaperSignature).where(
            PaperSignature.thread_id == thread.id,
            PaperSignature.association_id == association.id,
        )
    )
    now = utcnow()
    if signature is None:
        signature = PaperSignature(
            paper=thread.paper, association=association, signed_by_id=actor.id, signed_at=now
        )
        db.session.add(signature)
        _record(signature, "sign", actor, now)
    elif not signature.is_active:
        # Signing again: the row says who signs now; the history keeps who signed before.
        signature.signed_by_id = actor.id
        signature.signed_at = now
        signature.withdrawn_at = None
        signature.withdrawn_by_id = None
        _record(signature, "sign", actor, now)
    db.session.commit()
    return signature


@transaction
def request_signature(actor, thread, association):
    """Ask an association's confirmed members to co-sign a paper (once per association)."""
    if thread is None or thread.paper is None or association is None:
        raise NotFound()
    if not access.can_request_signature(actor, thread):
        raise Refused(_l("Only the paper's author can ask for co-signatures, while it is open."))
    signed = db.session.scalar(
        select(PaperSignature.id).where(
            PaperSignature.thread_id == thread.id,
            PaperSignature.association_id == association.id,
            PaperSignature.withdrawn_at.is_(None),
        )
    )
    if signed is not None:
        raise Refused(_l("%(name)s already co-signs this paper.", name=association.name))
    if notify.cosign_asked(thread, association):
        raise Refused(_l("%(name)s was already asked to co-sign.", name=association.name))
    told = notify.cosign_requested(actor, thread, association)
    db.session.commit()
    return len(told)


@transaction
def withdraw(actor, thread, signature):
    """Withdraw an association's co-signature (the member who signed, another confirmed member,
    or the paper's author); the record of it, and of who withdrew it, stays."""
    if signature is None or thread is None or signature.thread_id != thread.id:
        raise NotFound()
    if not access.can_withdraw_signature(actor, signature, thread):
        raise Refused(_l("You may not withdraw this signature."))
    now = utcnow()
    signature.withdrawn_at = now
    signature.withdrawn_by_id = actor.id
    _record(signature, "withdraw", actor, now)
    db.session.commit()
    return signature
