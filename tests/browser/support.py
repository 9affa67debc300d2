"""Helpers of the browser tests: choosing the interface language and logging in as a person does."""

from tests.support import PASSWORD


def choose_language(page, base, code):
    page.goto(f"{base}/locale?locale={code}")
    page.click(f'main button[value="{code}"]')
    page.wait_for_load_state("load")


def log_in(page, base, username):
    page.goto(base + "/accounts/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator(".user-nav").get_by_text(username).count() == 1, page.url
