"""Forms a screen reader can follow (issue 17): no Python None in attributes, errors announced
and tied to their field, landmarks with names of their own."""

import re

from tests.support import login

FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def attributes(tag):
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def field_tag(html, field_id):
    for tag in FIELD.findall(html):
        if attributes(tag).get("id") == field_id:
            return attributes(tag)
    raise AssertionError(f"no field #{field_id}")


def test_pages_with_forms_write_no_none_into_attributes(client, make_user, make_thread):
    make_user("kaveh")
    thread = make_thread()
    pages = ["/accounts/register", "/accounts/login", "/search", "/search?q=%22open"]
    for path in pages:
        assert '="None"' not in client.get(path).get_data(as_text=True), path
    login(client, "kaveh")
    for path in [
        "/accounts/settings",
        f"/t/{thread.id}",
        "/papers/new",
        "/calendar/new",
        "/tribune/alternatives/new",
    ]:
        html = client.get(path).get_data(as_text=True)
        assert '="None"' not in html, path
        assert "aria-invalid" not in html, path


def test_a_field_with_an_error_is_invalid_and_described_by_its_error(client, make_user):
    html = client.post("/accounts/register", data={"username": "x", "password": "p"}).get_data(
        as_text=True
    )
    username = field_tag(html, "username")
    assert username["aria-invalid"] == "true"
    described = username["aria-describedby"].split()
    assert "username-help" in described
    errors = [name for name in described if name.startswith("username-error-")]
    assert errors
    for error_id in errors:
        assert re.search(rf'<p class="error" id="{error_id}" role="alert">[^<]+</p>', html)
    # A field without an error says nothing of errors.
    display_name = field_tag(html, "display_name")
    assert "aria-invalid" not in display_name
    assert display_name["aria-describedby"] == "display_name-help"


def test_a_search_error_is_tied_to_the_search_box(client):
    html = client.get("/search?q=%22open").get_data(as_text=True)
    box = field_tag(html, "q")
    assert box["aria-invalid"] == "true"
    assert box["aria-describedby"].split() == ["search-error", "search-help-link"]
    assert 'id="search-error"' in html
    box = field_tag(client.get("/search?q=word").get_data(as_text=True), "q")
    assert "aria-invalid" not in box


def test_search_landmarks_on_a_page_have_different_names(client, make_thread):
    thread = make_thread()
    for path in (f"/t/{thread.id}", "/", "/search"):
        html = client.get(path).get_data(as_text=True)
        names = [
            attributes(tag).get("aria-label")
            for tag in re.findall(r'<form\b[^>]*role="search"[^>]*>', html)
        ]
        assert all(names), (path, names)
        assert len(names) == len(set(names)), (path, names)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.count('role="search"') == 2
