"""Helpers shared by the debate and agenda tests."""

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post


def opening_post(thread):
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1)
    )


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)
