"""The array evaluator (fulltext/evaluation.py) gives whoosh's own answers, faster.

Every query shape querylang builds is run both ways over one index of several segments with
deleted documents: the same documents must match, with the same BM25F scores, so the ranking
is the same.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, AndNot, DateRange, NullQuery, Or, Phrase, Term

from tribune.fulltext import arrays, evaluation
from tribune.fulltext.analysis import build_schema, text_fields
from tribune.fulltext.codec import CODEC, TribuneLeafMatcher
from tribune.fulltext.querylang import QuerySyntaxError, parse, split_to_whoosh

WORDS = [
    "بدیل",
    "جمهوری",
    "دمکراتیک",
    "كانون",
    "کانون‌های",
    "کانونهای",
    "کانون های",
    "می‌شود",
    "می شود",
    "میشود",
    "شورا",
    "لائیک",
    "سوسیالیسم",
    "زنان",
    "آزادی",
    "republique",
    "République",
    "laïque",
    "Republik",
    "Republiken",
    "elections",
    "election",
    "conseil",
    "conseils",
    "vrijheid",
    "fashion",
    "show",
]
LANGUAGES = ["fa", "fa", "fa", "en", "de", "fr", "nl"]
QUERY_WORDS = [
    "بدیل",
    "جمهوری",
    "دمکراتیک",
    "کانون",
    "کانونهای",
    "میشود",
    "می",
    "شورا",
    "لائيك",
    "زن",
    "republique",
    "Republik",
    "election",
    "conseil",
    "fashion",
    "show",
    "نیست",
]


def _corpus(seed: int = 11, count: int = 240):
    rng = random.Random(seed)
    start = datetime(2009, 6, 1)
    for number in range(1, count + 1):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 40))]
        if number % 10 == 0:
            words.insert(rng.randrange(len(words)), "بدیل جمهوری دمکراتیک")
        if number == 3:
            words += ["مصدق", "بدیل"]  # a rare word, in the first segment only
        language = rng.choice(LANGUAGES)
        title = " ".join(rng.choice(WORDS) for _ in range(3)) if number % 7 == 1 else ""
        yield {
            "post_id": str(number),
            "thread_id": 1 + number // 7,
            "area": rng.choice(["tribune", "agenda"]),
            "section": rng.choice(["strategy", "women"]),
            "author": rng.choice(["sara", "reza", "mina"]),
            "lang": language,
            "kind": rng.choice(["paper", "discussion"]),
            "created": start + timedelta(days=number * 9),
            **text_fields(language, title, " ".join(words)),
        }


@pytest.fixture(scope="module", params=["tribune", "w3", "mixed"])
def ix(request):
    """Three segments, then replacements and deletions: postings still list deleted docs.
    Written with codec.py's codec, with whoosh's own (segments written before it), or both."""
    codecs = {"tribune": [CODEC] * 4, "w3": [None] * 4, "mixed": [None, CODEC, None, CODEC]}
    codec = iter(codecs[request.param])
    index = RamStorage().create_index(build_schema())
    documents = list(_corpus())
    for start in range(0, len(documents), 80):
        writer = index.writer(codec=next(codec))
        for document in documents[start : start + 80]:
            writer.add_document(**document)
        writer.commit(merge=False)
    writer = index.writer(codec=next(codec))
    for document in documents[::9]:
        writer.update_document(**{**document, "body": document["body"] + " بدیل جمهوری"})
    for post_id in ("5", "50", "150", "200"):
        writer.delete_by_term("post_id", post_id)
    writer.commit(merge=False)
    assert len(index.reader().leaf_readers()) > 2
    return index


def whoosh_ranking(searcher, query, filter_query=None):
    """whoosh's (score, docnum) list. An exclusion is applied here, on whoosh's answers for its
    two sides: whoosh 3.54's own AndNot lets some excluded documents through (see
    test_an_excluded_word_never_matches)."""
    allowed = set(searcher.docs_for_query(filter_query)) if filter_query is not None else None
    if allowed is not None and not allowed:
        return []
    excluded = set()
    if isinstance(query, AndNot):
        excluded = {hit.docnum for hit in searcher.search(query.b, limit=None)}
        query = query.a
    results = searcher.search(query, limit=None, filter=allowed)
    return [(round(hit.score, 9), hit.docnum) for hit in results if hit.docnum not in excluded]


def our_ranking(searcher, query, filter_query=None, **options):
    snap = evaluation.snapshot(searcher)
    matches = evaluation.evaluate(snap, query, **options)
    assert (np.diff(matches.ids) > 0).all() and len(matches.scores) == len(matches.ids)
    keep = snap.live[matches.ids]
    if filter_query is not None:
        keep &= snap.filter_mask(filter_query)[matches.ids]
    scores = dict(zip(matches.ids.tolist(), matches.scores.tolist(), strict=True))
    return [(round(scores[d], 9), d) for d in matches.ids[keep].tolist()]


def same(ours, theirs, scored=True):
    """Same documents in the same order; same scores too unless a term on a non-text field
    (thread_id) is involved: whoosh adds the same amount to every match for it, we add 0."""
    key = lambda pair: (-pair[0], pair[1])  # noqa: E731
    ours, theirs = sorted(ours, key=key), sorted(theirs, key=key)
    assert [d for _s, d in ours] == [d for _s, d in theirs]
    if scored:
        assert ours == theirs


SHAPES = [
    Term("body", "بدیل"),
    Term("title", "جمهوری"),
    Term("stem_de", "republ"),
    Term("thread_id", 3),
    Or([Term("title", "کانون"), Term("body", "کانون"), Term("body", "کانونهای")]),
    And([Term("body", "بدیل"), Term("body", "جمهوری")]),
    AndNot(Term("body", "بدیل"), Term("body", "شورا")),
    Phrase("body", ["جمهوری", "دمکراتیک"]),
    Phrase("body", ["بدیل", "جمهوری", "دمکراتیک"]),
    Phrase("body", ["fashion", "show"]),
    AndNot(Term("body", "بدیل"), Phrase("body", ["جمهوری", "دمکراتیک"])),
    And([Phrase("body", ["میشود", "شورا"]), Term("body", "آزادی")]),
    And([Term("body", "بدیل"), Term("thread_id", 5)]),
]


@pytest.mark.parametrize("query", SHAPES, ids=repr)
def test_every_query_shape_matches_and_ranks_as_whoosh(ix, query):
    scored = "thread_id" not in {name for name, _text in query.iter_all_terms()}
    with ix.searcher() as searcher:
        theirs = whoosh_ranking(searcher, query)
        assert theirs
        same(our_ranking(searcher, query), theirs, scored)


@pytest.mark.parametrize(
    "query",
    [Term("body", "نیست"), Term("nothere", "x"), Phrase("body", ["نیست", "جمهوری"]), NullQuery],
    ids=repr,
)
def test_what_cannot_match_matches_nothing(ix, query):
    with ix.searcher() as searcher:
        assert our_ranking(searcher, query) == []


def test_an_excluded_word_never_matches(ix):
    query = AndNot(Term("body", "بدیل"), Term("body", "شورا"))
    with ix.searcher() as searcher:
        matched = [docnum for _score, docnum in our_ranking(searcher, query)]
        assert matched
        for docnum in matched:
            body = searcher.stored_fields(docnum)["body"]
            assert "بدیل" in body and "شورا" not in body


FILTERS = [
    Term("area", "agenda"),
    Term("lang", "fa"),
    Term("author", "sara"),
    DateRange("created", datetime(2012, 1, 1), None),
    DateRange("created", None, datetime(2011, 12, 31, 23, 59, 59)),
    DateRange("created", datetime(2010, 3, 21), datetime(2013, 3, 20, 23, 59, 59)),
    And([Term("kind", "paper"), DateRange("created", datetime(2011, 1, 1), None)]),
]


@pytest.mark.parametrize("filter_query", FILTERS, ids=repr)
def test_filters_and_date_ranges_match_whoosh(ix, filter_query):
    words = Or([Term("title", "بدیل"), Term("body", "بدیل")])
    with ix.searcher() as searcher:
        theirs = whoosh_ranking(searcher, words, filter_query)
        assert theirs, "the filter should leave something to compare"
        same(our_ranking(searcher, words, filter_query), theirs)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(QUERY_WORDS),
            st.sampled_from(QUERY_WORDS).map(lambda w: f"-{w}"),
            st.tuples(st.sampled_from(QUERY_WORDS), st.sampled_from(QUERY_WORDS)).map(
                lambda pair: f'"{pair[0]} {pair[1]}"'
            ),
            st.just("OR"),
            st.sampled_from(["lang:fa", "area:agenda", "after:1390-01-01", "before:2012"]),
        ),
        min_size=1,
        max_size=5,
    ).map(" ".join)
)
def test_parsed_queries_rank_as_whoosh(ix, text):
    try:
        parsed = parse(text)
    except QuerySyntaxError:
        return
    with ix.searcher() as searcher:
        words, filters = split_to_whoosh(parsed, searcher.schema)
        if words is NullQuery:
            return
        filter_query = None
        if filters:
            filter_query = filters[0] if len(filters) == 1 else And(filters)
        same(
            our_ranking(searcher, words, filter_query),
            whoosh_ranking(searcher, words, filter_query),
        )


def test_deleted_documents_never_match(ix):
    with ix.searcher() as searcher:
        deleted = {
            offset + docnum
            for segment, offset in searcher.reader().leaf_readers()
            for docnum in segment.deleted_docs_set
        }
        assert deleted
        everything = Or([Term("body", word) for word in ("بدیل", "جمهوری", "شورا", "آزادی")])
        matched = {docnum for _score, docnum in our_ranking(searcher, everything)}
        assert matched and not matched & deleted
        stored = {searcher.stored_fields(d)["post_id"] for d in matched}
        assert not stored & {"5", "50", "150", "200"}


def test_a_common_phrase_checks_its_best_candidates_first(ix):
    """Past the budget only the best candidates are checked: the top of the ranking is still
    whoosh's, the total becomes an estimate."""
    phrase = Phrase("body", ["بدیل", "جمهوری"])
    with ix.searcher() as searcher:
        theirs = sorted(whoosh_ranking(searcher, phrase), key=lambda p: (-p[0], p[1]))
        snap = evaluation.snapshot(searcher)
        candidates = len(our_ranking(searcher, And([Term("body", "بدیل"), Term("body", "جمهوری")])))
        assert candidates > 20
        matches = evaluation.evaluate(snap, phrase, budget=10)
        assert matches.coverage == pytest.approx(10 / candidates)
        ours = our_ranking(searcher, phrase, budget=10)
        assert 0 < len(ours) <= 10
        assert sorted(ours, key=lambda p: (-p[0], p[1])) == theirs[: len(ours)]
        # "newest": the newest matching posts are checked first instead.
        created = snap.column("created").astype(np.float64)
        newest = our_ranking(searcher, phrase, order=created, budget=10)
        by_date = sorted((d for _s, d in theirs), key=lambda d: -created[d])
        assert sorted((d for _s, d in newest), key=lambda d: -created[d]) == by_date[: len(newest)]


def test_a_phrase_inside_a_narrower_and_spends_its_budget_there(ix):
    """Search in one thread: the phrase's budget goes to that thread's candidates, not to the
    rest of the posting blocks read along with them, so the thread's matches are all found."""
    words = [Term("body", "بدیل"), Term("body", "جمهوری")]
    for thread in (11, 21, 31):
        scope = Term("thread_id", thread)
        query = And([Phrase("body", ["بدیل", "جمهوری"]), scope])
        with ix.searcher() as searcher:
            theirs = whoosh_ranking(searcher, query)
            # A budget of exactly the thread's candidates (posts holding both words).
            budget = len(our_ranking(searcher, And([*words, scope])))
            assert theirs and budget < len(our_ranking(searcher, And(words)))
            same(our_ranking(searcher, query, budget=budget), theirs, scored=False)
            snap = evaluation.snapshot(searcher)
            assert evaluation.evaluate(snap, query, budget=budget).coverage == 1


def test_a_filtered_phrase_spends_its_budget_on_what_the_filter_allows(ix):
    phrase = Phrase("body", ["بدیل", "جمهوری"])
    for author in ("sara", "reza", "mina"):
        allowed = Term("author", author)
        with ix.searcher() as searcher:
            theirs = whoosh_ranking(searcher, phrase, allowed)
            snap = evaluation.snapshot(searcher)
            within = np.flatnonzero(snap.filter_mask(allowed))
            words = And([Term("body", "بدیل"), Term("body", "جمهوری")])
            budget = len(our_ranking(searcher, words, allowed))
            assert theirs and budget < len(our_ranking(searcher, words))
            ours = our_ranking(searcher, phrase, allowed, budget=budget, within=within)
            same(ours, theirs)
            assert evaluation.evaluate(snap, phrase, budget=budget, within=within).coverage == 1


def test_an_exclusion_is_never_cut_short(ix):
    """-"phrase" must remove every post holding the phrase, however common."""
    query = AndNot(Term("body", "بدیل"), Phrase("body", ["بدیل", "جمهوری"]))
    with ix.searcher() as searcher:
        same(our_ranking(searcher, query, budget=1), whoosh_ranking(searcher, query))


def test_segment_arrays_are_read_once_per_segment(ix):
    with ix.searcher() as first:
        evaluation.snapshot(first).norms("body")
    cached = set(arrays.segment_arrays.keys())
    with ix.searcher() as second:
        snap = evaluation.snapshot(second)
        snap.norms("body")
        assert len(snap.norms("body")) == snap.size
    assert set(arrays.segment_arrays.keys()) == cached


def test_an_unknown_query_type_is_refused(ix):
    from whoosh.query import Prefix

    with ix.searcher() as searcher, pytest.raises(evaluation.UnsupportedQuery):
        evaluation.evaluate(evaluation.snapshot(searcher), Prefix("body", "بد"))


def test_columns_and_lengths_are_read_as_whoosh_reads_them(ix):
    from whoosh.util.times import datetime_to_long

    with ix.searcher() as searcher:
        snap = evaluation.snapshot(searcher)
        threads, created = snap.column("thread_id"), snap.column("created")
        lengths = {name: snap._global("lengths", name, arrays.segment_lengths)
                   for name in ("title", "body", "stem_fr")}  # fmt: skip
        for docnum in range(snap.size):
            stored = searcher.stored_fields(docnum)
            assert threads[docnum] == stored["thread_id"]
            assert created[docnum] == datetime_to_long(stored["created"])
            for name, values in lengths.items():
                assert values[docnum] == (searcher.reader().doc_field_length(docnum, name) or 0)


def test_an_and_reads_only_the_blocks_where_its_rarest_part_matched(ix, monkeypatch):
    """A rare word AND a common one: the common word's blocks without any document holding
    the rare word are skipped unread (here: whole segments)."""
    with ix.searcher() as searcher:
        assert searcher.reader().doc_frequency("body", "مصدق") == 1
        common = Term("body", "بدیل")
        query = And([Term("body", "مصدق"), common])
        monkeypatch.setattr(arrays, "postings_cache", arrays.ArrayCache(0))
        reads = count_block_reads(monkeypatch)
        evaluation.evaluate(evaluation.snapshot(searcher), common)
        alone = len(reads)
        reads.clear()
        same(our_ranking(searcher, query), whoosh_ranking(searcher, query))
        reads.clear()
        evaluation.evaluate(evaluation.snapshot(searcher), query)
        assert alone >= 3 and len(reads) <= 2


def test_an_empty_index_matches_nothing():
    index = RamStorage().create_index(build_schema())
    with index.searcher() as searcher:
        snap = evaluation.snapshot(searcher)
        assert snap.size == 0
        assert not len(evaluation.evaluate(snap, Term("body", "بدیل")).ids)
        assert not len(evaluation.evaluate(snap, Phrase("body", ["بدیل", "جمهوری"])).ids)


def count_block_reads(monkeypatch) -> list:
    """A list that grows by one for each posting block decoded, in either block format."""
    reads: list = []
    w3_read, tribune_read = W3LeafMatcher._read_data, TribuneLeafMatcher.block
    monkeypatch.setattr(W3LeafMatcher, "_read_data", lambda self: reads.append(1) or w3_read(self))
    monkeypatch.setattr(
        TribuneLeafMatcher, "block", lambda self: reads.append(1) or tribune_read(self)
    )
    return reads


def test_a_searched_word_is_decoded_once_then_served_from_memory(ix, monkeypatch):
    monkeypatch.setattr(arrays, "postings_cache", arrays.ArrayCache(2**20))
    reads = count_block_reads(monkeypatch)
    query = Or([Term("body", "بدیل"), Term("title", "بدیل")])
    with ix.searcher() as searcher:
        first = our_ranking(searcher, query)
        assert reads
        reads.clear()
        assert our_ranking(searcher, query) == first
        assert not reads
        # A phrase still reads the positions it needs.
        our_ranking(searcher, Phrase("body", ["بدیل", "جمهوری"]))
        assert reads


def test_the_cache_keeps_within_its_size():
    cache = arrays.ArrayCache(1000)
    for n in range(20):
        cache.put(n, (np.zeros(10),))  # 80 bytes each
    assert cache.size <= 1000 and cache.get(0) is None and cache.get(19) is not None
    cache.put("huge", (np.zeros(100),))  # 800 bytes: more than half of the limit
    assert cache.get("huge") is None
