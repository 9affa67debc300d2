"""Full-text search over visible posts, behind one seam (backend.py), with two backends.

- postgres.py: PostgreSQL full text, the production backend for any number of hosts and workers:
  search rows derived in the writer's own transaction (postgres_rows.py), queried in SQL that
  excludes what readers may not see (postgres_query.py).
- whoosh_backend.py: an embedded Whoosh index on one host, the default beside SQLite.

`TRIBUNE_SEARCH_BACKEND` chooses: `auto` (postgres on PostgreSQL, whoosh on SQLite), `postgres`
or `whoosh`. Both share the analyzer (analysis.py, words.py), the query language
(querylang.py, compiled.py) and the snippets (highlight.py). This package is the only place in
Tribune that imports `whoosh`. Search is derived data: it can be thrown away and rebuilt from
the database at any time (STYLE.md, "Search is derived").
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from tribune.fulltext import tracking
from tribune.fulltext.backend import Backend, SearchUnavailable

__all__ = ["Backend", "SearchUnavailable", "choose", "current", "init_app"]

BACKENDS = ("auto", "postgres", "whoosh")
_KEY = "tribune.search"


class BackendRefused(RuntimeError):
    """A backend that cannot run correctly on this database: the application does not start."""


def choose(setting: str, dialect: str) -> str:
    """The backend to run for TRIBUNE_SEARCH_BACKEND `setting` on a database of `dialect`."""
    if setting not in BACKENDS:
        raise BackendRefused(
            f"TRIBUNE_SEARCH_BACKEND={setting!r} is not a search backend: "
            "use auto, postgres or whoosh."
        )
    if dialect not in ("postgresql", "sqlite"):
        raise BackendRefused(f"Tribune runs on PostgreSQL or SQLite, not {dialect}.")
    if setting == "auto":
        return "postgres" if dialect == "postgresql" else "whoosh"
    if setting == "postgres" and dialect != "postgresql":
        raise BackendRefused(
            "TRIBUNE_SEARCH_BACKEND=postgres needs a PostgreSQL database "
            "(TRIBUNE_DATABASE_URL=postgresql://...): on SQLite use whoosh (or auto)."
        )
    if setting == "whoosh" and dialect != "sqlite":
        # With several hosts or transactions that commit out of id order, one change log read
        # "after my position" can miss changes (docs/decisions/0001): Whoosh is for one host.
        raise BackendRefused(
            "TRIBUNE_SEARCH_BACKEND=whoosh runs only with the embedded SQLite database. "
            "On PostgreSQL use the postgres backend (TRIBUNE_SEARCH_BACKEND=auto or postgres): "
            "it searches inside PostgreSQL and serves any number of hosts."
        )
    return setting


def init_app(app) -> Backend:
    """Start the backend the configuration asks for; BackendRefused if it cannot run here."""
    from tribune.extensions import db

    with app.app_context():
        engine = db.engine
    config = app.config
    name = choose(config["SEARCH_BACKEND"], engine.dialect.name)
    if name == "postgres":
        from tribune.fulltext.postgres import PostgresBackend

        backend: Backend = PostgresBackend(rank_limit=config["SEARCH_RANK_LIMIT"])
    else:
        from tribune.fulltext.whoosh_backend import WhooshBackend

        backend = WhooshBackend(
            config["INDEX_DIR"],
            in_request=config["SEARCH_INDEX_IN_REQUEST"],
            each_commit=config["SEARCH_INDEX_EACH_COMMIT"],
            batch_size=config["SEARCH_BATCH_SIZE"],
            request_budget=config["SEARCH_REQUEST_BUDGET"],
            rebuild_limitmb=config["SEARCH_REBUILD_LIMITMB"],
            session_factory=lambda: Session(engine),
        )
    app.extensions[_KEY] = backend
    tracking.register(engine, backend)
    return backend


def current() -> Backend:
    """The search backend of the current application."""
    return current_app.extensions[_KEY]
