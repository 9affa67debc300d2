"""A phone (390 x 844) in both directions: a small header, a menu folded without script, controls
a finger can hit, no sideways scrolling, and the calendar as an agenda list (issue 17).

Screenshots of each page go to the test's temporary folder (pytest keeps the last runs')."""

import pytest

from tests.browser.support import choose_language, log_in

PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/tribune/",
    "/t/1",
    "/papers/",
    "/calendar/",
    "/calendar/commemorations/",
    "/search?q=جمهوری",
    "/accounts/login",
]
LOGGED_IN_PAGES = ["/t/1", "/papers/new", "/calendar/new", "/accounts/settings"]
# Controls a finger must hit: menu, buttons, form fields, navigation that is not running text.
CONTROLS = (
    "summary, button, input:not([type=hidden]), select, textarea, .site-menu a, .pagination a,"
    " .post-actions a, .post-head a, .breadcrumbs a, .month-nav a, .subnav a, .footer-links a,"
    " .locale-switch button"
)
SMALL_CONTROLS = """selector => [...document.querySelectorAll(selector)]
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  // A check box is hit through its label, which holds it.
  .map(el => [el, (['checkbox', 'radio'].includes(el.type) && el.closest('label') || el)
    .getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && (r.height < 44 || r.width < 44))
  .map(([el, r]) => `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 20)}"`
    + ` ${Math.round(r.width)}x${Math.round(r.height)}`)"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The room between "edited" and its date in each post header: a tappable link is a flex box on
# a phone, and a flex box drops the space between its text and the <time> element.
EDITED_GAPS = """() => [...document.querySelectorAll('.post-head .edited')].map(link => {
  const words = document.createRange();
  words.selectNodeContents(link.firstChild);
  const text = words.getBoundingClientRect();
  const date = link.querySelector('time').getBoundingClientRect();
  return Math.round(Math.max(date.left - text.right, text.left - date.right));
})"""


def check_phone_page(page, path, shots, name):
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, path
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 100, (path, header)
    # Folded: the menu's links are not shown until the reader opens it.
    assert page.locator(".site-menu").get_attribute("open") is None
    assert not page.locator(".main-nav a").first.is_visible()
    assert page.evaluate(SMALL_CONTROLS, CONTROLS) == [], path
    gaps = page.evaluate(EDITED_GAPS)
    assert all(gap >= 3 for gap in gaps), (path, gaps)
    return gaps


@pytest.mark.parametrize("language", ["fa", "en"])
def test_phone_pages_in_both_directions(app, demo_site, browser, live_server, language, tmp_path):
    context = browser.new_context(locale="fa-IR", viewport=PHONE, has_touch=True)
    page = context.new_page()
    choose_language(page, live_server.url, language)
    edited = []
    for path in PAGES:
        page.goto(live_server.url + path)
        edited += check_phone_page(page, path, tmp_path, f"{language}-reader-{len(path)}")
    assert edited, "the demo thread shows an edited post"  # the gap check above saw one
    log_in(page, live_server.url, "reader2")
    for path in LOGGED_IN_PAGES:
        page.goto(live_server.url + path)
        check_phone_page(page, path, tmp_path, f"{language}-participant-{len(path)}")
    context.close()


@pytest.mark.parametrize("script", [True, False])
def test_the_menu_opens_by_touch_and_by_keyboard_with_or_without_script(
    app, demo_site, browser, live_server, script
):
    context = browser.new_context(
        locale="fa-IR", viewport=PHONE, has_touch=True, java_script_enabled=script
    )
    page = context.new_page()
    page.goto(live_server.url + "/t/1")
    summary = page.locator("summary.menu-button")
    assert summary.is_visible()
    page.tap("summary.menu-button")
    assert page.locator(".site-menu").get_attribute("open") is not None
    for link in page.locator(".main-nav a").all():
        assert link.is_visible()
    assert page.locator("#header-q").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    page.tap("summary.menu-button")
    assert not page.locator(".main-nav a").first.is_visible()
    # The keyboard: skip link, brand, then the menu; Enter opens it.
    page.goto(live_server.url + "/t/1")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.main-nav') !== null")
    context.close()


def test_on_a_wide_screen_the_menu_is_simply_there(app, demo_site, browser, live_server):
    context = browser.new_context(locale="fa-IR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert not page.locator("summary.menu-button").is_visible()
    assert page.locator(".main-nav a").first.is_visible()
    assert page.locator("#header-q").is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 100
    context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_calendar_is_an_agenda_list_on_a_phone(
    app, demo_site, browser, live_server, language, tmp_path
):
    context = browser.new_context(locale="fa-IR", viewport=PHONE)
    page = context.new_page()
    choose_language(page, live_server.url, language)
    for path in ("/calendar/", "/calendar/jalali/1405/09", "/calendar/2026/12"):
        page.goto(live_server.url + path)
        page.screenshot(path=str(tmp_path / f"{language}-{len(path)}.png"), full_page=True)
        assert not page.locator(".month-grid").is_visible(), path
        # Every day of the grid that holds something is in the list, which is shown.
        assert page.locator("#month-list-heading").is_visible()
        items = page.locator(".agenda-list").first.locator("li")
        assert items.count() >= 1, path
        assert items.first.is_visible()
        assert page.evaluate(OVERFLOW) <= 0, path
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/calendar/2026/12")
    assert page.locator(".month-grid").is_visible()
    # The weekday names fit their columns on a wide screen.
    for header in page.locator(".month-grid th").all():
        assert header.evaluate("el => el.scrollWidth <= el.clientWidth")
    context.close()
