"""The search page as a Persian reader uses it: spelling variants, filters, dates, snippets,
grouping by thread, search in a thread, and friendly messages for malformed queries."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post
from tribune.services import posting


def posts_in_order():
    return db.session.scalars(select(Post).order_by(Post.id)).all()


def set_date(post, when):
    post.created_at = when
    db.session.commit()


@pytest.fixture
def corpus(app, make_user, make_section, make_thread):
    """A few posts written the messy ways real Persian text is."""
    sara = make_user("sara")
    kaveh = make_user("kaveh")
    tribune = make_section()
    agenda = make_section(slug="women", area="agenda", title="کارگروه زنان")
    # Arabic yeh and kaf, a ZWNJ compound, Arabic-Indic digits, tatweel and a kasra.
    t1 = make_thread(
        author=sara,
        section=tribune,
        title="بدیل جمهوري",
        body="كانون‌هاي همبستگي مي‌گويند: جمهوريِ لائيك در سال ٢٠١٠ ـ پيشنهاد شد.",
    )
    # Joined and spaced forms of the same words.
    t2 = make_thread(
        author=kaveh,
        section=agenda,
        title="برنامه‌ی هشت مارس",
        body="کانونهای شهرها برنامه را اعلام میکنند و آکسیون می شود.",
    )
    t3 = make_thread(
        author=kaveh,
        section=tribune,
        title="Laïcité",
        body="La république laïque est notre exigence.",
        language="fr",
    )
    posts = posts_in_order()
    set_date(posts[0], datetime(2010, 3, 28, 10, tzinfo=UTC))  # 8 Farvardin 1389
    set_date(posts[1], datetime(2011, 3, 8, 10, tzinfo=UTC))  # 17 Esfand 1389
    set_date(posts[2], datetime(2012, 5, 1, 10, tzinfo=UTC))  # 12 Ordibehesht 1391
    return {"t1": t1, "t2": t2, "t3": t3, "posts": posts}


@pytest.mark.parametrize(
    "typed",
    [
        "کانون‌های همبستگی",
        "كانونهاي همبستگي",
        "کانون های همبستگی",
        "جمهوری لائیک",
        "جمهوریِ لائیک",
        "2010 لائیک",
        "۲۰۱۰ لائیک",
    ],
)
def test_persian_letters_find_a_post_typed_with_arabic_ones(corpus, page_ids, typed):
    assert page_ids(typed) == [corpus["posts"][0].id]


@pytest.mark.parametrize("typed", ["می‌کنند", "میکنند", "می کنند", "می‌شود", "میشود"])
def test_a_half_space_word_is_found_typed_joined_or_spaced(corpus, page_ids, typed):
    assert page_ids(typed) == [corpus["posts"][1].id]


def test_the_zwnj_form_finds_every_spelling_of_kanunha(corpus, page_ids):
    assert sorted(page_ids("کانون‌های")) == [corpus["posts"][0].id, corpus["posts"][1].id]


def test_filter_by_area_and_jalali_dates_in_form_fields(corpus, page_ids):
    first, second, _third = corpus["posts"]
    assert sorted(page_ids("کانون")) == [first.id, second.id]
    assert page_ids("کانون", area="agenda") == [second.id]
    assert page_ids("کانون", **{"from": "1389-12-01"}) == [second.id]
    assert page_ids("کانون", **{"to": "۱۳۸۹/۰۱/۰۸"}) == [first.id]
    assert page_ids("", area="tribune", **{"from": "1389-01-01", "to": "1389-12-29"}) == [first.id]


def test_filters_typed_in_the_query_and_persian_filter_names(corpus, page_ids):
    first, second, third = corpus["posts"]
    assert page_ids("کانون area:tribune") == [first.id]
    assert page_ids("کانون حوزه:برنامه") == [second.id]
    assert page_ids("@kaveh", sort="oldest") == [second.id, third.id]
    assert page_ids("نویسنده:sara") == [first.id]
    assert page_ids("after:1391 lang:fr") == [third.id]


def test_latin_accents_and_french_stemming(corpus, page_ids):
    third = corpus["posts"][2]
    assert page_ids("laique") == [third.id]
    assert page_ids("républiques") == [third.id]


def test_snippets_are_escaped_highlighted_and_directional(app, client, make_thread):
    make_thread(body="<script>alert(1)</script> آزادی **بیان** و <b>تشکل</b>")
    html = client.get("/search", query_string={"q": "آزادی"}).get_data(as_text=True)
    snippet = re.search(r'<p class="snippet" dir="auto" lang="fa">(.*?)</p>', html, re.S).group(1)
    assert "<mark>آزادی</mark>" in snippet
    assert "<script>" not in snippet and "&lt;/script&gt;" in snippet
    assert "<b>" not in snippet
    assert set(re.findall(r"</?([a-z]+)", snippet)) == {"mark"}


def test_dates_show_in_the_readers_calendar(corpus, client):
    html = client.get("/search", query_string={"q": "همبستگی"}).get_data(as_text=True)
    assert "۸ فروردین ۱۳۸۹" in html
    client.post("/locale", data={"locale": "en"})
    html = client.get("/search", query_string={"q": "همبستگی"}).get_data(as_text=True)
    assert "March 28, 2010" in html


def test_a_long_thread_does_not_flood_the_first_page(
    app, client, make_thread, make_user, make_section, page_ids
):
    section = make_section()
    long_thread = make_thread(section=section, title="رشته‌ی بلند", body="شورا در رشته‌ی بلند")
    for n in range(6):
        posting.reply(long_thread.author, long_thread, f"پاسخ {n} درباره‌ی شورا")
    other = make_thread(
        author=make_user("kaveh"), section=section, title="دیگری", body="شورا جای دیگر"
    )
    html = client.get("/search", query_string={"q": "شورا"}).get_data(as_text=True)
    shown = page_ids("شورا")
    assert len(shown) == 3  # two of the long thread, one of the other
    assert "5 more in this thread" in html or "۵" in html
    more = re.search(r'<p class="more-in-thread"><a href="([^"]+)"', html).group(1)
    assert f"thread={long_thread.id}" in more.replace("&amp;", "&")
    assert len(page_ids("شورا", thread=long_thread.id)) == 7
    assert other.id != long_thread.id


def test_search_in_this_thread_box_on_the_thread_page(app, client, make_thread):
    thread = make_thread(body="متن نخست")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'<input type="hidden" name="thread" value="{thread.id}">' in html
    assert 'action="/search"' in html


def test_pagination_and_sorting(app, make_thread, make_user, make_section, page_ids):
    app.config["SEARCH_RESULTS_PER_PAGE"] = 2
    section = make_section()
    for n in range(5):
        make_thread(
            author=make_user(f"user{n}"),
            section=section,
            title=f"بحث {n}",
            body=f"همگامی شماره {n}",
        )
    ids = [post.id for post in posts_in_order()]
    assert page_ids("همگامی", sort="oldest") == ids[:2]
    assert page_ids("همگامی", sort="oldest", page=3) == ids[4:]
    assert page_ids("همگامی", sort="newest") == ids[::-1][:2]


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"نیمه‌باز', "never closed"),
        ("-lang:fa", "cannot be excluded"),
        ("OR آزادی", "OR must stand"),
        ("after:1389-13-40", "not a date"),
        ("area:moon", "Unknown area"),
        ("-آزادی", "Type at least one word"),
    ],
)
def test_malformed_queries_get_a_friendly_message(app, client, query, expected):
    client.post("/locale", data={"locale": "en"})
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert expected in html
    assert 'role="alert"' in html


def test_bad_parameters_are_a_400_page_not_a_500(app, client):
    assert client.get("/search?q=x&page=abc").status_code == 400
    assert client.get("/search?q=x&sort=best").status_code == 400
    assert client.get("/search?q=x&from=yesterday").status_code == 400


def test_the_page_documents_the_query_language(app, client):
    html = client.get("/search").get_data(as_text=True)
    assert client.get("/search").status_code == 200
    assert 'id="search-help"' in html
    # Persian readers see Persian example queries, each word isolated (issue 17).
    assert "<bdi>جمهوری</bdi> <bdi>لائیک</bdi>" in html
    client.post("/locale", data={"locale": "en"})
    html = client.get("/search").get_data(as_text=True)
    assert "<bdi>secular</bdi> <bdi>republic</bdi>" in html and "How to search" in html


def test_no_query_is_logged(app, client, make_thread, caplog):
    make_thread(body="رازی که نباید در لاگ بماند")
    caplog.set_level("DEBUG")
    client.get("/search", query_string={"q": "رازی"})
    client.get("/api/v1/search", query_string={"q": "رازی"})
    assert "رازی" not in caplog.text


def test_request_logs_leave_out_what_readers_search_for():
    import logging

    from tribune.search.hooks import RedactSearchQueries

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /search?q=%D8%B1%D8%A7%D8%B2&area=tribune HTTP/1.1", "200", "-"), None,
    )  # fmt: skip
    RedactSearchQueries().filter(record)
    assert record.getMessage() == '"GET /search?… HTTP/1.1" 200 -'
    record.args = ("GET /api/v1/search?q=x HTTP/1.1", "200", "-")
    RedactSearchQueries().filter(record)
    assert "q=x" not in record.getMessage()


def test_a_result_page_reads_its_posts_in_a_fixed_number_of_statements(
    app, client, make_user, make_section, make_thread, count_queries
):
    """Results are re-read in one statement with what they show (thread, section, author);
    nothing a result page or the API shows is loaded per result."""
    section = make_section()

    def statements(query: str) -> tuple[int, int]:
        with count_queries() as page:
            assert client.get("/search", query_string={"q": query}).status_code == 200
        with count_queries() as api:
            assert client.get("/api/v1/search", query_string={"q": query}).status_code == 200
        return page.count, api.count

    first = make_user("member0")
    make_thread(author=first, section=section, title="نخستین نوشته", body="همبستگی نخست")
    one = statements("همبستگی")
    for n in range(1, 8):
        author = make_user(f"member{n}")
        make_thread(author=author, section=section, title=f"نوشته {n}", body=f"همبستگی {n}")
    assert client.get("/api/v1/search", query_string={"q": "همبستگی"}).get_json()["total"] == 8
    assert statements("همبستگی") == one
