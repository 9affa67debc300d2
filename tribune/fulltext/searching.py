"""Run a reader's search against the index: filters, sorting, grouping, pages and snippets.

Matching and ranking are evaluation.py's: the whole index at once, whoosh's BM25F scores.

Grouping: on the search page one long thread must not flood the first page, so results are
collapsed by thread_id, keeping the best `GROUP_LIMIT` posts of each thread and counting the
others ("N more in this thread" links to a search inside that thread). Collapsing happens over
the whole result list, before paging, so pages never repeat a thread's hidden tail.

Snippets are cut from the stored plain text of the post (never from HTML), escaped, with only
our own <mark> elements added. Matches are found by running the same analyzers that indexed the
text over it, so «كانون» in a post lights up for a reader who typed «کانون».
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup, escape
from whoosh.query import And, AndNot, NullQuery, Query, Term

from tribune.fulltext import evaluation
from tribune.fulltext.analysis import analyzer_for, stem_field
from tribune.fulltext.querylang import ParsedQuery, split_to_whoosh
from tribune.fulltext.store import IndexStore

SORTS = ("relevance", "newest", "oldest")
GROUP_LIMIT = 2
SNIPPET_CHARS = 220
CONTEXT_CHARS = 60
SNIPPET_FRAGMENTS = 2
FALLBACK_CHARS = 240
WINDOW_CHARS = 3000
MAX_CHARS = 32_768
MAX_SPANS = 40
# Nobody reads page 101 of a result list; totals still count every match.
MAX_RESULTS = 1000


@dataclass
class Hit:
    """One matching post as the index knows it."""

    post_id: int
    thread_id: int
    snippet: Markup
    title_terms: frozenset[str]
    more_in_thread: int = 0


@dataclass
class Found:
    """One page of results and the totals around it."""

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 10
    # Totals above MAX_RESULTS are estimates (see _count); has_next: another page exists.
    total_is_exact: bool = True
    has_next: bool = False


def build_query(parsed: ParsedQuery, schema, thread_id: int | None = None):
    """(query, filters): the words (within one thread if asked) and the filters apart.

    With no words to match (a filter-only search, or only stop words typed) the filters are
    the query. NullQuery when nothing at all is asked.
    """
    words, filters = split_to_whoosh(parsed, schema)
    if thread_id is not None:
        scope = Term("thread_id", thread_id)
        if words is NullQuery:
            filters = [*filters, scope]
        elif isinstance(words, AndNot):
            words = AndNot(And([words.a, scope]), words.b)
        else:
            words = And([words, scope])
    if words is NullQuery:
        if not filters:
            return NullQuery, []
        return (filters[0] if len(filters) == 1 else And(filters)), []
    return words, filters


def _positive_terms(query: Query) -> dict[str, set[str]]:
    positive = query.a if isinstance(query, AndNot) else query
    terms: dict[str, set[str]] = {}
    for fieldname, text in positive.iter_all_terms():
        if isinstance(text, bytes):
            continue  # numeric and date filters
        terms.setdefault(fieldname, set()).add(text)
    return terms


def _matched_spans(text: str, analyzer, terms: set[str]) -> list[tuple[int, int, str]]:
    return analyzer.spans(text, terms) if terms else []


def _spans(text: str, language: str, terms: dict[str, set[str]]):
    spans = _matched_spans(text, analyzer_for("fa"), terms.get("body", set()))
    stemmed = stem_field(language)
    if stemmed is not None and terms.get(stemmed):
        # "Republiken" found through stem_de for "Republik": same word boundaries, so the
        # spans line up with the generic ones.
        spans += _matched_spans(text, analyzer_for(language), terms[stemmed])
    return sorted(set(spans))


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A fragment of about SNIPPET_CHARS around [start, end), cut at spaces."""
    begin = max(0, start - CONTEXT_CHARS)
    if begin:
        space = text.find(" ", begin, start)
        begin = space + 1 if space >= 0 else begin
    finish = min(len(text), max(end, begin + SNIPPET_CHARS))
    if finish < len(text):
        space = text.rfind(" ", end, finish)
        finish = space if space >= 0 else finish
    return begin, finish


def _fragments(text: str, spans) -> list[tuple[int, int]]:
    # Candidate windows start at each match; the best two by distinct words matched, then by
    # earliest, shown in text order (whoosh's BasicFragmentScorer idea, without re-tokenizing).
    candidates = []
    for start, end, _word in spans[:MAX_SPANS]:
        begin, finish = _window(text, start, end)
        words = {w for s, e, w in spans if s >= begin and e <= finish}
        candidates.append((-len(words), begin, finish))
    chosen: list[tuple[int, int]] = []
    for _score, begin, finish in sorted(candidates):
        if all(finish <= b or begin >= f for b, f in chosen):
            chosen.append((begin, finish))
        if len(chosen) == SNIPPET_FRAGMENTS:
            break
    return sorted(chosen)


def _render(text: str, fragments, spans) -> Markup:
    out = []
    for begin, finish in fragments:
        parts, index = [], begin
        for start, end, _word in spans:
            if start < index or end > finish:
                continue
            parts.append(escape(text[index:start]))
            parts.append(Markup("<mark>%s</mark>") % text[start:end])
            index = end
        parts.append(escape(text[index:finish]))
        if begin > 0:
            parts.insert(0, escape("… "))
        if finish < len(text):
            parts.append(escape(" …"))
        out.append(Markup("").join(parts))
    return Markup(" ").join(out)


def snippet(text: str, language: str, terms: dict[str, set[str]]) -> Markup:
    """An escaped extract of `text` around the query's words, matches in <mark>.

    Reads the first WINDOW_CHARS first (most posts match early, and analysing the whole of a
    long paper for every hit costs milliseconds), the rest only if nothing matched there.
    """
    text = text[:MAX_CHARS]
    spans = _spans(text[:WINDOW_CHARS], language, terms)
    if not spans and len(text) > WINDOW_CHARS:
        spans = _spans(text, language, terms)
    if spans:
        return _render(text, _fragments(text, spans), spans)
    if len(text) <= FALLBACK_CHARS:
        return escape(text)
    head = text[:FALLBACK_CHARS].rsplit(" ", 1)[0]
    return escape(head + " …")


def _ranked(snap: evaluation.Snapshot, docs: np.ndarray, scores: np.ndarray, sort: str):
    """`docs` (sorted, `scores` one per doc) in result order: by score (ties: lower document
    number first, as whoosh), or by creation time."""
    if sort == "relevance":
        return docs[np.lexsort((docs, -scores))]
    created = snap.column("created")[docs]
    if sort == "newest":
        return docs[np.lexsort((-docs, -created))]
    return docs[np.lexsort((docs, created))]


def _thread_ranks(threads: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """For ranked hits' thread ids: each hit's rank within its thread (0 for the thread's best)
    and how many hits each thread has."""
    order = np.argsort(threads, kind="stable")  # grouped by thread, rank order kept inside
    grouped = threads[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, len(grouped)])
    ranks = np.empty(len(threads), dtype=np.int64)
    ranks[order] = np.arange(len(grouped)) - np.repeat(starts, sizes)
    return ranks, dict(zip(grouped[starts].tolist(), sizes.tolist(), strict=True))


def search(
    store: IndexStore,
    parsed: ParsedQuery,
    *,
    thread_id: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 10,
    group: bool = True,
) -> Found:
    """One page of results; IndexUnavailable if the index cannot be read.

    The query is evaluated over the whole index at once (evaluation.py), so the total is
    exact (unless a very common phrase was checked on its best candidates only, then it is
    estimated) and grouping sees every match: at most GROUP_LIMIT posts per thread are listed,
    the last of them saying how many more the thread holds.
    """
    found = Found(page=page, per_page=per_page)
    first = (page - 1) * per_page
    if first >= MAX_RESULTS:
        return found
    group = group and thread_id is None
    with store.searcher() as searcher:
        query, filters = build_query(parsed, searcher.schema, thread_id)
        if query is NullQuery:
            return found
        snap = evaluation.snapshot(searcher)
        order = None
        if sort in ("newest", "oldest"):
            created = snap.column("created").astype(np.float64)
            order = created if sort == "newest" else -created
        allowed = None
        for part in filters:
            mask = snap.filter_mask(part)
            allowed = mask if allowed is None else allowed & mask
        # Filters first: a common phrase's budget is then spent on the posts they allow.
        within = None if allowed is None else np.flatnonzero(allowed)
        matches = evaluation.evaluate(snap, query, order, within=within)
        keep = snap.live[matches.ids]
        if allowed is not None:
            keep &= allowed[matches.ids]
        docs = matches.ids[keep]
        found.total = len(docs)
        if matches.coverage < 1:
            found.total = max(len(docs), round(len(docs) / matches.coverage))
            found.total_is_exact = False
        ranked = _ranked(snap, docs, matches.scores[keep], sort)
        ranks, sizes = None, {}
        if group:
            ranks, sizes = _thread_ranks(snap.column("thread_id")[ranked])
            kept = ranks < GROUP_LIMIT
            ranked, ranks = ranked[kept], ranks[kept]
        ranked = ranked[:MAX_RESULTS]
        found.has_next = len(ranked) > first + per_page
        terms = _positive_terms(query)
        title_terms = frozenset(terms.get("title", ()))
        for index in range(first, min(first + per_page, len(ranked))):
            fields = searcher.stored_fields(int(ranked[index]))
            more = 0
            if ranks is not None and ranks[index] == GROUP_LIMIT - 1:
                more = sizes[fields["thread_id"]] - GROUP_LIMIT
            found.hits.append(
                Hit(
                    post_id=int(fields["post_id"]),
                    thread_id=fields["thread_id"],
                    snippet=snippet(fields.get("body", ""), fields.get("lang") or "fa", terms),
                    title_terms=title_terms,
                    more_in_thread=max(0, more),
                )
            )
    return found


def highlight_title(title: str, terms: frozenset[str]) -> Markup:
    """The thread title, escaped, with the query's words in <mark>."""
    spans = sorted(_matched_spans(title, analyzer_for("fa"), set(terms)))
    out, index = [], 0
    for start, end, _word in spans:
        if start < index:
            continue
        out.append(escape(title[index:start]))
        out.append(Markup("<mark>%s</mark>") % title[start:end])
        index = end
    out.append(escape(title[index:]))
    return Markup("").join(out)
