"""A coalition installs Tribune without the demo and makes it theirs from the browser (issue 19).

Fresh schema by migrations, the first administrator by the documented command, then only the
browser: the site is named, its rules written, a section made in each space, registration
switched to invitation; a member's link lets a newcomer in, who posts; the public log shows the
structural acts.
"""

import re

from flask_migrate import upgrade
from sqlalchemy import text

from tribune.extensions import db

ADMIN_PASSWORD = "a long passphrase for the first admin"
NEWCOMER_PASSWORD = "another long passphrase, for the newcomer"


def _install_fresh(app):
    """What an operator does on an empty database: migrate, then make the first administrator."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "leila", "--admin", "--password", ADMIN_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "/admin/setup" in result.output


def _submit(page, form, button_text=None):
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_a_coalition_sets_up_its_own_site_and_lets_in_an_invited_member(
    app, browser, live_server
):
    _install_fresh(app)
    base = live_server.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()

    # The first administrator logs in; the home page leads to the setup.
    page.goto(base + "/accounts/login")
    page.fill("#username", "leila")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_load_state("load")
    page.click("a[href='/admin/setup']")
    assert page.url.endswith("/admin/setup")

    # Name and language.
    page.select_option("#locale", "fa")
    page.fill("#name", "همبستگی برلین")
    page.fill("#tagline", "بولتن مباحثات کانون‌ها")
    _submit(page, page.locator("form[action='/admin/setup']"))
    assert "همبستگی برلین" in page.locator(".brand").inner_text()

    # A section in each space, from the setup page's two forms (the default language, Persian,
    # is required; the page speaks it now).
    for area, slug, title in (
        ("tribune", "secularism", "لائیسیته"),
        ("agenda", "prisoners", "کارگروه زندانیان"),
    ):
        form = page.locator(f"form[action='/admin/sections/new?area={area}&next=setup']")
        form.locator(f"#new-{area}-slug").fill(slug)
        form.locator(f"#new-{area}-title_fa").fill(title)
        _submit(page, form)
        assert page.url.endswith("/admin/setup")
        assert page.locator(f"a[href='/{area}/{slug}/']").count() == 1

    # The rules, in Persian.
    page.goto(base + "/admin/site?locale=fa")
    page.fill("#rules", "۱. به یکدیگر **احترام** بگذارید.")
    page.fill("#reason", "نخستین قواعد")
    _submit(page, page.locator("form.stack-form").first)
    assert page.locator(".flash-success").count() == 1

    # Registration by invitation only.
    page.goto(base + "/admin/registration")
    page.select_option("#registration", "invitation")
    page.fill("#reason", "فقط با دعوت اعضا")
    _submit(page, page.locator("form.stack-form"))
    assert page.locator(".flash-success").count() == 1

    # The administrator, a member too, makes an invitation link.
    page.goto(base + "/accounts/invitations")
    page.fill("#note", "for Dara")
    _submit(page, page.locator("form.stack-form"))
    link = page.locator("input.invitation-link").input_value()
    assert re.search(r"/accounts/register\?invitation=\S+$", link)

    # A stranger without a link finds no form; the newcomer with it registers.
    stranger = browser.new_context(locale="fa-IR").new_page()
    stranger.goto(base + "/accounts/register")
    assert stranger.locator("#username").count() == 0
    stranger.context.close()

    newcomer_context = browser.new_context(locale="fa-IR")
    newcomer = newcomer_context.new_page()
    newcomer.goto(link)
    assert "احترام" in newcomer.locator(".rules-box").inner_text()
    newcomer.fill("#username", "dara")
    newcomer.fill("#password", NEWCOMER_PASSWORD)
    newcomer.check("#accept_rules")
    newcomer.click("form.stack-form button[type=submit]")
    newcomer.wait_for_load_state("load")
    assert newcomer.locator(".user-nav").inner_text().strip().startswith("dara")

    # ...and posts in the new section.
    newcomer.goto(base + "/tribune/secularism/")
    newcomer.click("a[href='/tribune/secularism/new']")
    newcomer.fill("#title", "جدایی دین از دولت")
    newcomer.fill("#body", "نخستین نوشته در این بخش.")
    newcomer.click("form.stack-form button[type=submit]")
    newcomer.wait_for_load_state("load")
    assert "جدایی دین از دولت" in newcomer.locator("h1").first.inner_text()

    # The link worked once.
    again = browser.new_context(locale="fa-IR").new_page()
    again.goto(link)
    assert again.locator("#username").count() == 0
    again.context.close()

    # Readers see the structural acts in the public log.
    newcomer.goto(base + "/moderation/log")
    log = newcomer.locator(".mod-log").inner_text()
    for words in ("لائیسیته", "کارگروه زندانیان", "فقط با دعوت اعضا", "نخستین قواعد"):
        assert words in log
    newcomer_context.close()
    context.close()
