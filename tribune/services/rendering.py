"""Re-rendering stored Markdown, for when the renderer or the sanitizer allowlist changes."""

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post, PostRevision, User
from tribune.services.transaction import transaction
from tribune.text import markup

# More "@names" than this in one post are plain text: a mention is a call, not a list.
MAX_MENTIONS = 30


def mention_map(source):
    """{casefolded name: username} of the existing participants "@named" in the source."""
    names = sorted(markup.mentioned_names(source))[:MAX_MENTIONS]
    if not names:
        return {}
    rows = db.session.execute(
        select(User.username_key, User.username).where(
            User.username_key.in_(names),
            User.deleted_at.is_(None),
            User.is_placeholder.is_(False),
        )
    )
    return dict(rows.all())


def render_post(source):
    """A post's Markdown as stored HTML, with mentions of participants linked to profiles."""
    return markup.render(source, mention_map(source))


@transaction
def rerender_all(batch_size=500):
    """Render every post and revision again; returns (changed, total). Commits per batch."""
    changed = total = 0
    for model in (Post, PostRevision):
        last_id = 0
        while True:
            rows = db.session.scalars(
                select(model).where(model.id > last_id).order_by(model.id).limit(batch_size)
            ).all()
            if not rows:
                break
            for row in rows:
                html = render_post(row.body_source)
                if html != row.body_html:
                    row.body_html = html
                    changed += 1
                total += 1
            last_id = rows[-1].id
            db.session.commit()
    return changed, total
