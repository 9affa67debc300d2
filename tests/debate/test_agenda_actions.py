"""Actions of the agenda: time zones, the calendar by month and six months, iCalendar, and the
links between actions and debates."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from debate_support import fresh
from icalendar import Calendar
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Action, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, agenda, agenda_commemorations
from tribune.text.calendars import gregorian_from_jalali, jalali_date


@pytest.mark.persian
def test_announcing_an_action_through_the_form_with_a_jalali_date(client, make_user, make_section):
    make_user("claire")
    make_section("women", "agenda", "کارگروه زنان")
    login(client, "claire")
    form = client.get("/calendar/new?section=women").get_data(as_text=True)
    assert "Europe/Paris" in form and "Asia/Tehran" in form
    day = date.today() + timedelta(days=40)
    year, month, dom = jalali_date(day)
    typed = f"{year}-{month:02d}-{dom:02d}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post(
        "/calendar/new",
        data={
            "section": "women",
            "title": "۸ مارس در پاریس",
            "day": typed,
            "start": "۱۵:۰۰",
            "end": "17:30",
            "timezone": "Europe/Paris",
            "city": "Paris",
            "place": "Place de la République",
            "language": "fa",
            "body": "تجمع در میدان جمهوری.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    action = db.session.scalar(select(Action))
    assert action.local_start == datetime.combine(day, time(15), ZoneInfo("Europe/Paris"))
    assert action.starts_at.tzinfo is not None and action.timezone == "Europe/Paris"
    assert action.local_end.time() == time(17, 30)
    assert action.thread.kind == "action"
    html = client.get(f"/t/{action.thread_id}").get_data(as_text=True)
    assert "Place de la République" in html and "۱۵:۰۰" in html
    assert f"/calendar/actions/{action.thread_id}.ics" in html


def test_a_typo_in_the_date_is_a_field_error(client, make_user, make_section):
    make_user("claire")
    make_section("women", "agenda", "زنان")
    login(client, "claire")
    response = client.post(
        "/calendar/new",
        data={"section": "women", "title": "آکسیون", "day": "1404-13-40", "start": "25:00",
              "timezone": "Europe/Paris", "city": "Paris", "language": "fa", "body": "متن"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="error"') >= 2
    assert db.session.scalar(select(db.func.count(Action.thread_id))) == 0


def test_times_are_stored_in_utc_across_daylight_saving(app, make_action):
    summer = make_action(day=date(2026, 7, 14), start=time(15), end=None)
    winter = make_action(title="زمستان", day=date(2026, 12, 10), start=time(15), end=None)
    assert summer.action.starts_at == datetime(2026, 7, 14, 13, tzinfo=UTC)
    assert winter.action.starts_at == datetime(2026, 12, 10, 14, tzinfo=UTC)


def test_a_time_skipped_by_the_clocks_is_refused(app, make_action):
    # Europe/Paris moves from 02:00 to 03:00 on 29 March 2026.
    with pytest.raises(Invalid) as error:
        make_action(day=date(2026, 3, 29), start=time(2, 30), end=None)
    assert error.value.field == "start"


def test_a_repeated_time_is_the_first_of_the_two(app, make_action):
    # Europe/Paris moves back from 03:00 to 02:00 on 25 October 2026: 02:30 happens twice.
    thread = make_action(day=date(2026, 10, 25), start=time(2, 30), end=None)
    assert thread.action.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_end_before_the_start_is_the_next_morning(app, make_action):
    thread = make_action(day=date(2026, 12, 31), start=time(22), end=time(1))
    assert thread.action.local_end == datetime(2027, 1, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))


def test_unknown_time_zones_and_the_tribune_are_refused(app, make_action, make_section):
    with pytest.raises(Invalid):
        make_action(zone="Mars/Olympus")
    with pytest.raises(Invalid):
        make_action(section=make_section("strategy", "tribune", "استراتژی"))


def test_the_calendar_places_an_action_on_its_local_date(client, make_action):
    # 01:00 in Tehran on 8 March 2027 is still 7 March in UTC.
    thread = make_action(
        day=date(2027, 3, 8), start=time(1), end=None, zone="Asia/Tehran", city="Tehran"
    )
    assert thread.action.starts_at.date() == date(2027, 3, 7)
    client.post("/locale", data={"locale": "en"})
    html = client.get("/calendar/2027/03").get_data(as_text=True)
    cell = re.search(r'<td class="[^"]*has-items[^"]*">\s*<span class="day-number">(\d+)<', html)
    assert cell.group(1) == "8"
    assert f'href="/t/{thread.id}"' in html
    # The same action in the Jalali month holding 8 March 2027 (Esfand 1405), in Persian.
    client.post("/locale", data={"locale": "fa"})
    year, month, day = jalali_date(date(2027, 3, 8))
    persian = client.get(f"/calendar/jalali/{year}/{month:02d}").get_data(as_text=True)
    assert f'href="/t/{thread.id}"' in persian and "اسفند" in persian


def test_month_view_lists_coming_and_past_actions(client, make_action):
    past = make_action(title="آکسیون گذشته", day=utcnow().date() - timedelta(days=3))
    coming = make_action(title="آکسیون آینده", day=utcnow().date() + timedelta(days=3))
    html = client.get("/calendar/").get_data(as_text=True)
    coming_box = html.split('id="coming-heading"')[1]
    assert "آکسیون آینده" in coming_box.split("<h2>")[0]
    assert "آکسیون گذشته" in coming_box.split("<h2>")[1]
    assert past.id != coming.id


def test_six_month_view(client, make_action):
    today = utcnow().date()
    inside = make_action(title="در شش ماه", day=today + timedelta(days=100))
    outside = make_action(title="بیرون از شش ماه", day=today + timedelta(days=230))
    html = client.get("/calendar/six-months").get_data(as_text=True)
    assert len(re.findall(r'<section class="six-month"', html)) == 6
    assert "در شش ماه" in html and "بیرون از شش ماه" not in html
    assert inside.id != outside.id
    start = today.replace(day=1)
    english = client.get(f"/calendar/six-months/{start.year}/{start.month:02d}")
    assert english.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/calendar/2026/13", "/calendar/1800/01", "/calendar/jalali/1404/00", "/calendar/2026/3"],
)
def test_impossible_months_are_404(client, url):
    assert client.get(url).status_code == 404


def parse_ics(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def test_an_action_as_icalendar(client, make_action):
    thread = make_action(day=date(2027, 3, 8), start=time(15), end=time(17))
    calendar = parse_ics(client.get(f"/calendar/actions/{thread.id}.ics"))
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == datetime(2027, 3, 8, 15, tzinfo=ZoneInfo("Europe/Paris"))
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert event.decoded("DTEND").hour == 17
    assert str(event["SUMMARY"]) == "۸ مارس در پاریس"
    assert "Paris" in str(event["LOCATION"]) and "République" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(f"/t/{thread.id}")
    assert str(event["UID"]).startswith(f"action-{thread.id}@")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_changing_an_action_bumps_its_sequence_and_cancelling_shows(client, make_action, make_user):
    thread = make_action(day=date(2027, 3, 8))
    with pytest.raises(Refused):
        agenda.update_action(
            make_user("someone"), thread, date(2027, 3, 9), time(16), "Europe/Paris", "Paris"
        )
    agenda.update_action(
        thread.author, thread, date(2027, 3, 9), time(16), "Europe/Paris", "Paris",
        status="cancelled",
    )  # fmt: skip
    [event] = parse_ics(client.get(f"/calendar/actions/{thread.id}.ics")).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART").day == 9
    client.post("/locale", data={"locale": "en"})
    assert "Cancelled" in client.get("/calendar/2027/03").get_data(as_text=True)


def test_the_whole_agenda_as_icalendar_with_commemorations_in_both_calendars(
    client, make_action, make_user
):
    paris = make_action(title="Paris", day=utcnow().date() + timedelta(days=10))
    past = make_action(title="گذشته", day=utcnow().date() - timedelta(days=40))
    maryam = make_user("maryam")
    agenda_commemorations.add(maryam, "۸ مارس", "gregorian", 3, 8, since_year=1911)
    azar = agenda_commemorations.add(maryam, "۱۶ آذر", "jalali", 9, 16)
    leap = agenda_commemorations.add(maryam, "۳۰ اسفند", "jalali", 12, 30)
    calendar = parse_ics(client.get("/calendar/agenda.ics"))
    events = calendar.walk("VEVENT")
    uids = {str(e["UID"]).split("@")[0] for e in events}
    assert {f"action-{paris.id}", f"action-{past.id}"} <= uids
    [march] = [e for e in events if str(e["SUMMARY"]) == "۸ مارس"]
    assert march["RRULE"]["FREQ"] == ["YEARLY"] and march.decoded("DTSTART") == date(1911, 3, 8)
    azar_days = sorted(e.decoded("DTSTART") for e in events if str(e["SUMMARY"]) == "۱۶ آذر")
    this_year = utcnow().year
    assert len(azar_days) == 7  # last year to five years ahead
    for day in azar_days:
        expected = gregorian_from_jalali(jalali_date(day)[0], 9, 16)
        assert day == expected and day.month == 12 and day.day in (6, 7)
    assert azar_days[0].year == this_year - 1
    esfand_days = [e.decoded("DTSTART") for e in events if str(e["SUMMARY"]) == "۳۰ اسفند"]
    # Always the eve of Nowruz, 29 Esfand in common years.
    assert all(jalali_date(day + timedelta(days=1))[1:] == (1, 1) for day in esfand_days)
    assert azar.id != leap.id


def test_commemorations_recur_in_the_month_pages(client, make_user):
    maryam = make_user("maryam")
    agenda_commemorations.add(maryam, "۱۶ آذر، روز دانشجو", "jalali", 9, 16)
    agenda_commemorations.add(maryam, "۱۰ دسامبر", "gregorian", 12, 10)
    client.post("/locale", data={"locale": "en"})
    for year, day in ((2024, "6"), (2025, "7")):
        html = client.get(f"/calendar/{year}/12").get_data(as_text=True)
        cells = re.findall(
            r'day-number">(\d+)</span>\s*<ul>\s*<li class="cal-commemoration"[^>]*>([^<]+)', html
        )
        assert (day, "۱۶ آذر، روز دانشجو") in cells and ("10", "۱۰ دسامبر") in cells
    # In the Jalali month of Azar it is always on the 16th.
    client.post("/locale", data={"locale": "fa"})
    persian = client.get("/calendar/jalali/1404/09").get_data(as_text=True)
    assert re.search(r'day-number">۱۶</span>\s*<ul>\s*<li class="cal-commemoration"', persian)


@pytest.mark.persian
def test_commemorations_through_the_form_and_who_may_change_them(client, make_user, make_moderator):
    make_user("maryam")
    make_user("kaveh")
    login(client, "maryam")
    response = client.post(
        "/calendar/commemorations/new",
        data={"title": "۱۶ آذر", "calendar": "jalali", "month": "9", "day": "16",
              "title_en": "16 Azar, Student Day", "section": ""},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get("/calendar/commemorations/").get_data(as_text=True)
    assert "۱۶ آذر" in page and "/calendar/commemorations/1/edit" in page
    client.post("/locale", data={"locale": "en"})
    assert "16 Azar, Student Day" in client.get("/calendar/commemorations/").get_data(as_text=True)
    client.post("/accounts/logout")
    login(client, "kaveh")
    assert client.get("/calendar/commemorations/1/edit").status_code == 404
    bad = client.post(
        "/calendar/commemorations/new",
        data={"title": "روزی ناممکن", "calendar": "jalali", "month": "7", "day": "31"},
    )
    assert bad.status_code == 200 and 'class="error"' in bad.get_data(as_text=True)


def test_actions_and_debates_link_both_ways_without_mixing_the_spaces(
    client, make_action, make_paper, make_user
):
    action = make_action(title="آکسیون پاریس")
    paper = make_paper(author=make_user("sara"), title="بحث شعارها")
    with pytest.raises(NotFound):
        agenda.link(make_user("stranger"), paper, action)
    with pytest.raises(Invalid):
        agenda.link(paper.author, paper, paper)
    agenda.link(action.author, action, paper)
    assert agenda.link(paper.author, paper, action).id  # once only
    assert (fresh(Thread, paper.id).link_count, fresh(Thread, action.id).link_count) == (1, 1)
    debate_page = client.get(f"/t/{paper.id}").get_data(as_text=True)
    action_page = client.get(f"/t/{action.id}").get_data(as_text=True)
    assert "آکسیون پاریس" in debate_page and "Related actions in the agenda" in debate_page
    assert "بحث شعارها" in action_page and "Related debates in the tribune" in action_page
    # Neither space's lists take in the other's thread.
    assert "آکسیون پاریس" not in client.get("/tribune/").get_data(as_text=True)
    assert "بحث شعارها" not in client.get("/agenda/").get_data(as_text=True)
    assert "بحث شعارها" not in client.get("/calendar/").get_data(as_text=True)


def test_linking_through_the_page_by_address(client, make_action, make_paper, make_user):
    action = make_action()
    paper = make_paper(author=make_user("sara"))
    login(client, "organiser")
    client.post(f"/papers/threads/{action.id}/links", data={"reference": f"http://x/t/{paper.id}"})
    assert fresh(Thread, action.id).link_count == 1
    [relation] = agenda.links_of(fresh(Thread, action.id))
    client.post(f"/papers/links/{relation.id}/remove", data={"back": action.id})
    assert fresh(Thread, paper.id).link_count == 0


def test_find_thread_reads_numbers_and_addresses(app, make_action):
    thread = make_action()
    for text in (str(thread.id), f"#{thread.id}", f"https://example.org/t/{thread.id}?page=2"):
        assert agenda.find_thread(text).id == thread.id
    assert agenda.find_thread("nonsense") is None


def test_home_page_shows_coming_actions(client, make_action):
    make_action(title="آکسیون نزدیک")
    assert "آکسیون نزدیک" in client.get("/").get_data(as_text=True)


def test_the_creator_or_a_moderator_changes_or_retires_a_commemoration(
    client, make_user, make_moderator
):
    maryam = make_user("maryam")
    moderator = make_moderator(make_user("mod"))
    day = agenda_commemorations.add(maryam, "روز زن", "gregorian", 3, 8, translations={"en": "X"})
    with pytest.raises(NotFound):
        agenda_commemorations.update(make_user("kaveh"), day, "روز زن", "gregorian", 3, 9)
    agenda_commemorations.update(moderator, day, "روز جهانی زن", "gregorian", 3, 8, is_active=False)
    assert "روز جهانی زن" not in client.get("/calendar/commemorations/").get_data(as_text=True)
    assert "روز جهانی زن" not in client.get("/calendar/agenda.ics").get_data(as_text=True)
    login(client, "maryam")
    form = client.get(f"/calendar/commemorations/{day.id}/edit").get_data(as_text=True)
    assert 'value="X"' in form
    client.post(
        f"/calendar/commemorations/{day.id}/edit",
        data={"title": "روز جهانی زن", "calendar": "gregorian", "month": "3", "day": "8",
              "is_active": "y", "title_en": "International Women's Day"},
    )  # fmt: skip
    feed = parse_ics(client.get("/calendar/agenda.ics?lang=en"))
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["International Women's Day"]


def test_a_hidden_action_shows_neither_its_place_nor_its_time(
    client, make_action, make_user, make_moderator
):
    from tribune.services import moderation

    thread = make_action(place="میدان مخفی")
    moderator = make_moderator(make_user("mod"))
    moderation.hide_post(moderator, _opening(thread), "نقض قواعد")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "میدان مخفی" not in html
    assert "میدان مخفی" not in client.get("/calendar/").get_data(as_text=True)


def _opening(thread):
    from debate_support import opening_post

    return opening_post(thread)


def test_calendar_paging_stops_a_year_before_and_two_years_after(client, make_action):
    make_action(day=utcnow().date() + timedelta(days=30))
    client.post("/locale", data={"locale": "en"})

    def walk(rel):
        url, steps = "/calendar/", 0
        while True:
            found = re.search(rf'rel="{rel}" class="\w+" href="([^"]+)"', client.get(url).text)
            if not found:
                return steps, url
            url, steps = found.group(1), steps + 1

    back, last_back = walk("prev")
    forward, _ = walk("next")
    assert 12 <= back <= 14 and 24 <= forward <= 27
    # Months past the end of the paging still answer at their address.
    assert client.get("/calendar/1990/01").status_code == 200
    assert last_back.startswith("/calendar/")
