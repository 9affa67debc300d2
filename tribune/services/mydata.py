"""Everything Tribune holds about a participant, for them to download (GDPR art. 15 and 20).

Other areas add their own part with `contributes("name")`, so a new table with personal data
joins the export where it is defined.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tribune.extensions import db
from tribune.models import Membership, Post, Thread, UserSession
from tribune.models.base import utcnow
from tribune.services import twofactor

FORMAT_VERSION = 1

# name -> function(user) returning JSON-ready data; filled by `contributes`.
CONTRIBUTORS = {}


def contributes(name):
    """Decorator: add `function(user)`'s result to the export under `name`."""

    def register(function):
        CONTRIBUTORS[name] = function
        return function

    return register


def _when(value):
    return value.isoformat() if value is not None else None


@contributes("account")
def _account(user):
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "bio": user.bio,
        "interface_language": user.locale,
        "role": user.role,
        "created_at": _when(user.created_at),
        "last_post_at": _when(user.last_post_at),
        "last_seen_day": _when(user.last_seen_at),
        "invited_by": user.invited_by.username if user.invited_by_id else None,
        "application": user.application_text or None,
        "two_factor_enabled": twofactor.is_enabled(user),
        "recovery_codes_left": twofactor.recovery_codes_left(user),
    }


@contributes("memberships")
def _memberships(user):
    rows = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
    )
    return [
        {
            "association": row.association.slug,
            "association_name": row.association.name,
            "public": row.is_public,
            "created_at": _when(row.created_at),
        }
        for row in rows
    ]


@contributes("threads")
def _threads(user):
    rows = db.session.scalars(select(Thread).where(Thread.author_id == user.id).order_by(Thread.id))
    return [
        {
            "id": row.id,
            "title": row.title,
            "section": row.section.slug,
            "kind": row.kind,
            "language": row.language,
            "created_at": _when(row.created_at),
        }
        for row in rows
    ]


@contributes("posts")
def _posts(user):
    rows = db.session.scalars(
        select(Post)
        .where(Post.author_id == user.id)
        .order_by(Post.id)
        .options(selectinload(Post.revisions))
    )
    return [
        {
            "id": post.id,
            "thread_id": post.thread_id,
            "language": post.language,
            "markdown": post.body_source,
            "created_at": _when(post.created_at),
            "edited_at": _when(post.edited_at),
            "hidden_by_moderation": post.is_hidden,
            "earlier_versions": [
                {
                    "number": revision.number,
                    "title": revision.title,
                    "markdown": revision.body_source,
                    "language": revision.language,
                    "written_at": _when(revision.written_at),
                    "replaced_at": _when(revision.replaced_at),
                }
                for revision in post.revisions
            ],
        }
        for post in rows
    ]


@contributes("sessions")
def _sessions(user):
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    return [
        {
            "started_at": _when(row.created_at),
            "last_seen_at": _when(row.last_seen_at),
            "ends_at": _when(row.expires_at),
            "keep_logged_in": row.remember,
        }
        for row in rows
    ]


def export(user):
    """The participant's data as one JSON-ready dictionary."""
    data = {"format": FORMAT_VERSION, "exported_at": _when(utcnow())}
    for name, function in CONTRIBUTORS.items():
        data[name] = function(user)
    return data
