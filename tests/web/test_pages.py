"""The pages a reader sees: both spaces, Persian by default, English on request, safe headers."""

import re

import pytest

from tests.support import login

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


def test_home_is_persian_and_right_to_left(client, make_section):
    make_section("alternatives", "tribune", "بدیل‌ها")
    make_section("women", "agenda", "کارگروه زنان")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html
    assert "بدیل‌ها" in html and "کارگروه زنان" in html


def test_home_shows_both_spaces_with_their_sections(client, make_section):
    make_section("alternatives", "tribune", "بدیل‌ها")
    make_section("women", "agenda", "کارگروه زنان")
    html = client.get("/").get_data(as_text=True)
    tribune = html.index('id="space-tribune"')
    agenda = html.index('id="space-agenda"')
    assert tribune < html.index(">بدیل‌ها</a>") < agenda < html.index(">کارگروه زنان</a>")


def test_english_interface_on_request(client, make_section):
    make_section(
        "alternatives",
        "tribune",
        "بدیل‌ها",
    )
    client.post("/locale", data={"locale": "en", "next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Log in" in html


def test_unknown_locale_is_ignored(client):
    client.post("/locale", data={"locale": "xx", "next": "/"})
    assert '<html lang="fa" dir="rtl">' in client.get("/").get_data(as_text=True)


def test_locale_switch_does_not_redirect_elsewhere(client):
    response = client.post("/locale", data={"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_counts_use_persian_digits(client, make_thread, make_user):
    from tribune.services import posting

    thread = make_thread()
    for n in range(12):
        posting.reply(make_user(f"reader{n}"), thread, f"پاسخ {n}", "fa")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "۱۲ پاسخ" in html or "۱۲" in html
    header = re.search(r'<header class="page-head thread-head">(.*?)</header>', html, re.S).group(1)
    assert any(d in header for d in PERSIAN_DIGITS)
    assert not re.search(r">[^<]*\b12\b[^<]*<", header)


def test_dates_show_jalali_with_gregorian_in_title(client, make_thread):
    thread = make_thread()
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    time_tag = re.search(
        r'<time datetime="([^"]+)" title="([^"]+)" data-other="([^"]+)" tabindex="0">'
        r"([^<]+)</time>",
        html,
    )
    assert time_tag
    iso, title, other, shown = time_tag.groups()
    # The other calendar is shown when the date has the focus (a tap, the keyboard), too.
    assert other == title
    assert iso.endswith("+00:00")
    assert any(d in shown for d in PERSIAN_DIGITS)
    assert any(d in title for d in PERSIAN_DIGITS)


@pytest.mark.parametrize(
    "url", ["/", "/tribune/", "/agenda/", "/about", "/accounts/login", "/no/such/page"]
)
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
        assert directive in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_page_has_no_stack_trace(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body
    assert response.headers["Content-Security-Policy"]


def test_pages_load_nothing_from_other_origins(client, make_thread):
    thread = make_thread(body="![x](https://tracker.example/pixel.png) [link](https://example.org)")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    # src= and <link href= must stay on this origin; <a href> to elsewhere is fine (a link).
    for match in re.finditer(r'(?:src|<link[^>]*href)="([^"]+)"', html):
        assert match.group(1).startswith("/"), match.group(0)
    assert 'href="https://tracker.example/pixel.png"' in html


def test_area_404_for_unknown_area(client):
    assert client.get("/elsewhere/").status_code == 404


def test_logged_in_header_shows_username_not_email(client, make_user):
    make_user("sara", email="sara@example.org")
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "sara" in html and "sara@example.org" not in html


def test_error_pages_keep_allow_and_say_when_to_come_back(app, client):
    from werkzeug.exceptions import ServiceUnavailable

    @app.route("/unavailable")
    def unavailable():
        raise ServiceUnavailable()

    response = client.get("/unavailable")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Security-Policy"]
    response = client.get("/t/1/reply")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
