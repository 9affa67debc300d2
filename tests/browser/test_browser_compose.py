"""Writing without losing, in Chromium: the counter, the preview and the draft kept in the
browser (static/js/compose.js), under the site's strict CSP."""

from tests.support import PASSWORD

TYPED_LENGTH = "document.querySelector(\"textarea[name='body']\").value.length"


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.click("form button[type='submit'], form input[type='submit']")
    page.wait_for_load_state("load")


def test_counter_warns_past_the_limit_and_nothing_is_cut(page, live_server, make_thread,
                                                         make_user):
    thread = make_thread()
    make_user("kaveh")
    log_in(page, live_server, "kaveh")
    page.goto(live_server.url + f"/t/{thread.id}")
    area = page.locator("textarea[name='body']")
    counter = page.locator(".char-counter")
    area.fill("سلام")
    assert "۴" in counter.text_content()  # Persian digits on a Persian page
    # A paste of 100,050 characters (set at once: typing them would take minutes).
    area.evaluate(
        "(el) => { el.value = 'ب'.repeat(100050); el.dispatchEvent(new Event('input')); }"
    )
    assert counter.get_attribute("class") == "char-counter over-limit"
    assert "۵۰" in counter.text_content()
    # The browser kept every character (no maxlength), and so does the server's answer.
    assert page.evaluate(TYPED_LENGTH) == 100_050
    page.click(".reply-box button[type='submit']")
    page.wait_for_load_state("load")
    assert page.locator(".reply-box .error").count() >= 1
    assert page.evaluate(TYPED_LENGTH) == 100_050
    # The refused reply is answered 400 (logged by Chromium); nothing else went wrong.
    assert [e for e in page.watch.console_errors if "400" not in e] == []


def test_preview_is_rendered_by_the_server(page, live_server, make_thread, make_user):
    thread = make_thread()
    make_user("kaveh")
    log_in(page, live_server, "kaveh")
    page.goto(live_server.url + f"/t/{thread.id}")
    page.fill("textarea[name='body']", "**پررنگ** و @sara <img src=x onerror=alert(1)>")
    page.click(".preview-button")
    page.wait_for_selector(".preview-content strong")
    assert page.locator(".preview-content strong").text_content() == "پررنگ"
    assert page.locator(".preview-content a.mention").get_attribute("href") == "/u/sara"
    assert page.locator(".preview-content img").count() == 0
    assert page.watch.dialogs == [] and page.watch.console_errors == []


def test_a_draft_survives_closing_the_tab_and_is_cleared_when_sent(
    page, live_server, make_thread, make_user
):
    thread = make_thread()
    make_user("kaveh")
    log_in(page, live_server, "kaveh")
    url = live_server.url + f"/t/{thread.id}"
    page.goto(url)
    text = "پاسخی بلند که نباید با یک کلیک اشتباه گم شود."
    page.type("textarea[name='body']", text)
    page.wait_for_timeout(700)  # the draft is saved a moment after typing stops
    # The tab is closed by mistake; another one opens the thread again.
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(url)
    offer = again.locator(".draft-offer")
    offer.wait_for()
    assert again.locator("textarea[name='body']").input_value() == ""
    offer.locator("button.button").click()
    assert again.locator("textarea[name='body']").input_value() == text
    again.click(".reply-box button[type='submit']")
    again.wait_for_load_state("load")
    assert text in again.locator(".posts").text_content()
    drafts = again.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('tribune-draft:')).length"
    )
    assert drafts == 0
    again.goto(url)
    assert again.locator(".draft-offer").count() == 0
