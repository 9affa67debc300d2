"""The shortcuts give exactly what the long way gives: the analyzer without character offsets,
highlighting, the plain text of posts that hold no Markdown, the evaluator's set operations."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from tribune.fulltext.analysis import LANGUAGES, TribuneAnalyzer, analyzer_for
from tribune.fulltext.arrays import decode_positions
from tribune.fulltext.evaluation import Matches, _common, _member, _union
from tribune.text.markup import _MAY_BE_MARKUP, _parsed_plain_text, _plain_text

# Persian and Latin letters with what makes compounds and their spellings tricky: ZWNJ, spaces,
# harakat, Arabic letter forms, prefixes and suffixes as separate words, stop words, digits.
WORDS = """می نمی بی ها های ای ترین اند است و که کتاب شود آن‌ها رفت تنها كتاب يك ۱۲ 12
    Wahlen élections the of republic Republiken verkiezingen van die et"""
PIECES = st.sampled_from(WORDS.split())
CHARS = st.sampled_from(list(" \u200c\n\t\u00a0.،؛!?«»()\u064e\u0651\u200f\u0640ﻻ\ufdfa-"))
TEXT = st.lists(st.one_of(PIECES, CHARS, st.text(max_size=3)), max_size=30).map("".join)


def tokens(analyzer, text, **options):
    return [
        (token.text, token.pos, token.stopped, token.boost)
        for token in analyzer(text, positions=True, **options)
    ]


@settings(max_examples=300)
@given(
    TEXT,
    st.sampled_from(LANGUAGES),
    st.sampled_from(["index", "query", ""]),
    st.booleans(),
    st.integers(min_value=0, max_value=5),
)
def test_the_analyzer_gives_the_same_tokens_without_offsets(text, lang, mode, removestops, start):
    analyzer = analyzer_for(lang)
    options = {"mode": mode, "removestops": removestops, "start_pos": start}
    # chars=True takes the path through iter_groups and character offsets.
    assert tokens(analyzer, text, **options) == tokens(analyzer, text, chars=True, **options)


def test_the_plain_path_covers_compounds_and_stop_words():
    analyzer = TribuneAnalyzer(plural_suffixes=("ها",))
    text = "آن‌ها می شود کتاب ها و دیگر نمی‌رود"
    found = tokens(analyzer, text, mode="index", removestops=False)
    assert found == tokens(analyzer, text, mode="index", removestops=False, chars=True)
    # «آن‌ها» is a stop word, kept here but taking no position; «می شود» is one group.
    assert ("آنها", 0, True, 1.0) in found and ("میشود", 0, False, 1.0) in found


SYNTAX = ["1.", "2)", "-", "*", "#", ">", "    ", "\t", "`", "[x](y)", "![a](b)", "&amp;", "~~"]
SPACES_AND_PUNCTUATION = list(" \n\r\u00a0\u2028\x0b\x0c\x85.,:;()«»'\"%@$^{}/?!")
PROSE = st.lists(
    st.one_of(PIECES, st.sampled_from(SPACES_AND_PUNCTUATION), st.text(max_size=3)), max_size=25
).map("".join)
MARKDOWN = st.lists(st.one_of(PROSE, st.sampled_from(SYNTAX)), max_size=6).map("".join)


@settings(max_examples=400)
@given(st.one_of(PROSE, MARKDOWN))
def test_plain_text_is_the_parsers_with_or_without_markdown(source):
    assert _plain_text(source) == _parsed_plain_text(source)


def test_the_markdown_guard():
    plain = ["ساده است! «نقل‌قول» (پرانتز) 3.5 درصد", "line one\n   line two\n\n    code"]
    marked = ["1. item", "  12) item", "a\r1. b", "a - b", "**bold**", "x\\y", "a | b", "&lt;"]
    assert [bool(_MAY_BE_MARKUP.search(text)) for text in plain] == [False, False]
    assert all(_MAY_BE_MARKUP.search(text) for text in marked)
    assert _plain_text(plain[1]) == "line one line two code" == _parsed_plain_text(plain[1])


@settings(max_examples=300)
@given(TEXT, st.sampled_from(LANGUAGES), st.data())
def test_highlight_spans_are_the_analyzers_tokens(text, lang, data):
    analyzer = analyzer_for(lang)
    every = [
        (token.startchar, token.endchar, token.text)
        for token in analyzer(text, chars=True, mode="index", removestops=False)
    ]
    terms = set(data.draw(st.lists(st.sampled_from([t for *_, t in every] or ["x"]))))
    terms.add("absent")
    assert analyzer.spans(text, terms) == [span for span in every if span[2] in terms]


def test_highlight_spans_of_a_spaced_compound():
    analyzer = analyzer_for("fa")
    text = "او می شود و كانون های ما"
    # «كانون های» is one group: its joined form, plural stripped, is «کانون».
    assert analyzer.spans(text, {"میشود", "کانون"}) == [(3, 9, "میشود"), (12, 21, "کانون")]


# The evaluator's set operations on sorted document numbers, against numpy's general ones.
IDS = st.lists(st.integers(min_value=0, max_value=60), unique=True).map(sorted)
SCORED = st.dictionaries(
    st.integers(min_value=0, max_value=60), st.floats(min_value=0.01, max_value=30), max_size=30
)


@given(IDS, IDS)
def test_sorted_intersection_and_membership_are_numpys(left, right):
    a, b = np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)
    expected = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    for got, want in zip(_common(a, b), expected, strict=True):
        assert np.array_equal(got, want)
    assert np.array_equal(_member(a, b), np.isin(a, b))


@given(st.lists(SCORED, max_size=4))
def test_a_union_adds_scores_in_the_parts_order(parts):
    matches = [
        Matches(np.array(sorted(part), dtype=np.int64), np.array([part[i] for i in sorted(part)]))
        for part in parts
    ]
    union = _union(matches)
    expected: dict[int, float] = {}
    for part in parts:
        for doc, score in part.items():
            expected[doc] = expected[doc] + score if doc in expected else score
    assert union.ids.tolist() == sorted(expected)
    assert union.scores.tolist() == [expected[doc] for doc in sorted(expected)]


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=70_000), min_size=1, max_size=12, unique=True),
        max_size=20,
    ),
    st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_positions_decode_all_at_once_as_whoosh_decodes_each(lists, stripped):
    fmt = Positions()
    values = [fmt.encode(sorted(positions)) for positions in lists]
    # Indexes written by older whoosh versions left out the pickle's STOP byte.
    values = [v[:-1] if strip else v for v, strip in zip(values, stripped, strict=False)]
    chosen = list(range(len(values)))[::-1][::2][::-1]
    counts, flat = decode_positions(fmt, values, chosen)
    expected = [fmt.decode_positions(values[i]) for i in chosen]
    assert counts.tolist() == [len(positions) for positions in expected]
    assert flat.tolist() == [p for positions in expected for p in positions]
