"""Factories for the debates and the agenda: they call the real services."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Association, Section, User
from tribune.models.base import utcnow
from tribune.services import agenda, debate, debate_associations, terms


@pytest.fixture
def app_config(app_config, request):
    # Most of these tests read English interface wording; those marked `persian` keep the
    # default Persian interface (Jalali dates, Persian digits), so both are covered.
    if request.node.get_closest_marker("persian") is None:
        app_config["DEFAULT_LOCALE"] = "en"
    return app_config


def _existing(model, **values):
    return db.session.scalar(select(model).filter_by(**values))


@pytest.fixture
def make_association(app):
    def factory(slug="hamburg-solidarity", name="کانون همبستگی هامبورگ", city="Hamburg"):
        association = Association(slug=slug, name=name, city=city, country="Germany")
        db.session.add(association)
        db.session.commit()
        return association

    return factory


@pytest.fixture
def admin(make_user):
    return make_user("coordinator", role="admin")


@pytest.fixture
def make_member(admin):
    """A confirmed (or, with confirmed=False, a stated) member of an association."""

    def factory(user, association, public=True, confirmed=True):
        membership = debate_associations.state_affiliation(user, association, public)
        if confirmed:
            debate_associations.confirm(admin, membership)
        return membership

    return factory


@pytest.fixture
def make_moderator(admin):
    def factory(user):
        now = utcnow()
        terms.grant_term(
            admin, user, now - timedelta(hours=1), now + timedelta(days=30), "rotating turn"
        )
        return user

    return factory


@pytest.fixture
def make_paper(make_user, make_section):
    def factory(
        author=None,
        section=None,
        title="چرا جمهوری دمکراتیک لائیک؟",
        body="جدایی کامل دین از دولت شرط لازم هر دمکراسی است.\n\nبرابری زن و مرد در قانون.",
        language="fa",
        summary="جدایی دین از دولت، آزادی و برابری.",
        position="جمهوری دمکراتیک لائیک",
        associations=(),
    ):
        author = author or _existing(User, username="sara") or make_user()
        section = section or _existing(Section, slug="alternatives") or make_section()
        return debate.publish_paper(
            author, section, title, body, language, summary, position, list(associations)
        )

    return factory


@pytest.fixture
def make_action(make_user, make_section):
    def factory(
        author=None,
        section=None,
        title="۸ مارس در پاریس",
        day=None,
        start=time(15, 0),
        zone="Europe/Paris",
        city="Paris",
        place="Place de la République",
        end=time(17, 0),
        body="تجمع در میدان جمهوری.",
    ):
        author = author or _existing(User, username="organiser") or make_user("organiser")
        section = (
            section
            or _existing(Section, slug="women")
            or make_section("women", "agenda", "کارگروه زنان")
        )
        day = day or (utcnow().date() + timedelta(days=20))
        return agenda.open_action(
            author, section, title, body, "fa", day, start, zone, city, place, end
        )

    return factory
