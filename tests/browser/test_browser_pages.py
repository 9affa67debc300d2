"""Pages as a person sees them in Chromium: right to left, no foreign requests, no CSP errors."""

from tribune.extensions import db
from tribune.services import posting

HOSTILE_BODY = """سلام **دنیا**

![pixel](https://tracker.example/pixel.gif)
<img src="https://evil.example/x.png" onerror="alert(1)">
<script>alert('xss')</script>
[click](javascript:alert(1))
<iframe src="https://evil.example/"></iframe>
<link rel="stylesheet" href="https://fonts.example/font.css">
<style>@import url(https://evil.example/a.css);</style>
"""


def test_home_renders_right_to_left_without_foreign_requests(page, live_server, make_thread):
    make_thread()
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.watch.foreign_requests == []
    assert page.watch.console_errors == []


def test_hostile_post_makes_no_request_and_runs_no_script(
    page, live_server, make_thread, make_user
):
    thread = make_thread(body=HOSTILE_BODY)
    posting.reply(make_user("kaveh"), thread, HOSTILE_BODY, "fa")
    db.session.commit()
    for path in ("/", f"/t/{thread.id}", "/tribune/", "/tribune/alternatives/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    assert page.watch.foreign_requests == []
    assert page.watch.dialogs == []
    # The remote image is a link a reader may follow, not a request the page makes.
    page.goto(live_server.url + f"/t/{thread.id}")
    assert page.locator('a.external-image[href="https://tracker.example/pixel.gif"]').count() == 2


def test_font_and_stylesheet_are_served_locally(page, live_server):
    page.goto(live_server.url + "/")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Vazirmatn" in family
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")


def test_phone_width_has_no_horizontal_scroll(page, live_server, make_thread):
    thread = make_thread(body="متن " * 400)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", f"/t/{thread.id}", "/accounts/register"):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
