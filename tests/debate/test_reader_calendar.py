"""Both calendars where they matter (issue 17): actions and commemorations show the Jalali and the
Gregorian date side by side in every interface; elsewhere the reader's calendar, with the other
one in the title and shown on focus; a reader of any language may choose Jalali (or Gregorian)
dates; Jalali commemorations are written out for any year a calendar feed asks for."""

import re
from datetime import date

from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import User
from tribune.services import Invalid, accounts, agenda_commemorations


def other_dates(html):
    return re.findall(r'<span class="other-date" dir="(\w+)">\(<bdi>([^<]+)</bdi>\)</span>', html)


def test_an_action_shows_both_calendars_in_every_interface(client, make_action, make_user):
    thread = make_action(day=date(2027, 3, 8))
    client.post("/locale", data={"locale": "fa"})
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "۱۷ اسفند ۱۴۰۵" in html
    assert ("rtl", "۸ مارس ۲۰۲۷") in other_dates(html)
    client.post("/locale", data={"locale": "en"})
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "Monday, March 8, 2027" in html
    assert ("ltr", "17 Esfand 1405") in other_dates(html)
    # The agenda's lists too.
    html = client.get("/calendar/2027/03").get_data(as_text=True)
    assert ("ltr", "17 Esfand 1405") in other_dates(html)


def test_commemorations_show_both_calendars(client, make_user):
    admin = make_user("leila", role="admin")
    agenda_commemorations.add(admin, "۱۶ آذر، روز دانشجو", "jalali", 9, 16)
    client.post("/locale", data={"locale": "en"})
    html = client.get("/calendar/commemorations/").get_data(as_text=True)
    shown = other_dates(html)
    assert shown and all(direction == "ltr" for direction, _ in shown)
    # Gregorian shown for an English reader, 16 Azar beside it.
    assert any("16 Azar" in text for _, text in shown)


def test_an_english_reader_chooses_jalali_dates_and_it_is_stored(client, make_thread, make_user):
    thread = make_thread()
    make_user("jonas")
    login(client, "jonas")
    client.post("/locale", data={"locale": "en"})
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert not re.search(r"(Azar|Dey|Aban|Bahman|Esfand|Farvardin) 14\d\d,", html)
    response = client.post("/accounts/settings/calendar", data={"calendar-calendar": "jalali"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.calendar).where(User.username == "jonas")) == "jalali"
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    time_tag = re.search(r'<time datetime="[^"]+" title="([^"]+)"[^>]*>([^<]+)</time>', html)
    title, shown = time_tag.groups()
    # Jalali shown, in Latin letters and digits; Gregorian in the title and on focus.
    assert re.search(
        r"\d+ (Farvardin|Ordibehesht|Khordad|Tir|Mordad|Shahrivar|Mehr|Aban|Azar"
        r"|Dey|Bahman|Esfand) 14\d\d",
        shown,
    ), shown
    assert re.search(
        r"(January|February|March|April|May|June|July|August|September|October"
        r"|November|December) \d+, 20\d\d",
        title,
    ), title
    # The settings page shows the choice; "" goes back to the language's own.
    settings = client.get("/accounts/settings").get_data(as_text=True)
    assert re.search(r'<option selected value="jalali">', settings)
    client.post("/accounts/settings/calendar", data={"calendar-calendar": ""})
    assert db.session.scalar(select(User.calendar).where(User.username == "jonas")) == ""


def test_a_persian_reader_may_choose_gregorian_dates(client, make_thread, make_user):
    thread = make_thread()
    make_user("kaveh")
    login(client, "kaveh")
    client.post("/locale", data={"locale": "fa"})
    client.post("/accounts/settings/calendar", data={"calendar-calendar": "gregorian"})
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    shown = re.search(r"<time [^>]*>([^<]+)</time>", html).group(1)
    # Persian month names of the Gregorian calendar, Persian digits.
    assert re.search(
        r"(ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر)", shown
    )
    assert not re.search(r"[0-9]", shown)


def test_an_unknown_calendar_is_refused_and_nothing_changes(client, make_user):
    user = make_user("sara")
    try:
        accounts.set_calendar(user, "mayan")
    except Invalid as error:
        assert error.field == "calendar"
    else:
        raise AssertionError("an unknown calendar was accepted")
    login(client, "sara")
    response = client.post("/accounts/settings/calendar", data={"calendar-calendar": "mayan"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).calendar == ""


def test_jalali_commemorations_are_written_for_any_year_asked_for(client, make_user):
    admin = make_user("leila", role="admin")
    agenda_commemorations.add(admin, "۱۶ آذر، روز دانشجو", "jalali", 9, 16)
    agenda_commemorations.add(admin, "نوروز", "jalali", 1, 1)
    feed = client.get("/calendar/agenda.ics?year=2040").get_data(as_text=True)
    # 16 Azar 1419 is 6 December 2040; Nowruz 1420 is 20 March 2041.
    assert "DTSTART;VALUE=DATE:20401206" in feed
    assert "DTSTART;VALUE=DATE:20410320" in feed
    old = client.get("/calendar/agenda.ics?year=1980").get_data(as_text=True)
    assert "DTSTART;VALUE=DATE:19801207" in old
    assert client.get("/calendar/agenda.ics?year=12").status_code == 404
    assert client.get("/calendar/agenda.ics?year=99999").status_code == 404
    # The month pages were never limited: 16 Azar in December 2090.
    html = client.get("/calendar/2090/12").get_data(as_text=True)
    assert "روز دانشجو" in html
