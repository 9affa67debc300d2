"""The Whoosh backend's queries: a compiled query as whoosh queries, and one page of results.

whoosh's own searcher, scoring (BM25F, title words boosted 2x) and sorting, through its public
API. Exclusions go through the searcher's `mask` (whoosh3 3.54's AndNot query lets some
documents holding an excluded word through). Every match is collected, so totals are exact; each
post counts once (its best text), and results are grouped by thread in Python from whoosh's
columns.
"""

from __future__ import annotations

import heapq
from datetime import datetime
from datetime import time as clock

from whoosh.query import (
    And,
    Every,
    NullQuery,
    NumericRange,
    Or,
    Phrase,
    Prefix,
    PreloadedOr,
    Term,
)

from tribune.fulltext.analysis import GENERIC
from tribune.fulltext.backend import GROUP_LIMIT, MAX_RESULTS, Found, Hit


def _terms(alternative, reader=None) -> list:
    fields = ("title", "body") if alternative.field == GENERIC else (alternative.field,)
    words = list(alternative.words)
    if alternative.prefix:
        if reader is None:
            return [Prefix(name, words[0]) for name in fields]
        return [_expanded(reader, fields, words[0])]
    if len(words) == 1:
        return [Term(name, words[0]) for name in fields]
    return [Phrase(name, words) for name in fields]


# A short prefix may start thousands of words; matching their commonest is what a reader means,
# and OR-ing every one of them costs a posting list each.
PREFIX_WORDS = 128


def _expanded(reader, fields, prefix: str):
    """The words of `fields` that start with `prefix` (the PREFIX_WORDS commonest of each), ORed.

    A PreloadedOr reads each word's postings once into one array: a tree of a union matcher
    per word (whoosh's default below 1,024 words on a large index) cost several times as much
    for a prefix of common words."""
    terms = []
    for field in fields:
        words = list(reader.expand_prefix(field, prefix))
        if len(words) > PREFIX_WORDS:
            words = heapq.nlargest(
                PREFIX_WORDS, words, key=lambda word: reader.doc_frequency(field, word)
            )
        terms += [Term(field, word.decode("utf-8")) for word in words]
    return PreloadedOr(terms) if terms else NullQuery


def _any(queries):
    return queries[0] if len(queries) == 1 else Or(queries)


def _day(day, end: bool) -> datetime:
    return datetime.combine(day, clock.max if end else clock.min)


def whoosh_queries(query, reader=None):
    """(words, filter, mask, dates) for whoosh's searcher from a compiled.CompiledQuery; with a
    `reader`, prefixes are expanded into their commonest words (see PREFIX_WORDS). `dates` is
    (first, last) of the dates asked for, or None: a date range is checked on each match's date
    (whoosh turns a range into every date term it spans: half a second at 50k posts)."""
    clauses = [
        _any([t for alt in clause for t in _terms(alt, reader)]) for clause in query.required
    ]
    filters = [Term(key, value) for key, value in query.filters.items()]
    if query.thread_id is not None:
        filters.append(NumericRange("thread_id", query.thread_id, query.thread_id))
    dates = None
    if query.after or query.before:
        dates = (
            _day(query.after, end=False) if query.after else datetime.min,
            _day(query.before, end=True) if query.before else datetime.max,
        )
    words = And(clauses) if len(clauses) > 1 else (clauses[0] if clauses else Every())
    excluded = [t for alt in query.excluded for t in _terms(alt, reader)]
    return (
        words,
        (And(filters) if len(filters) > 1 else filters[0]) if filters else None,
        _any(excluded) if excluded else None,
        dates,
    )


def _collect(opened, query, sort):
    """[(docnum, post id, thread id)] in result order, each post once (its best text), and
    {thread id: posts matched in it}."""
    searcher = opened.searcher
    words, allowed, mask, dates = whoosh_queries(query, searcher.reader())
    allowed_docs = None if allowed is None else opened.allowed(allowed)
    if allowed_docs is not None and not allowed_docs:
        # Nothing passes the filters (whoosh would take an empty set for no filter at all).
        return [], {}
    options = {"limit": None, "filter": allowed_docs, "mask": mask}
    if sort == "relevance" and not isinstance(words, Every):
        results = searcher.search(words, **options)
    else:
        results = searcher.search(words, sortedby="created", reverse=sort != "oldest", **options)
    if results.is_empty():
        return [], {}
    posts, thread_of = opened.columns["post_id"], opened.columns["thread_id"]
    created = opened.columns["created"]
    seen: set[int] = set()
    ordered = []
    threads: dict[int, int] = {}
    for docnum, _score in results.items():
        if dates is not None and not dates[0] <= created[docnum] <= dates[1]:
            continue
        post_id = posts[docnum]
        if post_id in seen:
            continue
        seen.add(post_id)
        thread_id = thread_of[docnum]
        threads[thread_id] = threads.get(thread_id, 0) + 1
        ordered.append((docnum, post_id, thread_id))
    return ordered, threads


def result_page(opened, query, sort: str, first: int, per_page: int, group: bool) -> Found:
    """One page of results from an opened index: exact total, at most GROUP_LIMIT posts a
    thread when grouped, never past MAX_RESULTS."""
    ordered, threads = _collect(opened, query, sort)
    found = Found(total=len(ordered))
    if group:
        places: dict[int, int] = {}
        shown = []
        for docnum, post_id, thread_id in ordered:
            place = places[thread_id] = places.get(thread_id, 0) + 1
            if place <= GROUP_LIMIT:
                shown.append((docnum, post_id, thread_id, place))
    else:
        shown = [(docnum, post_id, thread_id, 0) for docnum, post_id, thread_id in ordered]
    shown = shown[:MAX_RESULTS]
    found.has_next = len(shown) > first + per_page
    for docnum, post_id, thread_id, place in shown[first : first + per_page]:
        stored = opened.searcher.stored_fields(docnum)
        more = threads[thread_id] - GROUP_LIMIT if group and place == GROUP_LIMIT else 0
        found.hits.append(
            Hit(
                post_id=post_id,
                thread_id=thread_id,
                translation_id=stored.get("translation_id"),
                language=stored.get("lang") or "",
                more_in_thread=max(0, more),
            )
        )
    return found
