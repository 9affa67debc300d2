"""Fixtures: one fresh application, database and instance folder per test.

The database is SQLite in the test's temporary folder, or the PostgreSQL server named by
TRIBUNE_TEST_DATABASE_URL (emptied before each test), so the same suite runs on both.
"""

import contextvars
import os
import weakref

import pytest
from flask.testing import FlaskClient
from jinja2 import MemcachedBytecodeCache
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from tests.support import FAST_HASH, PASSWORD
from tribune import create_app
from tribune.extensions import db
from tribune.fulltext.whoosh_index import close_searchers
from tribune.services import accounts, posting, sections

REDIS_URL = os.environ.get("TRIBUNE_TEST_REDIS_URL", "")


def _postgres_url():
    """TRIBUNE_TEST_DATABASE_URL, with one database per pytest-xdist worker.

    Workers run tests at the same time and each empties its database before every test, so
    they cannot share one; each gets `<name>_<worker>`, created on first use.
    """
    url = os.environ.get("TRIBUNE_TEST_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tribune.database import normalise_url

    base = make_url(normalise_url(url))
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()


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
        # Off unless a test turns them on: posting limits for new accounts, 2FA for staff.
        "NEW_ACCOUNT_DAYS": 0,
        "TWO_FACTOR_REQUIRED_FOR_STAFF": False,
        "POSTS_PER_PAGE": 5,
        "THREADS_PER_PAGE": 5,
    }
    config.update(overrides)
    return config


# Every engine a test connected with: the app fixture's, and those of the extra apps some tests
# build (a second instance, a CSRF-enabled copy, ...). Disposed after each test, so no pooled
# connection outlives its test to be closed by the garbage collector.
_ENGINES: weakref.WeakSet = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection):
    _ENGINES.add(connection.engine)


@pytest.fixture(autouse=True)
def _dispose_engines():
    yield
    for engine in list(_ENGINES):
        engine.dispose()
    _ENGINES.clear()


@pytest.fixture(autouse=True)
def _fresh_searchers():
    # Cached searchers are per thread and per index path; each test has its own index, but
    # closing them keeps file handles from piling up over the suite.
    yield
    close_searchers()


def reset_schema():
    """Drop and recreate every table (PostgreSQL keeps them between tests)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            # Each worker owns its database: end transactions a finished test left open, so
            # the locks they hold cannot make DROP SCHEMA wait forever. Idle connections (a
            # second app of the same test, say) hold no lock and are left alone.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state LIKE 'idle in transaction%'"
                )
            )
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def app_config(tmp_path):
    """Overrides a test may extend before the app is built."""
    return make_config(tmp_path)


class _DictClient(dict):
    """The minimal memcached-like client Jinja's bytecode cache needs, in a dict."""

    def set(self, key, value, timeout=None):
        self[key] = value


TEMPLATE_CACHE = MemcachedBytecodeCache(_DictClient())


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
    # Each test builds a fresh app; sharing compiled templates spares recompiling them all.
    application.jinja_env.bytecode_cache = TEMPLATE_CACHE
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
        # The section service's builder (no actor, no log entry), as operator commands use it.
        section = sections.build(
            area, slug, {"fa": sections.SectionTexts(title, description)}, default="fa"
        )
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


@pytest.fixture
def make_moderator(app, make_user):
    """A participant holding a moderator term in force now, granted by an administrator.

    `starts_at` / `ends_at` (UTC-aware) give other periods, e.g. a term that has not begun.
    """
    from datetime import timedelta

    from tribune.models.base import utcnow
    from tribune.services import terms

    def factory(username="mina", starts_at=None, ends_at=None, association=None):
        admin = accounts.find_by_username("coordinator") or make_user("coordinator", role="admin")
        user = accounts.find_by_username(username) or make_user(username)
        now = utcnow()
        terms.grant_term(
            admin,
            user,
            starts_at or now - timedelta(days=1),
            ends_at or now + timedelta(days=180),
            "rotation to the next association",
            association,
        )
        return user

    return factory
