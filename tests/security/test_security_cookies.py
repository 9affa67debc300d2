"""A reader who only reads gets no cookie: nothing on their device says they were here.

Activists read Tribune on devices that may be seized. A session cookie is set only where a form
needs its CSRF token (logging in, registering, resetting a password, choosing a language), or on
the way to the login form; never for reading. CSRF protection is on here, as in production.
"""

import re

import pytest

from tests.robustness.test_crawl import crawl
from tribune import demo

# Pages whose point is a form a reader sends, so a session (for its CSRF token) is needed there;
# pages for participants send a reader on to the login form with a word why (a flash message).
FORM_PAGES = ("/accounts/login", "/accounts/register", "/accounts/reset", "/locale")


@pytest.fixture
def csrf_on(app_config):
    """CSRF protection as in production: every form's token lives in the session."""
    app_config["WTF_CSRF_ENABLED"] = True


def test_a_reader_gets_no_cookie_until_they_need_one(csrf_on, app, client):
    demo.load()
    for method in ("HEAD", "GET"):
        response = client.open("/", method=method)
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == [], method
    cookies = []
    statuses = crawl(app.test_client(), cookies)
    assert len(statuses) >= 20 and set(statuses.values()) <= {200, 302}
    unneeded = [
        path
        for path, target in cookies
        if not (path.startswith(FORM_PAGES) or target.startswith("/accounts/login?"))
    ]
    assert unneeded == [], unneeded
    # The language switch asks on a page of its own, in the language offered, then keeps it.
    reader = app.test_client()
    page = reader.get("/locale?locale=en&next=/tribune/")
    assert page.headers.getlist("Set-Cookie")  # the form's CSRF token starts the session
    html = page.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    response = reader.post(
        "/locale", data={"locale": "en", "next": "/tribune/", "csrf_token": token.group(1)}
    )
    assert response.headers["Location"] == "/tribune/"
    assert '<html lang="en" dir="ltr">' in reader.get("/").get_data(as_text=True)
