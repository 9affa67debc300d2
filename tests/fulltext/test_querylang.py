"""The reader's query language: parsing, error messages, and what it compiles to for the
backends (matching itself: tests/fulltext/test_analysis.py and tests/search/)."""

from datetime import date

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.fulltext.conftest import WhooshMatcher
from tribune.database import normalise_url
from tribune.fulltext.compiled import Alternative, compile_query
from tribune.fulltext.postgres_query import tsquery
from tribune.fulltext.querylang import (
    ParsedQuery,
    QuerySyntaxError,
    SearchTerm,
    parse,
)
from tribune.fulltext.whoosh_query import whoosh_queries


def error(query):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value


# Parsing


def test_words_phrases_exclusions_and_or():
    parsed = parse('بدیل "جمهوری لائیک" -سوسیالیسم -"نه این" a OR b OR "c d"')
    assert parsed.clauses == (
        (SearchTerm("بدیل"),),
        (SearchTerm("جمهوری لائیک", phrase=True),),
        (SearchTerm("a"), SearchTerm("b"), SearchTerm("c d", phrase=True)),
    )
    assert parsed.excluded == (SearchTerm("سوسیالیسم"), SearchTerm("نه این", phrase=True))


def test_persian_and_typographic_quotes():
    assert parse("«جمهوری لائیک»").clauses == ((SearchTerm("جمهوری لائیک", True),),)
    assert parse("“fashion show”").clauses == ((SearchTerm("fashion show", True),),)


def test_spaced_compound_stays_one_term():
    assert parse("می شود کانون های").clauses == (
        (SearchTerm("می شود"),),
        (SearchTerm("کانون های"),),
    )


def test_lowercase_or_is_a_word():
    assert parse("a or b").clauses == ((SearchTerm("a"),), (SearchTerm("or"),), (SearchTerm("b"),))


def test_filters_are_validated_and_canonical():
    parsed = parse("area:Agenda section:women @Sara association:hamburg lang:DE kind:action")
    assert parsed.clauses == ()
    assert parsed.filters == {
        "area": "agenda",
        "section": "women",
        "author": "sara",
        "association": "hamburg",
        "lang": "de",
        "kind": "action",
    }


def test_quoted_filter_values():
    assert parse('author:"sara.k" x').filters == {"author": "sara.k"}
    assert error('section:"women').code == "unbalanced_quote"


def test_persian_filter_names_and_values():
    parsed = parse("نویسنده:sara زبان:فارسی حوزه:تریبون بدیل")
    assert parsed.filters == {"author": "sara", "lang": "fa", "area": "tribune"}


@pytest.mark.parametrize(
    ("query", "after", "before"),
    [
        ("after:2010-03-26 before:2010-03-28", date(2010, 3, 26), date(2010, 3, 28)),
        ("after:1389-01-06 before:1389-01-08", date(2010, 3, 26), date(2010, 3, 28)),
        ("after:۱۳۸۹-۰۱-۰۸", date(2010, 3, 28), None),
        ("after:١٣٨٩/١/٨", date(2010, 3, 28), None),
        ("before:2010-02", None, date(2010, 2, 28)),
        ("after:2010 before:2010", date(2010, 1, 1), date(2010, 12, 31)),
        ("after:1389 before:1389", date(2010, 3, 21), date(2011, 3, 20)),
        ("before:1391-12", None, date(2013, 3, 20)),
        ("از:۱۳۸۹ تا:۱۳۸۹", date(2010, 3, 21), date(2011, 3, 20)),
    ],
)
def test_gregorian_and_jalali_dates(query, after, before):
    parsed = parse(query)
    assert (parsed.after, parsed.before) == (after, before)


# Errors: a clear message, a position, and nothing but QuerySyntaxError


@pytest.mark.parametrize(
    ("query", "code", "position", "words"),
    [
        ('بدیل "جمهوری لائیک', "unbalanced_quote", 5, "quote"),
        ("«جمهوری", "unbalanced_quote", 0, "quote"),
        ("area:foo", "bad_area", 0, "area:tribune"),
        ("x lang:ru", "bad_lang", 2, "lang:fa"),
        ("kind:poem", "bad_kind", 0, "kind:paper"),
        ("section:Not/A/Slug", "bad_section", 0, "section"),
        ("author:a<b", "bad_author", 0, "user name"),
        ("before:1389-13-01", "bad_date", 0, "1389-01-08"),
        ("after:2010-02-30", "bad_date", 0, "2010-03-28"),
        ("after:yesterday", "bad_date", 0, "date"),
        ("after:2011 before:2010", "empty_date_range", 0, "later"),
        ("author:", "empty_filter", 0, "value"),
        ("@sara author:reza", "duplicate_filter", 6, "twice"),
        ("-author:sara x", "negated_filter", 0, "excluded"),
        ("", "empty", 0, "at least one word"),
        ("   ", "empty", 0, "at least one word"),
        ("* ( ) -", "empty", 0, "at least one word"),
        ("-سوسیالیسم", "empty", 0, "only removes"),
        ("OR بدیل", "misplaced_or", 0, "between"),
        ("بدیل OR", "misplaced_or", 5, "after"),
        ("a OR OR b", "misplaced_or", 5, "between"),
        ("a OR -b", "misplaced_or", 2, "excluded"),
        ("a OR lang:fa", "misplaced_or", 2, "filters"),
        ("x" * 501, "too_long", 500, "500"),
        (" ".join(["w"] * 33), "too_many_terms", 64, "32"),
    ],
)
def test_errors(query, code, position, words):
    problem = error(query)
    assert problem.code == code
    assert problem.position == position
    assert words in problem.message


def test_limits_are_inclusive():
    assert len(parse(" ".join(["w"] * 32)).clauses) == 32
    assert parse("x" * 500).clauses


# No deadline: a busy machine (CI may share it) must not turn a slow example into a failure.
@settings(deadline=None)
@given(st.text(max_size=600))
def test_parse_returns_a_query_or_a_syntax_error(text):
    try:
        parsed = parse(text)
    except QuerySyntaxError as problem:
        assert problem.message
        assert 0 <= problem.position <= max(len(text), 500)
    else:
        assert isinstance(parsed, ParsedQuery)


query_soup = st.lists(
    st.sampled_from(
        [
            "بدیل",
            "می",
            "شود",
            "ها",
            "و",
            "OR",
            "-",
            '"',
            "«",
            "»",
            "area:",
            "tribune",
            "lang:fa",
            "@sara",
            "after:1389",
            "before:2011",
            "*",
            ":",
            "title:x",
            "کانون",
            "های",
            "fashion",
            " ",
            "-x",
            "Republik",
        ]
    ),
    max_size=12,
).map("".join)


@pytest.fixture(scope="module")
def matcher():
    return WhooshMatcher({"1": ("fa", "بدیل جمهوری"), "2": ("de", "Die Republik")})


@pytest.fixture(scope="module")
def postgres():
    """A plain psycopg connection (the suite disposes SQLAlchemy's engines after each test)."""
    if not POSTGRES_URL:
        yield None
        return
    with psycopg.connect(
        make_url(normalise_url(POSTGRES_URL))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    ) as connection:
        yield connection


@settings(deadline=None)
@given(st.one_of(query_soup, st.text(max_size=80)))
def test_every_parsed_query_runs_on_both_backends(matcher, postgres, text):
    try:
        parsed = parse(text)
    except QuerySyntaxError:
        return
    matcher.found(text)
    compiled = compile_query(parsed)
    whoosh_queries(compiled)
    words = tsquery(compiled)
    if postgres is not None and words is not None:
        postgres.execute("SELECT %s::tsquery @@ 'x'::tsvector", (words,)).fetchall()


# Compiling


def test_each_term_becomes_the_words_of_each_analyzer():
    compiled = compile_query(parse('Republiken "fashion show" بدیل‌ها -Wahlen'))
    first, phrase, persian = compiled.required
    assert Alternative("text", ("republiken",)) in first[0:1]
    assert Alternative("stem_de", ("republ",)) in first
    assert Alternative("text", ("fashion", "show")) in phrase
    # Persian words are never stemmed: one alternative, its plural folded.
    assert persian == (Alternative("text", ("بدیل",)),)
    assert Alternative("stem_de", ("wahl",)) in compiled.excluded


def test_prefixes_parse_and_compile():
    parsed = parse("جمهو* democra* -مار*")
    assert parsed.clauses == (
        (SearchTerm("جمهو", prefix=True),),
        (SearchTerm("democra", prefix=True),),
    )
    compiled = compile_query(parsed)
    assert compiled.required[0] == (Alternative("text", ("جمهو",), prefix=True),)
    assert compiled.highlight_terms()["prefix"] == frozenset({"جمهو", "democra"})
    assert error("جم*").code == "short_prefix"
    assert error("de*").code == "short_prefix"
    # A star alone, or inside a word, is no prefix.
    assert parse("* بدیل").clauses == ((SearchTerm("بدیل"),),)


def test_only_stop_words_match_nothing():
    assert compile_query(parse("و از")).matches_nothing
    assert not compile_query(parse("و author:sara")).matches_nothing
    assert tsquery(compile_query(parse("و از"))) is None


@pytest.mark.parametrize(
    "attack", ["title:x", "post_id:1", "body:(a OR b)", "lang:fa*", "author:*", "*:*", "x' | 'y"]
)
def test_backend_syntax_is_only_text(attack):
    try:
        compiled = compile_query(parse(attack))
    except QuerySyntaxError:
        return
    for clause in compiled.required:
        for alternative in clause:
            assert alternative.field == "text" or alternative.field.startswith("stem_")
            assert all(":" not in word and "'" not in word for word in alternative.words)
