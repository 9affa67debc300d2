"""The seam between Tribune and a search engine: what every backend offers, and what it returns.

A backend derives what it needs from the database (`changed`, inside the writing transaction;
`settle`, once the transaction committed; `rebuild`, from scratch), answers searches (`search`)
and says how far it can be trusted (`status`). The analyzer, the query language and the snippets
are shared (analysis.py, querylang.py, compiled.py, highlight.py); backends differ only in how
they keep tokens and run queries. Nothing outside `tribune/fulltext/` knows which backend runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SORTS = ("relevance", "newest", "oldest")
# One thread may show at most this many posts in grouped results; the last says how many more.
GROUP_LIMIT = 2
# Nobody reads page 101 of a result list; totals still count every match (up to a backend's cap).
MAX_RESULTS = 1000


class SearchUnavailable(Exception):
    """The search data cannot be read now (an index missing, damaged or never built, or the
    database unreachable): the page answers 503 with Retry-After and the rest of the site works.

    Only these conditions raise it. Any other exception inside a search is a bug and must
    surface as one (a 500 with its traceback logged), never disguised as this."""


@dataclass
class Hit:
    """One matching post and the text of it that matched best (translation_id None: the post's
    own text; else that translation, in `language`)."""

    post_id: int
    thread_id: int
    translation_id: int | None = None
    language: str = ""
    more_in_thread: int = 0


@dataclass
class Found:
    """One page of results and the totals around it."""

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # False when `total` is a lower bound ("more than N"): a backend counted up to its cap.
    total_is_exact: bool = True
    has_next: bool = False


@dataclass
class Status:
    """What `flask search status` prints: facts, and the problems that make it exit non-zero."""

    backend: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass
class Rebuilt:
    """What a rebuild did."""

    texts: int
    posts: int
    seconds: float
    detail: str = ""


Progress = Callable[[int, int], None]  # (posts done, posts in all)


class Backend:
    """What the rest of Tribune may ask of a search backend."""

    name = "?"
    # True when everything is derived inside the writing transaction (no worker, no lag).
    derived_in_transaction = False

    def changed(self, session, changes) -> None:
        """Searchable objects changed in a flush of `session` (tracking.Change); called inside
        the writing transaction, so what is written here commits or rolls back with it."""
        raise NotImplementedError

    def settle(self, budget: float | None = None) -> None:
        """Called once a request or command that committed searchable changes ends: bring what
        is derived outside the transaction up to date, spending at most `budget` seconds (None:
        as long as it takes). Nothing to do where everything is derived in the transaction."""

    def search(self, session, query, *, sort: str, page: int, per_page: int, group: bool) -> Found:
        """One page of the posts matching `query` (compiled.CompiledQuery) that readers may
        see; SearchUnavailable if the search data cannot be read."""
        raise NotImplementedError

    def status(self, session_factory, thorough: bool = False) -> Status:
        """Where the search data stands against the database; `thorough` reads all of it."""
        raise NotImplementedError

    def rebuild(self, session_factory, progress: Progress | None = None) -> Rebuilt:
        """Derive everything again from the database while searches keep being answered."""
        raise NotImplementedError
