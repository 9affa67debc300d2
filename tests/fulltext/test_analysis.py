"""Analyzers and schema, tested through a real in-RAM whoosh index and the reader's queries."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage

from tribune.fulltext.analysis import (
    STEM_FIELDS,
    TEXT_FIELDS,
    TribuneAnalyzer,
    analyzer_for,
    build_schema,
    filter_value,
    index_datetime,
    stem_field,
    text_fields,
)
from tribune.fulltext.querylang import parse, to_whoosh
from tribune.fulltext.words import iter_groups, strip_plural


def make_index(posts):
    """A RAM index holding {post_id: (lang, body)} the way the indexer will add them."""
    schema = build_schema()
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for post_id, (lang, body) in posts.items():
            writer.add_document(post_id=post_id, lang=lang, **text_fields(lang, "", body))
    return ix


def found(ix, query):
    """Post ids matching a reader's query."""
    with ix.searcher() as searcher:
        results = searcher.search(to_whoosh(parse(query), ix.schema), limit=None)
        return {hit["post_id"] for hit in results}


def texts(text, mode="query", analyzer=None):
    analyzer = analyzer or analyzer_for("fa")
    return [t.text for t in analyzer(text, mode=mode)]


# The nine spellings: each word written with ZWNJ, joined and with a space.
COMPOUNDS = {
    "mishavad": ("می‌شود", "میشود", "می شود"),
    "kanunha": ("کانون‌های", "کانونهای", "کانون های"),
}
FORMS = ("zwnj", "joined", "spaced")


@pytest.fixture(scope="module")
def compound_index():
    posts = {}
    for word, spellings in COMPOUNDS.items():
        for form, spelling in zip(FORMS, spellings, strict=True):
            posts[f"{word}-{form}"] = ("fa", f"گفتند که {spelling} در هامبورگ")
    posts["other"] = ("fa", "گفتند که شهر در هامبورگ")
    return make_index(posts)


@pytest.mark.parametrize("word", COMPOUNDS)
@pytest.mark.parametrize("doc_form", range(3), ids=FORMS)
@pytest.mark.parametrize("query_form", range(3), ids=FORMS)
def test_each_compound_spelling_finds_each_other(compound_index, word, doc_form, query_form):
    query = COMPOUNDS[word][query_form]
    assert f"{word}-{FORMS[doc_form]}" in found(compound_index, query)
    assert "other" not in found(compound_index, query)


@pytest.mark.parametrize("word", COMPOUNDS)
@pytest.mark.parametrize("query_form", range(3), ids=FORMS)
def test_phrases_match_across_compound_spellings(compound_index, word, query_form):
    phrase = f'"که {COMPOUNDS[word][query_form]} در هامبورگ"'
    expected = {f"{word}-{form}" for form in FORMS}
    assert found(compound_index, phrase) == expected


def test_compound_group_has_one_position_and_pieces_at_index_time():
    tokens = [
        (t.text, t.pos) for t in analyzer_for("fa")("علی می شود آمد", positions=True, mode="index")
    ]
    assert tokens == [("علی", 0), ("میشود", 1), ("می", 1), ("شود", 1), ("آمد", 2)]
    assert texts("علی می‌شود آمد") == ["علی", "میشود", "آمد"]


def test_stop_words_do_not_eat_prefixes_and_suffixes():
    assert texts("و می شود") == ["میشود"]
    assert texts("نمی دانم") == ["نمیدانم"]
    assert texts("بی نظیر") == ["بینظیر"]
    assert texts("آن‌ها و این") == []


def test_compounds_do_not_cross_punctuation_or_scripts():
    assert texts("کار می. شود") == ["کار", "می", "شود"]
    assert texts("show ها") == ["show", "ها"]


def test_tokenizer_keeps_marks_and_zwnj_inside_words():
    assert texts("کِتابْ مُحَمَّد") == ["کتاب", "محمد"]
    groups = list(iter_groups("آینده‌نگر"))
    assert [[p.text for p in g] for g in groups] == [["آینده", "نگر"]]


def test_character_offsets_point_into_the_original_text():
    text = "این کِتابْ می‌شود"
    tokens = [
        (t.text, text[t.startchar : t.endchar])
        for t in analyzer_for("fa")(text, chars=True, mode="index")
    ]
    assert ("کتاب", "کِتابْ") in tokens
    assert ("میشود", "می‌شود") in tokens
    assert ("شود", "شود") in tokens


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("كتاب", "کتاب"),
        ("کتاب", "كتاب"),
        ("علي", "علی"),
        ("علی", "علي"),
        ("کِتابْ", "کتاب"),
        ("کتاب", "کِتابْ"),
        ("ســلام", "سلام"),
        ("خانۀ", "خانه"),
        ("خانهٔ", "خانه"),
        ("خانه", "خانۀ"),
        ("خانهٔ", "خانۀ"),
        ("۲۰۱۰", "2010"),
        ("٢٠١٠", "2010"),
        ("2010", "۲۰۱۰"),
        ("۲۰۱۰", "٢٠١٠"),
        ("مسئله", "مساله"),
        ("مساله", "مسئله"),
        ("laïque", "laique"),
        ("laique", "laïque"),
        ("آینده‌نگر", "آیندهنگر"),
    ],
)
def test_spelling_variants_find_each_other(doc, query):
    ix = make_index({"1": ("fa", f"متن {doc} اینجا"), "2": ("fa", "متن دیگری")})
    assert found(ix, query) == {"1"}


@pytest.mark.parametrize(
    ("lang", "doc", "query"),
    [
        ("de", "Die Republiken Europas", "Republik"),
        ("de", "Die Republik", "republiken"),
        ("fr", "Les républiques laïques", "république"),
        ("fr", "Les républiques laïques", "republique laique"),
        ("en", "The elections were rigged", "election"),
        ("en", "One election", "elections"),
        ("nl", "De verkiezingen", "verkiezing"),
    ],
)
def test_latin_posts_are_stemmed_in_their_language(lang, doc, query):
    ix = make_index({"1": (lang, doc), "2": (lang, "nothing related")})
    assert found(ix, query) == {"1"}


def test_persian_post_with_latin_words():
    ix = make_index(
        {"1": ("fa", "درباره fashion show دیروز در پاریس نوشتم"), "2": ("fa", "show نبود")}
    )
    assert found(ix, "fashion show") == {"1"}
    assert found(ix, '"fashion show" پاریس') == {"1"}
    assert found(ix, "Fashion") == {"1"}
    # Latin words in Persian posts are not stemmed (see the analysis module docstring).
    assert found(ix, "shows") == set()


def test_plural_family_is_stripped_but_not_an():
    ix = make_index(
        {
            "singular": ("fa", "یک کانون"),
            "plural": ("fa", "کانونهای شهر"),
            "end": ("fa", "پایان جنگ"),
            "foot": ("fa", "پای صندوق"),
        }
    )
    assert found(ix, "کانونها") == {"singular", "plural"}
    assert found(ix, "کانون") == {"singular", "plural"}
    assert found(ix, "پایان") == {"end"}
    assert strip_plural("تنها") == "تنها"
    assert strip_plural("شعارهایشان") == "شعار"
    assert strip_plural("ها") == "ها"


def test_highlights_use_the_original_text():
    ix = make_index({"1": ("fa", "این کِتابْ دربارهٔ کانون‌های ایرانی است")})
    with ix.searcher() as searcher:
        hit = searcher.search(to_whoosh(parse("کتاب کانونها"), ix.schema))[0]
        snippet = hit.highlights("body")
    assert "کِتابْ</b>" in snippet
    assert "کانون\u200cهای</b>" in snippet


def test_schema_survives_pickling_into_a_real_index(tmp_path):
    ix = whoosh_index.create_in(tmp_path, build_schema())
    with ix.writer() as writer:
        writer.add_document(post_id="1", **text_fields("de", "Titel", "Die Republiken"))
    reopened = whoosh_index.open_dir(tmp_path)
    assert found(reopened, "republik") == {"1"}


def test_schema_field_names():
    schema = build_schema()
    expected = {
        "post_id",
        "thread_id",
        "title",
        "body",
        "area",
        "section",
        "author",
        "association",
        "lang",
        "kind",
        "created",
        "thread_title",
        *STEM_FIELDS,
    }
    assert set(schema.names()) == expected
    assert set(TEXT_FIELDS) <= expected


def test_language_helpers():
    assert analyzer_for("de").stem_lang == "de"
    assert analyzer_for("EN").stem_lang == "en"
    assert analyzer_for("fa").stem_lang is None
    assert analyzer_for("xx") == analyzer_for("fa")
    assert stem_field("fr") == "stem_fr"
    assert stem_field("fa") is None
    assert text_fields("fa", "t", "b") == {"title": "t", "body": "b"}
    assert text_fields("nl", "t", "b")["stem_nl"] == "t\n\nb"
    assert filter_value(" Sara ") == "sara"
    with pytest.raises(ValueError):
        TribuneAnalyzer(stem_lang="xx")


def test_index_datetime_is_naive_utc():
    tehran = timezone(timedelta(hours=3, minutes=30))
    moment = datetime(2010, 3, 28, 12, 0, tzinfo=tehran)
    assert index_datetime(moment) == datetime(2010, 3, 28, 8, 30)
    assert index_datetime(datetime(2010, 3, 28, tzinfo=UTC)) == datetime(2010, 3, 28)
    assert index_datetime(datetime(2010, 3, 28)) == datetime(2010, 3, 28)


@given(st.text(), st.sampled_from(["index", "query"]), st.sampled_from(["fa", "de"]))
def test_analyzer_never_raises_and_positions_never_go_back(text, mode, lang):
    last = 0
    for token in analyzer_for(lang)(text, positions=True, chars=True, mode=mode):
        assert token.text
        assert token.pos >= last
        assert 0 <= token.startchar <= token.endchar <= len(text)
        last = token.pos
