"""Comforts in Chromium (issue 17): "Copy link" copies a post's permanent link and says so to
screen readers, or is a plain link without script; keyboard shortcuts move between posts, reach
the search and the help, answer, and never fire while typing."""

import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD
from tribune.services import posting


@pytest.fixture
def thread(make_user, make_thread):
    sara, kaveh = make_user("sara"), make_user("kaveh")
    opened = make_thread(author=sara, title="جمهوری لائیک", body="متن نخست")
    for n in range(3):
        posting.reply(kaveh, opened, f"پاسخ {n}")
    return opened


def post_ids(page):
    return page.eval_on_selector_all("article.post[id]", "items => items.map(i => i.id)")


def current_post(page):
    return page.evaluate("(document.querySelector('article.post.current-post') || {}).id || null")


def test_copy_link_copies_the_permanent_link_and_announces_it(browser, live_server, thread):
    context = browser.new_context(locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/t/{thread.id}")
        second = post_ids(page)[1]
        link = page.locator(f"#{second} a[data-copy-link]")
        link.click()
        # (wait_for_function would evaluate a string, which the page's CSP forbids)
        expect(page.locator("#announcer")).to_have_text(re.compile(r"\S"))
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{live_server.url}/p/{second[1:]}"
        announcer = page.locator("#announcer")
        assert announcer.get_attribute("role") == "status"
        assert announcer.get_attribute("aria-live") == "polite"
        assert announcer.text_content() == announcer.get_attribute("data-copied")
        assert page.url.endswith(f"/t/{thread.id}")  # the page stayed where it was
    finally:
        context.close()


def test_without_script_copy_link_is_the_permanent_link(browser, live_server, thread):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/t/{thread.id}")
        last = post_ids(page)[-1]
        page.locator(f"#{last} a[data-copy-link]").click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"#{last}")
    finally:
        context.close()


def test_j_and_k_move_between_posts_and_r_answers_the_one_reached(
    browser, live_server, thread, make_user
):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login")
        page.fill("#username", "kaveh")
        page.fill("#password", PASSWORD)
        page.locator(
            "form.stack-form button[type=submit], form.stack-form input[type=submit]"
        ).first.click()
        page.goto(f"{live_server.url}/t/{thread.id}")
        ids = post_ids(page)
        page.keyboard.press("j")
        assert current_post(page) == ids[0]
        page.keyboard.press("j")
        page.keyboard.press("j")
        assert current_post(page) == ids[2]
        page.keyboard.press("k")
        assert current_post(page) == ids[1]
        # Typing in a field never moves: the letters go into the text.
        page.keyboard.press("r")
        body = page.locator(".reply-box textarea[name='body']")
        assert page.evaluate("document.activeElement.name") == "body"
        page.keyboard.type("jkr/?")
        assert body.input_value().endswith("jkr/?")
        assert current_post(page) == ids[1]
        assert page.locator(".reply-box input[name='reply_to']").input_value() == ids[1][1:]
        # Esc leaves the field; then "/" goes to the search field.
        page.keyboard.press("Escape")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "header-q"
        page.keyboard.type("j")
        assert page.locator("#header-q").input_value() == "j"
    finally:
        context.close()


def test_question_mark_opens_the_help_in_the_readers_language(page, live_server, thread):
    page.goto(f"{live_server.url}/t/{thread.id}")
    page.keyboard.press("Shift+Slash")
    page.wait_for_url("**/help#shortcuts")
    assert page.locator("#shortcuts-heading").text_content() == "میان‌برهای صفحه‌کلید"
    assert page.watch.console_errors == []


def test_a_persian_keyboard_layout_moves_too(page, live_server, thread):
    page.goto(f"{live_server.url}/t/{thread.id}")
    # On a Persian layout the J key types «ت»: the key's place counts, not its letter.
    page.dispatch_event("body", "keydown", {"key": "ت", "code": "KeyJ"})
    assert current_post(page) == post_ids(page)[0]
