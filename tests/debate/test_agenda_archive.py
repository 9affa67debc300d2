"""Archives of each space by year and month at permanent addresses; routes that do not clash."""

import re
from datetime import UTC, datetime

import pytest
from debate_support import opening_post

from tribune.extensions import db
from tribune.services import posting, thread_days


@pytest.fixture
def dated_threads(make_user, make_section):
    """Threads of both spaces opened on known dates (around Nowruz 1389 / March 2010)."""
    author = make_user("sara")
    tribune = make_section("alternatives")
    agenda = make_section("women", "agenda", "زنان")
    made = {}
    for title, section, when in (
        ("بحث اسفند", tribune, datetime(2010, 3, 15, 12, tzinfo=UTC)),
        ("بحث فروردین", tribune, datetime(2010, 3, 28, 12, tzinfo=UTC)),
        ("بحث آوریل", tribune, datetime(2010, 4, 2, 12, tzinfo=UTC)),
        ("آکسیون مارس", agenda, datetime(2010, 3, 20, 12, tzinfo=UTC)),
    ):
        thread = posting.open_thread(author, section, title, "متن", "fa")
        thread.created_at = thread.last_post_at = when
        opening_post(thread).created_at = when
        made[title] = thread
    # Dated after the fact: the archive's summary follows, as moderation's recount would.
    thread_days.recount(tribune, agenda)
    db.session.commit()
    return made


def titles(html):
    return re.findall(r'class="thread-title"[^>]*>([^<]+)<', html)


def test_gregorian_month_archive_has_a_permanent_address(client, dated_threads):
    html = client.get("/tribune/archive/2010/03").get_data(as_text=True)
    assert titles(html) == ["بحث اسفند", "بحث فروردین"]
    # Previous and next go to the nearest months with threads.
    assert 'rel="next" class="next" href="/tribune/archive/2010/04"' in html
    assert 'rel="prev"' not in html
    assert titles(client.get("/tribune/archive/2010/04").get_data(as_text=True)) == ["بحث آوریل"]
    # The agenda has its own archive; neither shows the other's threads.
    assert titles(client.get("/agenda/archive/2010/03").get_data(as_text=True)) == ["آکسیون مارس"]


@pytest.mark.persian
def test_jalali_month_archive_splits_at_nowruz(client, dated_threads):
    # 28 March 2010 is 8 Farvardin 1389; 15 March 2010 is 24 Esfand 1388.
    farvardin = client.get("/tribune/archive/jalali/1389/01").get_data(as_text=True)
    assert titles(farvardin) == ["بحث فروردین", "بحث آوریل"]
    assert "فروردین ۱۳۸۹" in farvardin
    esfand = client.get("/tribune/archive/jalali/1388/12").get_data(as_text=True)
    assert titles(esfand) == ["بحث اسفند"]


@pytest.mark.persian
def test_archive_index_follows_the_readers_calendar(client, dated_threads):
    persian = client.get("/tribune/archive/").get_data(as_text=True)
    assert 'href="/tribune/archive/jalali/1389/01"' in persian
    assert 'href="/tribune/archive/jalali/1388/12"' in persian
    client.post("/locale", data={"locale": "en"})
    english = client.get("/tribune/archive/").get_data(as_text=True)
    assert 'href="/tribune/archive/2010/03"' in english and "March 2010" in english
    assert "2 threads" in english
    year = client.get("/tribune/archive/2010/").get_data(as_text=True)
    assert 'href="/tribune/archive/2010/04"' in year
    assert client.get("/tribune/archive/1999/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/tribune/archive/2010/13", "/tribune/archive/2010/3", "/elsewhere/archive/",
     "/tribune/archive/jalali/1389/13", "/tribune/archive/2010/03?page=9"],
)  # fmt: skip
def test_impossible_archive_pages_are_404(client, dated_threads, url):
    assert client.get(url).status_code == 404


def test_routes_of_the_new_areas_do_not_clash_with_sections(app, client, make_section):
    make_section("archive-notes", "agenda", "یادداشت‌ها")
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/tribune/archive/")[0] == "archive.index"
    assert adapter.match("/agenda/archive/2010/03")[0] == "archive.month"
    assert adapter.match("/agenda/women/")[0] == "forum.section"
    assert adapter.match("/calendar/")[0] == "agenda.index"
    assert adapter.match("/calendar/agenda.ics")[0] == "agenda.agenda_ics"
    assert adapter.match("/calendar/actions/4.ics")[0] == "agenda.action_ics"
    assert adapter.match("/papers/")[0] == "papers.index"
    assert adapter.match("/associations/mine")[0] == "associations.mine"
    assert client.get("/agenda/archive-notes/").status_code == 200


def test_archive_counts_follow_moderation_and_check_repairs_them(
    app, client, dated_threads, make_user, make_moderator
):
    """Issue 14: the index sums per-day rows kept by the services, not every thread; they
    follow hiding and moving, moderators also see hidden threads, `check` repairs them."""
    from tests.support import login
    from tribune.models import Section
    from tribune.services import counters, moderation

    def in_march(c, area="tribune"):
        html = c.get(f"/{area}/archive/?calendar=gregorian").get_data(as_text=True)
        found = re.search(
            rf'href="/{area}/archive/2010/03">[^<]*</a> <span class="count">([^<]*)</span>', html
        )
        if found is None:
            return 0
        return int(re.sub(r"\D", "", found[1].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))))

    assert counters.check() == []
    assert (in_march(client), in_march(client, "agenda")) == (2, 1)
    mina = make_moderator(make_user("mina"))
    moderation.hide_post(mina, opening_post(dated_threads["بحث اسفند"]), "تبلیغ آشکار")
    assert counters.check() == []
    assert in_march(client) == 1
    moderator = app.test_client()
    login(moderator, "mina")
    assert in_march(moderator) == 2
    agenda = db.session.scalar(db.select(Section).where(Section.area == "agenda"))
    moderation.move_thread(mina, dated_threads["بحث فروردین"], agenda, "جای درست")
    assert counters.check() == []
    assert (in_march(client), in_march(client, "agenda")) == (0, 2)
    db.session.execute(db.text("UPDATE thread_days SET threads = threads + 5"))
    db.session.commit()
    assert [finding.name for finding in counters.check()] == ["thread_days.threads"]
    # What is stored is what the index shows: two days of March, 5 too many each.
    assert in_march(client, "agenda") == 12
    counters.check(repair=True)
    assert counters.check() == []
    assert (in_march(client), in_march(client, "agenda")) == (0, 2)
