"""Search as the rest of Tribune sees it: keeping the index current, and running searches.

Keeping current: SQLAlchemy tells us when a transaction that wrote change rows has committed.
With SEARCH_INDEX_IN_REQUEST (the default) the indexer then runs in this process: at the end of
the web request (one catch-up however many commits the request made), or at once outside
requests (command line, tests). It never waits for the writer lock: if another process holds it,
that process will see our change before it lets go (indexer.catch_up). Deployments that run
`flask search worker` set SEARCH_INDEX_IN_REQUEST = False and leave it all to the worker.

Running searches: views hand over the reader's criteria; results come back as posts re-read from
the database through the readers' visibility rule, so even an index that lags a moment behind a
moderator's "hide" never shows the hidden post. Queries are never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from tribune.extensions import db
from tribune.fulltext import documents, indexer, searching
from tribune.fulltext.querylang import ParsedQuery, QuerySyntaxError, parse, with_filters
from tribune.fulltext.store import IndexStore, IndexUnavailable
from tribune.models import Post, SearchChange
from tribune.services import changes

# A paper's co-signing associations are what the association: filter finds; signing and
# withdrawing must reach the index. (The row's own id is not the thread's, so it gets a kind
# of its own, which the indexer resolves through the row's thread_id.)
if documents.signature_model() is not None:
    changes.watch(documents.signature_model(), "signature", {"withdrawn_at", "association_id"})

log = logging.getLogger(__name__)

__all__ = ["Criteria", "IndexUnavailable", "QuerySyntaxError", "run"]

FILTERS = ("area", "section", "author", "association", "lang", "kind")


def store() -> IndexStore:
    """The index of the current application."""
    return IndexStore(current_app.config["INDEX_DIR"])


def new_session() -> Session:
    """A session of its own for the indexer, apart from the request's."""
    return Session(db.engine)


def catch_up(wait: float = 0.0, budget: float | None = None):
    """Apply pending changes if the writer lock is free (or frees within `wait` seconds)."""
    config = current_app.config
    return indexer.catch_up(
        store(),
        new_session,
        wait=wait,
        batch_size=config["SEARCH_BATCH_SIZE"],
        budget=budget,
    )


def catch_up_quietly(budget: float | None = None) -> None:
    """catch_up() for hooks: never raises into the request or command that committed."""
    try:
        catch_up(budget=budget)
    except IndexUnavailable as error:
        # The index must be rebuilt; the change stays in the log until then.
        log.error("search index not updated: %s (run `flask search rebuild`)", error)
    except Exception:
        log.exception("search index not updated; the change stays in the log")


# Hooks: a commit that wrote change rows -> catch up


@event.listens_for(SearchChange, "after_insert")
def _change_written(mapper, connection, target):
    session = object_session(target)
    if session is not None:
        session.info["search_changed"] = True


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop("search_changed", None)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if not session.info.pop("search_changed", False) or not has_app_context():
        return
    if not current_app.config.get("SEARCH_INDEX_IN_REQUEST"):
        return
    # Once per request or command, however many commits it made: at the end of the request,
    # or when the application context of a command (import, demo, CLI) closes. A search made
    # meanwhile catches up first, so nothing waits on this to be found. SEARCH_INDEX_EACH_COMMIT
    # indexes at every commit outside requests instead (the search tests inspect the index).
    if current_app.config.get("SEARCH_INDEX_EACH_COMMIT") and not has_request_context():
        catch_up_quietly()
    else:
        g.search_changed = True


def _after_request_teardown(exc):
    # A request does a bounded amount of indexing; a backlog beyond it is left to the next one.
    if g.pop("search_changed", False):
        catch_up_quietly(budget=current_app.config["SEARCH_REQUEST_BUDGET"])


def _after_context_teardown(exc):
    if g.pop("search_changed", False):
        catch_up_quietly()


class RedactSearchQueries(logging.Filter):
    """Drop the query string of search requests from request log lines: what readers look for
    is nobody's business (PRODUCT.md, "Safety"). Installed on werkzeug's request logger (the
    development server); gunicorn's access log format is set in the README to leave it out."""

    _SEARCH = re.compile(r"(/(?:api/v1/)?search)\?\S*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._SEARCH.sub(r"\1?…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = self._SEARCH.sub(r"\1?…", record.msg)
        return True


def init_app(app):
    """Run the indexer at the end of requests that committed searchable changes."""
    app.teardown_request(_after_request_teardown)
    app.teardown_appcontext(_after_context_teardown)
    request_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSearchQueries) for f in request_log.filters):
        request_log.addFilter(RedactSearchQueries())


# Running a search


class BadParameter(ValueError):
    """A request parameter outside its range (sort, page, per_page, thread)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass
class Criteria:
    """What a reader asked for, from the search form or the API's parameters."""

    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    after: str = ""
    before: str = ""
    sort: str = ""
    page: int = 1
    per_page: int = 10
    thread_id: int | None = None

    @classmethod
    def from_args(cls, args, per_page_default: int, per_page_max: int) -> Criteria:
        """Read request arguments (q, area, ..., from, to, sort, page, per_page, thread)."""
        sort = args.get("sort", "").strip()
        if sort and sort not in searching.SORTS:
            raise BadParameter("sort", "sort must be relevance, newest or oldest.")
        page = _int_arg(args, "page", 1, 1, searching.MAX_RESULTS)
        per_page = _int_arg(args, "per_page", per_page_default, 1, per_page_max)
        thread = args.get("thread", "").strip()
        thread_id = _int_arg(args, "thread", 0, 1, 2**62) if thread else None
        return cls(
            q=args.get("q", ""),
            filters={key: args.get(key, "") for key in FILTERS if args.get(key)},
            after=args.get("from", ""),
            before=args.get("to", ""),
            sort=sort,
            page=page,
            per_page=per_page,
            thread_id=thread_id,
        )

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet (an empty search page)."""
        return not (self.q.strip() or any(self.filters.values()) or self.after or self.before)


def _int_arg(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}.")
    return value


@dataclass
class Result:
    """One result: the post re-read from the database, and what the index says about it."""

    post: Post
    snippet: object
    title: object
    more_in_thread: int


@dataclass
class Outcome:
    """A page of results."""

    criteria: Criteria
    parsed: ParsedQuery
    sort: str
    results: list[Result]
    total: int
    page: int
    per_page: int
    total_is_exact: bool = True
    has_next: bool = False


def prepare(criteria: Criteria) -> ParsedQuery:
    """Parse and check the criteria; QuerySyntaxError tells the reader what to fix."""
    parsed = parse(criteria.q) if criteria.q.strip() else ParsedQuery()
    parsed = with_filters(parsed, criteria.filters, criteria.after, criteria.before)
    if not (parsed.clauses or parsed.filters or parsed.after or parsed.before):
        raise QuerySyntaxError(
            "Type at least one word to look for (or a filter such as author:NAME).", 0, "empty"
        )
    return parsed


def run(criteria: Criteria, group: bool = True) -> Outcome:
    """Search; raises QuerySyntaxError (reader's mistake) or IndexUnavailable (503)."""
    parsed = prepare(criteria)
    sort = criteria.sort or ("relevance" if parsed.clauses else "newest")
    if current_app.config["SEARCH_INDEX_IN_REQUEST"]:
        _catch_up_if_behind()
    found = searching.search(
        store(),
        parsed,
        thread_id=criteria.thread_id,
        sort=sort,
        page=criteria.page,
        per_page=criteria.per_page,
        group=group,
    )
    posts = _visible_posts([hit.post_id for hit in found.hits])
    results = [
        Result(
            post=posts[hit.post_id],
            snippet=hit.snippet,
            title=searching.highlight_title(posts[hit.post_id].thread.title, hit.title_terms),
            more_in_thread=hit.more_in_thread,
        )
        for hit in found.hits
        if hit.post_id in posts
    ]
    return Outcome(
        criteria,
        parsed,
        sort,
        results,
        found.total,
        found.page,
        found.per_page,
        found.total_is_exact,
        found.has_next,
    )


def _visible_posts(post_ids: list[int]) -> dict[int, Post]:
    # The readers' rule again, on the database's current state: one statement for the page.
    if not post_ids:
        return {}
    return documents.load_visible(db.session, post_ids)


def _catch_up_if_behind() -> None:
    # A backstop for single-process installs: a change whose catch-up was skipped (another
    # process held the lock and finished just before it arrived) is applied before searching.
    with new_session() as session:
        behind = indexer.has_pending(session)
    if behind:
        catch_up_quietly(budget=current_app.config["SEARCH_REQUEST_BUDGET"])
