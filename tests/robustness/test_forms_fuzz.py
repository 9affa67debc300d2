"""Property test: no input to any form the site shows makes a 500.

Forms are discovered by crawling the site as a participant (who owns content, so edit forms
appear too) and as a reader; hypothesis then fills every field with hostile text.
"""

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness.test_crawl import crawl
from tests.support import login
from tribune import demo
from tribune.services import posting

FIELD_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=50),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u200c",
            "ي ك ة",
            "0",
            "-1",
            "99999999999999999999",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%s%n",
            "../../etc/passwd",
            "a" * 5000,
            "۱۲۳",
            "fa",
            "en",
            "xx",
            "true",
        ]
    ),
)


class FormCollector(HTMLParser):
    """Collects POST forms: action and the names of their fields."""

    def __init__(self, page_path):
        super().__init__()
        self.page_path = page_path
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._current = {"action": attrs.get("action") or self.page_path, "fields": set()}
        elif (
            self._current is not None
            and tag in ("input", "textarea", "select", "button")
            and attrs.get("name") not in (None, "", "csrf_token")
        ):
            self._current["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append((self._current["action"], tuple(sorted(self._current["fields"]))))
            self._current = None


def discover_forms(client):
    forms = set()
    for path, status in crawl(client).items():
        if status != 200:
            continue
        response = client.get(path)
        if not response.content_type.startswith("text/html"):
            continue
        collector = FormCollector(path)
        collector.feed(response.get_data(as_text=True))
        forms.update(collector.forms)
    return sorted(forms)


def test_no_form_input_makes_a_500(app, make_user, make_section):
    demo.load()
    owner = make_user("owner")
    posting.open_thread(owner, make_section("fuzz"), "رشته‌ی آزمون", "متن", "fa")
    participant = app.test_client()
    login(participant, "owner")
    forms = discover_forms(participant)
    forms += discover_forms(app.test_client())
    actions = {action for action, _ in forms}
    assert any("/reply" in a for a in actions) and any("/new" in a for a in actions), actions

    @settings(
        max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(data=st.data())
    def fuzz(data):
        for action, fields in forms:
            values = {name: data.draw(FIELD_TEXT, label=f"{action}:{name}") for name in fields}
            client = participant if data.draw(st.booleans()) else app.test_client()
            response = client.post(action, data=values)
            assert response.status_code < 500, (action, values)

    fuzz()
