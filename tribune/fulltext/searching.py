"""Run a reader's search against the index: filters, sorting, grouping, pages and snippets.

Grouping: on the search page one long thread must not flood the first page, so results are
collapsed by thread_id (whoosh's `collapse`), keeping the best `GROUP_LIMIT` posts of each thread
and counting the others ("N more in this thread" links to a search inside that thread).
Collapsing happens over the whole result list, before paging, so pages never repeat a thread's
hidden tail and the total counts what can be paged through.

Snippets are cut from the stored plain text of the post (never from HTML), escaped, with only
our own <mark> elements added. Matches are found by running the same analyzers that indexed the
text over it, so «كانون» in a post lights up for a reader who typed «کانون».
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from itertools import islice

from markupsafe import Markup, escape
from whoosh.query import And, AndNot, NullQuery, Query, Term

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
FILTER_CACHE = 32
# Deep pages cost a full top-N collection each; nobody reads page 200 of a result list.
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


def _allowed(searcher, filters: list[Query]):
    """The documents passing every filter, as a set, from a per-searcher cache.

    A filter such as area:agenda or before:2015-12-31 matches a large share of the posts;
    intersecting its postings with the words' on every search is what made filtered searches
    slow. The few filters readers use are computed once per index version (the cache lives on
    the searcher, which is replaced when the index changes) and then only looked up.
    """
    if not filters:
        return None
    cache = searcher.__dict__.setdefault("_tribune_filters", OrderedDict())
    sets = []
    for query in filters:
        key = repr(query)
        docs = cache.get(key)
        if docs is None:
            # A set (whoosh's filter= takes set or DocIdSet, not frozenset); never mutated.
            docs = cache[key] = set(searcher.docs_for_query(query))
            while len(cache) > FILTER_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        sets.append(docs)
    sets.sort(key=len)
    return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]


def _positive_terms(query: Query) -> dict[str, set[str]]:
    positive = query.a if isinstance(query, AndNot) else query
    terms: dict[str, set[str]] = {}
    for fieldname, text in positive.iter_all_terms():
        if isinstance(text, bytes):
            continue  # numeric and date filters
        terms.setdefault(fieldname, set()).add(text)
    return terms


def _matched_spans(text: str, analyzer, terms: set[str]) -> list[tuple[int, int, str]]:
    spans = []
    if terms:
        for token in analyzer(text, chars=True, mode="index", removestops=False):
            if token.text in terms:
                spans.append((token.startchar, token.endchar, token.text))
    return spans


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


def _count(searcher, query: Query, allowed=None, limit: int = MAX_RESULTS) -> tuple[int, bool]:
    """How many documents match: exact up to `limit` (all that can be paged through), else an
    estimate. Counting every match of a word in half the posts costs more than the search."""
    docs = searcher.docs_for_query(query)
    if allowed is not None:
        docs = (docnum for docnum in docs if docnum in allowed)
    seen = sum(1 for _ in islice(docs, limit + 1))
    if seen <= limit:
        return seen, True
    estimate = query.estimate_size(searcher.reader())
    if allowed is not None:
        estimate = min(estimate, len(allowed))
    return max(seen, estimate), False


def _grouped(raw):
    """At most GROUP_LIMIT hits per thread, in rank order."""
    seen: Counter[int] = Counter()
    kept = []
    for hit in raw:
        seen[hit["thread_id"]] += 1
        if seen[hit["thread_id"]] <= GROUP_LIMIT:
            kept.append(hit)
    return kept


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

    Grouped (the search page): the top hits are fetched in rank order and thinned to
    GROUP_LIMIT per thread; if that leaves too few for the page, more are fetched. whoosh's own
    `collapse` would have to score every match of a frequent word, which at 100k posts costs
    hundreds of milliseconds; this reads only the top of the ranking (block-max skipping), then
    counts "N more in this thread" with one small query per thread on the page.
    """
    found = Found(page=page, per_page=per_page)
    first = (page - 1) * per_page
    if first >= MAX_RESULTS:
        return found
    group = group and thread_id is None
    want = first + per_page + 1  # one more tells whether a next page exists
    options: dict = {}
    if sort == "newest":
        options.update(sortedby="created", reverse=True)
    elif sort == "oldest":
        options["sortedby"] = "created"
    with store.searcher() as searcher:
        query, filters = build_query(parsed, searcher.schema, thread_id)
        if query is NullQuery:
            return found
        allowed = _allowed(searcher, filters)
        if allowed is not None and not allowed:
            return found  # whoosh reads an empty filter as "no filter"
        limit = min(MAX_RESULTS, want * (3 if group else 1))
        while True:
            results = searcher.search(query, limit=limit, filter=allowed, **options)
            # Not list(results): its length hint would count every match (Results.__len__).
            raw = [results[n] for n in range(results.scored_length())]
            kept = _grouped(raw) if group else raw
            if len(kept) >= want or len(raw) < limit or limit >= MAX_RESULTS:
                break
            limit = min(MAX_RESULTS, limit * 4)
        found.total, found.total_is_exact = _count(searcher, query, allowed)
        found.has_next = len(kept) > first + per_page
        terms = _positive_terms(query)
        title_terms = frozenset(terms.get("title", ()))
        for hit in kept[first : first + per_page]:
            fields = hit.fields()
            more = 0
            if group and _rank_in_thread(kept, hit) == GROUP_LIMIT:
                in_thread = And([query, Term("thread_id", fields["thread_id"])])
                more = _count(searcher, in_thread, allowed, limit=100_000)[0] - GROUP_LIMIT
            found.hits.append(
                Hit(
                    post_id=int(fields["post_id"]),
                    thread_id=fields["thread_id"],
                    snippet=snippet(fields.get("body", ""), _language(hit), terms),
                    title_terms=title_terms,
                    more_in_thread=max(0, more),
                )
            )
    return found


def _rank_in_thread(kept, hit) -> int:
    """1 for the thread's best hit in the kept list, 2 for its second."""
    thread_id = hit["thread_id"]
    rank = 0
    for other in kept:
        if other["thread_id"] == thread_id:
            rank += 1
        if other is hit:
            return rank
    return rank


def _language(hit) -> str:
    return hit.get("lang") or "fa"


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
