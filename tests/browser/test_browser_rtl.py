"""Right-to-left glitches of issue 17, checked where the reader sees them: the position of each
character on the screen in Chromium, in Persian and in English, with a screenshot of each page
in the test's temporary folder.

"(.ics)" read "(ics.)", the time zone's parenthesis was scrambled, "@sara" read "sara@",
"Hamburg, Germany" read "Germany ,Hamburg", the search help's examples were regrouped, and a
French post in a Persian thread started in the middle of its card.
"""

import pytest
from sqlalchemy import select

from tests.browser.support import choose_language
from tribune.extensions import db
from tribune.models import Action, Thread, User
from tribune.services import posting

# [character, left edge in px] of every visible character under the first match of a selector.
CHARACTERS = """selector => {
  const root = document.querySelector(selector), out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    for (let i = 0; i < node.data.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      out.push([node.data[i], range.getBoundingClientRect().left]);
    }
  }
  return out;
}"""


def positions(page, selector):
    """Characters (spaces left out) and their left edges."""
    return page.evaluate(CHARACTERS, selector)


def x_of(chars, text):
    """Left edge of the first character of `text` where it appears in the sequence."""
    flat = "".join(c for c, _ in chars)
    return chars[flat.index(text)][1]


def reads_left_to_right(chars, text):
    flat = "".join(c for c, _ in chars)
    start = flat.index(text)
    xs = [x for _, x in chars[start : start + len(text)]]
    return xs == sorted(xs)


@pytest.fixture
def rtl_site(demo_site):
    kaveh = db.session.scalar(select(User).where(User.username == "kaveh"))
    thread = db.session.get(Thread, 1)
    posting.reply(kaveh, thread, "با @sara درباره‌ی سکولاریسم همراهم.", "fa")
    db.session.commit()
    paris = db.session.scalar(select(Action).where(Action.city == "Paris"))
    return {"action": paris.thread_id}


@pytest.mark.parametrize("language", ["fa", "en"])
def test_mixed_direction_fragments_read_in_their_own_order(
    app, rtl_site, browser, live_server, language, tmp_path
):
    context = browser.new_context(locale="fa-IR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    choose_language(page, live_server.url, language)
    rtl = language == "fa"

    def visit(path, name):
        page.goto(live_server.url + path)
        page.screenshot(path=str(tmp_path / f"{language}-{name}.png"), full_page=True)

    # (.ics): the extension reads ".ics", inside parentheses in the page's direction.
    visit("/calendar/", "calendar")
    link = positions(page, ".subnav a[type='text/calendar']")
    assert reads_left_to_right(link, ".ics")
    assert (x_of(link, "(") > x_of(link, ")")) == rtl

    # The time zone: the parenthesis opens on the page's start side and holds the zone whole.
    visit(f"/t/{rtl_site['action']}", "action")
    zone = positions(page, ".action-when .zone")
    assert reads_left_to_right(zone, "Europe/Paris,UTC+01:00")
    opening, closing = x_of(zone, "("), x_of(zone, ")")
    assert (opening > closing) == rtl
    inside = [x for c, x in zone if c not in "()"]
    assert min(opening, closing) < min(inside) and max(inside) < max(opening, closing)

    # A place: "Hamburg, Germany" in either page.
    visit("/associations/", "associations")
    place = positions(page, ".association-card:has(a[href$='hamburg-solidarity']) .meta")
    assert reads_left_to_right(place, "Hamburg,Germany")

    # @sara in a Persian snippet keeps its @ before the name.
    visit("/search?q=سکولاریسم", "search")
    snippet = positions(page, ".snippet")
    assert reads_left_to_right(snippet, "@sara")

    # The help's examples keep the order they are typed in: in a Persian page the first word
    # is on the right.
    examples = {
        page.locator("table.examples code").nth(i).inner_text(): i
        for i in range(page.locator("table.examples code").count())
    }
    if rtl:
        row = examples["area:agenda ۸ مارس"]
        words = page.locator("table.examples code").nth(row).locator("bdi")
        xs = [words.nth(i).bounding_box()["x"] for i in range(words.count())]
        assert xs == sorted(xs, reverse=True)
        row = examples["@sara لائیسیته"]
        sara = page.locator("table.examples code").nth(row).locator("bdi").first
        assert sara.inner_text() == "@sara"
        assert reads_left_to_right(positions(page, "table.examples tr:nth-child(7) code"), "@sara")
    else:
        assert "area:agenda 8 March" in examples

    # A French post in a Persian thread starts at its own start, the card's left edge.
    visit("/t/1", "thread")
    for post in page.locator("article.post").all():
        body = post.locator(".post-body").first
        language_of_post = post.get_attribute("lang")
        direction = body.evaluate("el => getComputedStyle(el).direction")
        assert direction == ("rtl" if language_of_post == "fa" else "ltr")
        card = post.bounding_box()
        box = body.bounding_box()
        if direction == "ltr":
            assert box["x"] - card["x"] < 30, (language_of_post, box, card)
        else:
            assert (card["x"] + card["width"]) - (box["x"] + box["width"]) < 30
    context.close()


def test_numbers_in_persian_messages_are_in_persian_digits(app, browser, live_server):
    context = browser.new_context(locale="fa-IR")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/register")
    page.fill("#username", "newcomer")
    page.fill("#password", "short")
    page.click("main form button[type=submit]")
    error = page.locator("#password-error-1").inner_text()
    assert "۱۲" in error
    assert not any(char in "0123456789" for char in error)
    context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_other_calendar_shows_when_a_date_is_tapped_or_focused(
    app, demo_site, browser, live_server, language
):
    context = browser.new_context(
        locale="fa-IR", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    choose_language(page, live_server.url, language)
    page.goto(live_server.url + "/t/1")
    date = page.locator("article.post time").first
    other = date.get_attribute("data-other")
    assert other and other != date.inner_text()
    after = "el => getComputedStyle(el, '::after').content"
    assert date.evaluate(after) in ("none", "normal")
    date.tap()
    assert other in date.evaluate(after)
    page.keyboard.press("Tab")
    assert date.evaluate(after) in ("none", "normal")
    page.keyboard.press("Shift+Tab")
    assert other in date.evaluate(after)
    context.close()
