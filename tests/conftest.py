"""Fixtures: one fresh application, database and instance folder per test.

The database is SQLite in the test's temporary folder, or the PostgreSQL server named by
TRIBUNE_TEST_DATABASE_URL (emptied before each test), so the same suite runs on both.
"""

import contextvars
import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from tests.support import FAST_HASH, PASSWORD
from tribune import create_app
from tribune.extensions import db
from tribune.models import Section
from tribune.services import accounts, posting

POSTGRES_URL = os.environ.get("TRIBUNE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TRIBUNE_TEST_REDIS_URL", "")


def make_config(tmp_path, **overrides):
    """The configuration of a test application rooted in tmp_path."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "PASSWORD_HASH": FAST_HASH,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "POSTS_PER_PAGE": 5,
        "THREADS_PER_PAGE": 5,
    }
    config.update(overrides)
    return config


def reset_schema():
    """Drop and recreate every table (PostgreSQL keeps them between tests)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def app_config(tmp_path):
    """Overrides a test may extend before the app is built."""
    return make_config(tmp_path)


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context.

    The test itself holds an app context (factories need one). Without isolation every request
    would share it, and with it `g`: Flask-Login's cached user and Flask-Babel's cached locale
    would leak from one request into the next, hiding bugs a real server would show.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        reset_schema()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class QueryCounter:
    """Counts the SQL statements run while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    return lambda: QueryCounter(db.engine)


# Factories: they call the real services, so tests exercise the same path as users.


@pytest.fixture
def make_user(app):
    def factory(username="sara", role="participant", email=None, display_name=""):
        return accounts.register(
            username, PASSWORD, email=email, display_name=display_name, role=role
        )

    return factory


@pytest.fixture
def make_section(app):
    def factory(slug="alternatives", area="tribune", title="بدیل‌ها", description=""):
        section = Section(area=area, slug=slug, title=title, description=description)
        db.session.add(section)
        db.session.commit()
        return section

    return factory


@pytest.fixture
def make_thread(app, make_user, make_section):
    def factory(
        author=None, section=None, title="چرا جمهوری لائیک؟", body="متن نخست", language="fa"
    ):
        author = author or make_user()
        section = section or make_section()
        return posting.open_thread(author, section, title, body, language)

    return factory
