"""Every operator and filter of the query language, end to end through the API, on the backend
the suite's database gives (SQLite: Whoosh; PostgreSQL: its own full text)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Association, Paper, PaperSignature, Post
from tribune.services import debate_posts, posting

POSTS = [
    # key, area, section, author, associations, lang, kind, created, body
    ("1", "tribune", "alternatives", "sara", ["hamburg"], "fa", "paper",
     datetime(2010, 3, 27, 10), "جمهوری دمکراتیک لائیک بدیل ماست"),
    ("2", "tribune", "alternatives", "reza", ["paris"], "fa", "discussion",
     datetime(2010, 4, 2, 9), "سوسیالیسم بدیل واقعی است و جمهوری کافی نیست"),
    ("3", "agenda", "women", "sara", ["hamburg", "koeln"], "de", "paper",
     datetime(2011, 3, 8, 12), "Demonstration zum 8. März in Hamburg"),
    ("4", "agenda", "workers", "nina", ["amsterdam"], "nl", "discussion",
     datetime(2012, 5, 1, 8), "Demonstratie op 1 mei in Amsterdam"),
    ("5", "tribune", "slogans", "reza", ["paris"], "fr", "paper",
     datetime(2010, 3, 28, 23, 30), "Une république laïque et démocratique"),
]  # fmt: skip


@pytest.fixture
def corpus(app, make_user, make_section):
    """{key: post id} of five threads, each its own opening post, with every filter set."""
    users, sections, associations, ids = {}, {}, {}, {}
    for key, area, slug, author, signers, lang, kind, created, body in POSTS:
        user = users.get(author) or users.setdefault(author, make_user(author))
        section = sections.get(slug) or sections.setdefault(
            slug, make_section(slug=slug, area=area, title=slug)
        )
        thread = posting.open_thread(user, section, f"رشته {key}", body, lang, kind=kind)
        if kind == "paper":
            paper = Paper(thread=thread, summary="-", position="-", position_key="-")
            db.session.add(paper)
            for slug_ in signers:
                if slug_ not in associations:
                    associations[slug_] = Association(slug=slug_, name=slug_)
                db.session.add(
                    PaperSignature(
                        paper=paper, association=associations[slug_], signed_by_id=user.id
                    )
                )
        post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
        post.created_at = created.replace(tzinfo=UTC)
        db.session.commit()
        ids[key] = post.id
    return ids


def keys(corpus, ids):
    names = {post_id: key for key, post_id in corpus.items()}
    return {names[post_id] for post_id in ids}


def test_words_and_phrases(corpus, api_ids):
    assert keys(corpus, api_ids("بدیل")) == {"1", "2"}
    assert keys(corpus, api_ids("بدیل جمهوری")) == {"1", "2"}
    assert keys(corpus, api_ids('"جمهوری دمکراتیک"')) == {"1"}
    assert keys(corpus, api_ids('"دمکراتیک جمهوری"')) == set()


def test_exclusion(corpus, api_ids):
    assert keys(corpus, api_ids("بدیل -سوسیالیسم")) == {"1"}
    assert keys(corpus, api_ids('بدیل -"جمهوری دمکراتیک"')) == {"2"}


def test_or(corpus, api_ids):
    assert keys(corpus, api_ids("لائیک OR سوسیالیسم")) == {"1", "2"}
    assert keys(corpus, api_ids("Demonstration OR république")) == {"3", "5"}


def test_stemmed_texts_are_searched(corpus, api_ids):
    assert keys(corpus, api_ids("republique laique")) == {"5"}
    assert keys(corpus, api_ids("Demonstrationen")) == {"3"}


def test_prefixes(corpus, api_ids):
    assert keys(corpus, api_ids("جمهو*")) == {"1", "2"}
    assert keys(corpus, api_ids("demonstra*")) == {"3", "4"}
    assert keys(corpus, api_ids("demonstra* -amster*")) == {"3"}


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
        ("kind:paper lang:de", {"3"}),
        ("kind:discussion", {"2", "4"}),
        ("after:2011-01-01", {"3", "4"}),
        ("before:2010-03-27", {"1"}),
        ("before:2010-03-28", {"1", "5"}),
        ("after:1389-01-08 before:1389-01-08", {"5"}),
        ("after:1389 before:1389", {"1", "2", "3", "5"}),
        ("after:1390", {"4"}),
        ("@sara -Demonstration", {"1"}),
        ("و author:sara", {"1", "3"}),
    ],
)
def test_filters(corpus, api_ids, query, expected):
    assert keys(corpus, api_ids(query)) == expected


def test_form_filters_and_typed_ones_agree(corpus, api_ids):
    assert keys(corpus, api_ids("بدیل", area="tribune", author="reza")) == {"2"}
    assert keys(corpus, api_ids("", lang="de")) == {"3"}


@pytest.mark.parametrize(
    "attack", ["title:x", "post_id:1", "body:(a OR b)", "author:*", "x' | 'y", "*:*", "':*"]
)
def test_backend_syntax_is_only_text(corpus, client, attack):
    response = client.get("/api/v1/search", query_string={"q": attack})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_json()["total"] == 0


def test_only_stop_words_find_nothing_kindly(corpus, client, api_ids):
    assert api_ids("و از") == []
    page = client.get("/search", query_string={"q": "و از"})
    assert page.status_code == 200


def test_a_translation_matches_in_its_own_language(corpus, make_user, client, api_ids):
    post_id = corpus["1"]
    debate_posts.translate(
        make_user("jonas"), db.session.get(Post, post_id), "de", "Die laizistische Republiken."
    )
    assert keys(corpus, api_ids("Republik")) == {"1"}  # stemmed German, through the translation
    assert keys(corpus, api_ids("Republik lang:de")) == {"1"}
    assert keys(corpus, api_ids("لائیک lang:de")) == set()  # the Persian text matched, not German
    assert keys(corpus, api_ids("لائیک lang:fa")) == {"1"}
    # A post found through both its texts is one result.
    assert keys(corpus, api_ids("Republik OR لائیک")) == {"1"}
    body = client.get("/api/v1/search", query_string={"q": "Republik"}).get_json()
    assert body["total"] == 1
    (result,) = body["results"]
    assert result["matched_translation"] == "de"
    assert result["url"].endswith(f"/p/{post_id}?read=de")
    assert "<mark>Republiken</mark>" in result["snippet"]
