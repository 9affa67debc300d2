"""Re-rendering stored Markdown, for when the renderer or the sanitizer allowlist changes."""

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post, PostRevision
from tribune.text import markup


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
                html = markup.render(row.body_source)
                if html != row.body_html:
                    row.body_html = html
                    changed += 1
                total += 1
            last_id = rows[-1].id
            db.session.commit()
    return changed, total
