"""Database engine setup: SQLite pragmas for several writers, PostgreSQL URL normalisation."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tribune.extensions import db

# How long a SQLite writer waits for another one's lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url):
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or omits)."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def init_app(app):
    """Configure and attach SQLAlchemy."""
    url = normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    else:
        options.setdefault("pool_pre_ping", True)
    db.init_app(app)
    from tribune import models  # noqa: F401  (register the tables on the metadata)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers run beside a writer; busy_timeout makes writers queue, not fail."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
