"""The help page documents the keyboard shortcuts in every interface language (issue 17), and
every post carries its permanent link as "Copy link"."""

import pytest

from tribune.i18n import LOCALE_NAMES

SHORTCUTS_HEADING = {
    "fa": "میان‌برهای صفحه‌کلید",
    "en": "Keyboard shortcuts",
    "de": "Tastenkürzel",
    "fr": "Raccourcis clavier",
}


@pytest.mark.parametrize("locale", sorted(LOCALE_NAMES))
def test_the_help_page_lists_the_shortcuts_in_each_language(client, locale):
    client.post("/locale", data={"locale": locale})
    html = client.get("/help").get_data(as_text=True)
    assert f'<html lang="{locale}"' in html
    assert SHORTCUTS_HEADING[locale] in html
    for key in ("j", "k", "r", "c", "/", "?", "Esc"):
        assert f'<kbd dir="ltr">{key}</kbd>' in html
    # Every page leads to it: the footer link, and <link rel="help"> for the "?" key.
    assert 'rel="help" href="/help"' in html and 'href="/help#shortcuts"' in html


def test_every_post_has_a_copy_link_to_its_permanent_address(client, make_thread, make_user):
    from tribune.services import posting

    thread = make_thread()
    reply = posting.reply(make_user("kaveh"), thread, "پاسخ")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.count("data-copy-link") == 2
    assert f'<a class="copy-link" href="/p/{reply.id}" data-copy-link>' in html
    assert 'id="announcer"' in html and 'aria-live="polite"' in html


def test_print_links_are_full_addresses_from_the_public_url(app, client, make_thread):
    thread = make_thread()
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'<span dir="ltr">http://localhost/t/{thread.id}</span>' in html
    app.config["PUBLIC_URL"] = "https://forum.example.org/"
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'<span dir="ltr">https://forum.example.org/t/{thread.id}</span>' in html
    assert 'class="print-only print-link" dir="ltr">https://forum.example.org/p/' in html


def test_a_mirror_without_a_public_address_prints_no_permanent_links(app, make_thread, tmp_path):
    from tribune.services import mirror

    make_thread()
    app.config["PUBLIC_URL"] = ""
    mirror.build(str(tmp_path / "copy"))
    page = next((tmp_path / "copy" / "t").glob("*/index.html")).read_text(encoding="utf-8")
    assert "print-link" not in page and "http://localhost" not in page
