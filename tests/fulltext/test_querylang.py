"""The reader's query language: parsing, error messages, and the whoosh queries it builds."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage
from whoosh.query import NullQuery

from tribune.fulltext.analysis import TEXT_FIELDS, build_schema, text_fields
from tribune.fulltext.querylang import (
    ParsedQuery,
    QuerySyntaxError,
    SearchTerm,
    parse,
    to_whoosh,
)

POSTS = [
    # post_id, area, section, author, association, lang, kind, created, body
    (
        "1",
        "tribune",
        "alternatives",
        "sara",
        "hamburg",
        "fa",
        "paper",
        datetime(2010, 3, 27, 10),
        "جمهوری دمکراتیک لائیک بدیل ماست",
    ),
    (
        "2",
        "tribune",
        "alternatives",
        "reza",
        "paris",
        "fa",
        "discussion",
        datetime(2010, 4, 2, 9),
        "سوسیالیسم بدیل واقعی است و جمهوری کافی نیست",
    ),
    (
        "3",
        "agenda",
        "women",
        "sara",
        "hamburg,koeln",
        "de",
        "action",
        datetime(2011, 3, 8, 12),
        "Demonstration zum 8. März in Hamburg",
    ),
    (
        "4",
        "agenda",
        "workers",
        "nina",
        "amsterdam",
        "nl",
        "action",
        datetime(2012, 5, 1, 8),
        "Demonstratie op 1 mei in Amsterdam",
    ),
    (
        "5",
        "tribune",
        "slogans",
        "reza",
        "paris",
        "fr",
        "paper",
        datetime(2010, 3, 28, 23, 30),
        "Une république laïque et démocratique",
    ),
]


@pytest.fixture(scope="module")
def ix():
    schema = build_schema()
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for post_id, area, section, author, assoc, lang, kind, created, body in POSTS:
            writer.add_document(
                post_id=post_id,
                area=area,
                section=section,
                author=author,
                association=assoc,
                lang=lang,
                kind=kind,
                created=created,
                **text_fields(lang, "", body),
            )
    return index


def found(ix, query):
    with ix.searcher() as searcher:
        return {
            h["post_id"] for h in searcher.search(to_whoosh(parse(query), ix.schema), limit=None)
        }


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


@given(st.one_of(query_soup, st.text(max_size=80)))
def test_every_parsed_query_runs(ix, text):
    try:
        parsed = parse(text)
    except QuerySyntaxError:
        return
    with ix.searcher() as searcher:
        searcher.search(to_whoosh(parsed, ix.schema), limit=3)


# Whoosh queries, end to end


def test_words_and_phrases(ix):
    assert found(ix, "بدیل") == {"1", "2"}
    assert found(ix, "بدیل جمهوری") == {"1", "2"}
    assert found(ix, '"جمهوری دمکراتیک"') == {"1"}
    assert found(ix, '"دمکراتیک جمهوری"') == set()


def test_exclusion(ix):
    assert found(ix, "بدیل -سوسیالیسم") == {"1"}
    assert found(ix, 'بدیل -"جمهوری دمکراتیک"') == {"2"}


def test_or(ix):
    assert found(ix, "لائیک OR سوسیالیسم") == {"1", "2"}
    assert found(ix, "Demonstration OR république") == {"3", "5"}


def test_stemmed_fields_are_searched(ix):
    assert found(ix, "republique laique") == {"5"}
    assert found(ix, "Demonstrationen") == {"3"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area:agenda", {"3", "4"}),
        ("area:tribune بدیل", {"1", "2"}),
        ("section:alternatives", {"1", "2"}),
        ("author:Sara", {"1", "3"}),
        ("@reza", {"2", "5"}),
        ("association:koeln", {"3"}),
        ("association:hamburg", {"1", "3"}),
        ("lang:fr", {"5"}),
        ("kind:action lang:nl", {"4"}),
        ("after:2011-01-01", {"3", "4"}),
        ("before:2010-03-27", {"1"}),
        ("before:2010-03-28", {"1", "5"}),
        ("after:1389-01-08 before:1389-01-08", {"5"}),
        ("after:1389 before:1389", {"1", "2", "3", "5"}),
        ("after:1390", {"4"}),
        ("@sara -Demonstration", {"1"}),
    ],
)
def test_filters(ix, query, expected):
    assert found(ix, query) == expected


@pytest.mark.parametrize(
    "attack", ["title:x", "post_id:1", "body:(a OR b)", "lang:fa*", "author:*", "body:بدیل", "*:*"]
)
def test_whoosh_syntax_is_only_text(ix, attack):
    try:
        query = to_whoosh(parse(attack), ix.schema)
    except QuerySyntaxError:
        return
    fields = {name for name, _ in query.iter_all_terms()}
    assert fields <= set(TEXT_FIELDS)
    assert found(ix, attack) == set()


def test_injection_words_are_searched_as_words():
    schema = build_schema()
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(post_id="1", **text_fields("en", "", "the post id 1 of the body"))
        writer.add_document(post_id="2", **text_fields("en", "x", "unrelated"))
    assert found(index, "post_id:1") == {"1"}
    assert found(index, "title:x") == set()


def test_only_stop_words_match_nothing(ix):
    assert to_whoosh(parse("و از"), ix.schema) is NullQuery
    assert found(ix, "و author:sara") == {"1", "3"}
