"""Fixtures of the notification tests: the debate factories (real services) and helpers."""

import pytest
from sqlalchemy import select

from tests.debate.conftest import (  # noqa: F401 - fixtures shared with the debate tests
    admin,
    app_config,
    make_action,
    make_association,
    make_member,
    make_paper,
)
from tribune.extensions import db
from tribune.models import Notification


def told(user, kind=None):
    """The notifications written for `user` (optionally of one kind), oldest first."""
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


@pytest.fixture
def people(make_user):
    """sara, kaveh and leila: three participants."""
    return make_user("sara"), make_user("kaveh"), make_user("leila")
