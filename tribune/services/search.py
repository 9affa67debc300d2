"""Searching as the rest of Tribune sees it: a reader's criteria in, a page of visible posts out.

The backend (`tribune.fulltext.current()`, whichever runs) says which posts match and which of
their texts matched best; the posts are then read again from the database through the readers'
visibility rule, so nothing hidden is ever shown, and each snippet is cut from the text that
matched (the post's own, or a translation, labelled with its language). Queries are never logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from tribune import fulltext
from tribune.extensions import db
from tribune.fulltext import highlight
from tribune.fulltext.backend import MAX_RESULTS, SORTS, SearchUnavailable
from tribune.fulltext.compiled import compile_query
from tribune.fulltext.querylang import (
    ParsedQuery,
    QuerySyntaxError,
    parse,
    with_filters,
)
from tribune.fulltext.texts import load_translations, load_visible, plain_body
from tribune.models import Post, Translation

__all__ = [
    "FILTERS",
    "MAX_RESULTS",
    "SORTS",
    "Criteria",
    "Outcome",
    "QuerySyntaxError",
    "Result",
    "SearchUnavailable",
    "run",
]

FILTERS = ("area", "section", "author", "association", "lang", "kind")
# Snippets look at the start of a text only (highlight.MAX_CHARS of plain text): the Markdown of
# a long paper is cut before it is turned into plain text for them.
SNIPPET_SOURCE_CHARS = 40_000


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

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet (an empty search page)."""
        return not (self.q.strip() or any(self.filters.values()) or self.after or self.before)


@dataclass
class Result:
    """One result: the post re-read from the database, the text of it that matched (its own, or
    `translation`), and that text's snippet and title with the query's words marked."""

    post: Post
    snippet: Markup
    title: Markup
    more_in_thread: int
    language: str
    translation: Translation | None = None


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
    """Search; raises QuerySyntaxError (the reader's mistake) or SearchUnavailable (503)."""
    parsed = prepare(criteria)
    sort = criteria.sort or ("relevance" if parsed.clauses else "newest")
    query = compile_query(parsed, criteria.thread_id)
    # Within one thread there is nothing to group.
    group = group and criteria.thread_id is None
    found = fulltext.current().search(
        db.session, query, sort=sort, page=criteria.page, per_page=criteria.per_page, group=group
    )
    posts = load_visible(db.session, [hit.post_id for hit in found.hits])
    translations = load_translations(
        db.session, [hit.translation_id for hit in found.hits if hit.translation_id]
    )
    terms = query.highlight_terms()
    results = []
    for hit in found.hits:
        post = posts.get(hit.post_id)
        if post is None:  # hidden since the backend looked
            continue
        translation = translations.get(hit.translation_id) if hit.translation_id else None
        if translation is not None and translation.post_id != post.id:
            translation = None
        results.append(_result(post, translation, hit.more_in_thread, terms))
    return Outcome(
        criteria,
        parsed,
        sort,
        results,
        found.total,
        criteria.page,
        criteria.per_page,
        found.total_is_exact,
        found.has_next,
    )


def _result(post: Post, translation: Translation | None, more: int, terms) -> Result:
    if translation is not None:
        source, language = translation.body_source, translation.language
        title = translation.title or post.thread.title
    else:
        source, language, title = post.body_source, post.language, post.thread.title
    text = plain_body((source or "")[:SNIPPET_SOURCE_CHARS])
    return Result(
        post=post,
        snippet=highlight.snippet(text, language, terms),
        title=highlight.highlight_title(title, language, terms),
        more_in_thread=more,
        language=language,
        translation=translation,
    )
