"""The shared analyzer, tested directly and through each backend's matching (conftest.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tribune.fulltext.analysis import (
    STEM_FIELDS,
    TribuneAnalyzer,
    analyzer_for,
    filter_value,
    stem_field,
)
from tribune.fulltext.whoosh_index import build_schema
from tribune.fulltext.words import iter_groups, strip_plural


def texts(text, mode="query", analyzer=None):
    analyzer = analyzer or analyzer_for("fa")
    return [t.text for t in analyzer(text, mode=mode)]


# The nine spellings: each word written with ZWNJ, joined and with a space.
COMPOUNDS = {
    "mishavad": ("می‌شود", "میشود", "می شود"),
    "kanunha": ("کانون‌های", "کانونهای", "کانون های"),
}
FORMS = ("zwnj", "joined", "spaced")


@pytest.fixture
def compound_index(make_matcher):
    posts = {}
    for word, spellings in COMPOUNDS.items():
        for form, spelling in zip(FORMS, spellings, strict=True):
            posts[f"{word}-{form}"] = ("fa", f"گفتند که {spelling} در هامبورگ")
    posts["other"] = ("fa", "گفتند که شهر در هامبورگ")
    return make_matcher(posts)


@pytest.mark.parametrize("word", COMPOUNDS)
def test_each_compound_spelling_finds_each_other(compound_index, word):
    for query in COMPOUNDS[word]:
        assert compound_index.found(query) == {f"{word}-{form}" for form in FORMS}, query


@pytest.mark.parametrize("word", COMPOUNDS)
def test_phrases_match_across_compound_spellings(compound_index, word):
    for spelling in COMPOUNDS[word]:
        phrase = f'"که {spelling} در هامبورگ"'
        assert compound_index.found(phrase) == {f"{word}-{form}" for form in FORMS}, phrase


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
        ("ايستادهء", "ایستاده"),
        ("ایستاده", "ايستادهء"),
        ("ایستادهٔ", "ايستادهء"),
    ],
)
def test_spelling_variants_find_each_other(make_matcher, doc, query):
    matcher = make_matcher({"1": ("fa", f"متن {doc} اینجا"), "2": ("fa", "متن دیگری")})
    assert matcher.found(query) == {"1"}


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
def test_latin_posts_are_stemmed_in_their_language(make_matcher, lang, doc, query):
    matcher = make_matcher({"1": (lang, doc), "2": (lang, "nothing related")})
    assert matcher.found(query) == {"1"}


def test_persian_post_with_latin_words(make_matcher):
    matcher = make_matcher(
        {"1": ("fa", "درباره fashion show دیروز در پاریس نوشتم"), "2": ("fa", "show نبود")}
    )
    assert matcher.found("fashion show") == {"1"}
    assert matcher.found('"fashion show" پاریس') == {"1"}
    assert matcher.found("Fashion") == {"1"}
    # Latin words in Persian posts are not stemmed (see the analysis module docstring).
    assert matcher.found("shows") == set()


def test_titles_are_searched_but_a_phrase_does_not_run_from_title_into_body(make_matcher):
    matcher = make_matcher({"1": ("fa", "متن بدنه درباره شورا", "عنوان جمهوری")})
    assert matcher.found("جمهوری شورا") == {"1"}
    assert matcher.found('"عنوان جمهوری"') == {"1"}
    assert matcher.found('"جمهوری متن"') == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("جمهو*", {"republic", "republics"}),
        ("جمهوري*", {"republic", "republics"}),
        ("پنها*", {"hidden"}),  # ends like a plural, but «پن» is too short a prefix
        ("کارها*", {"works", "work"}),  # «کارهایش» is indexed «کار»: both forms are asked
        ("democra*", {"democracy"}),
        ("Democra*", {"democracy"}),
        ("میشو*", {"compound"}),
        ("می‌شو*", {"compound"}),
        ("-democra* جمهو*", {"republic", "republics"}),
    ],
)
def test_prefixes_find_every_word_that_starts_so(make_matcher, query, expected):
    matcher = make_matcher(
        {
            "republic": ("fa", "جمهوری لائیک"),
            "republics": ("fa", "جمهوری‌های دیگر"),
            "democracy": ("en", "Democracy now"),
            "compound": ("fa", "گفته می‌شود"),
            "hidden": ("fa", "رازی پنهان"),
            "works": ("fa", "کارهایش"),
            "work": ("fa", "کارگر"),
            "none": ("fa", "متن دیگری"),
        }
    )
    assert matcher.found(query) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # PRODUCT.md: a reader who types any one form must find the others.
        ("دانشجو", "دانشجویان"),
        ("نماینده", "نمایندگان"),
        ("کتاب", "کتاب‌ها"),
        ("کتاب", "کتابها"),
        ("کارگر", "کارگران"),
        ("زندانی", "زندانیان"),
        ("پناهنده", "پناهندگان"),
    ],
)
def test_singular_and_plural_find_each_other(make_matcher, one, other):
    matcher = make_matcher({"one": ("fa", f"یک {one} آمد"), "other": ("fa", f"همه {other} آمدند")})
    assert matcher.found(one) == {"one", "other"}
    assert matcher.found(other) == {"one", "other"}


@pytest.mark.parametrize(
    ("word", "not_its_plural"),
    [
        ("پای", "پایان"),  # foot, end
        ("بار", "باران"),  # load, rain
        ("زند", "زندان"),  # Zand, prison
        ("جو", "جوان"),  # atmosphere, young
        ("گروه", "گروگان"),  # group, hostage
        ("انتخاب", "انتخابات"),  # choice, elections: Arabic plurals in ات are never stripped
        ("نام", "نامه‌ای"),  # a name, a letter: «نامه‌ای» joined is «نامهای», not «نام» + «های»
        ("اطلاع", "اطلاعات"),  # notice, intelligence
    ],
)
def test_words_that_merely_end_like_a_plural_stay_apart(make_matcher, word, not_its_plural):
    matcher = make_matcher({"word": ("fa", f"یک {word} اینجا"), "other": ("fa", not_its_plural)})
    assert matcher.found(word) == {"word"}
    assert matcher.found(not_its_plural) == {"other"}


def test_plural_family_is_stripped_but_not_an(make_matcher):
    matcher = make_matcher(
        {
            "singular": ("fa", "یک کانون"),
            "plural": ("fa", "کانونهای شهر"),
            "end": ("fa", "پایان جنگ"),
            "foot": ("fa", "پای صندوق"),
        }
    )
    assert matcher.found("کانونها") == {"singular", "plural"}
    assert matcher.found("کانون") == {"singular", "plural"}
    assert matcher.found("پایان") == {"end"}
    assert strip_plural("تنها") == "تنها"
    assert strip_plural("شعارهایشان") == "شعار"
    assert strip_plural("ها") == "ها"
    assert strip_plural("نمایندگان") == "نماینده"
    assert strip_plural("دانشجویان") == "دانشجو"
    assert strip_plural("زندانیان") == "زندانی"
    assert strip_plural("پایان") == "پایان"


def test_schema_field_names():
    assert set(build_schema().names()) == {
        "key", "post", "post_id", "thread_id", "translation_id", "title", "body", "area",
        "section", "author", "association", "lang", "kind", "created", *STEM_FIELDS,
    }  # fmt: skip


def test_language_helpers():
    assert analyzer_for("de").stem_lang == "de"
    assert analyzer_for("EN").stem_lang == "en"
    assert analyzer_for("fa").stem_lang is None
    assert analyzer_for("xx") == analyzer_for("fa")
    assert stem_field("fr") == "stem_fr"
    assert stem_field("fa") is None
    assert filter_value(" Sara ") == "sara"
    with pytest.raises(ValueError):
        TribuneAnalyzer(stem_lang="xx")


@given(st.text(), st.sampled_from(["index", "query"]), st.sampled_from(["fa", "de"]))
def test_analyzer_never_raises_and_positions_never_go_back(text, mode, lang):
    last = 0
    for token in analyzer_for(lang)(text, positions=True, chars=True, mode=mode):
        assert token.text
        assert token.pos >= last
        assert 0 <= token.startchar <= token.endchar <= len(text)
        last = token.pos
