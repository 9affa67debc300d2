"""The XSS corpus through `archive import`: the same sanitizer guards imported posts as posts
written live (issue 14 replaced bleach with nh3; docs/decisions/0205). The browser suite
(tests/browser/test_browser_xss.py) shows the live pages to Chromium."""

import json
import re
from html.parser import HTMLParser

from sqlalchemy import select

from tests.xss.payloads import corpus
from tribune.extensions import db
from tribune.models import Post, Translation
from tribune.services import archive
from tribune.text import markup, sanitize


class Violations(HTMLParser):
    """Every tag or attribute outside the allowlist, and every link a browser would follow
    somewhere else than the web, mail or this site."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag not in sanitize.ALLOWED_TAGS:
            self.found.append(f"<{tag}>")
            return
        allowed = sanitize.ALLOWED_ATTRIBUTES.get(tag, frozenset()) | (
            {"rel"} if tag == "a" else set()
        )
        for name, value in attrs:
            if name not in allowed:
                self.found.append(f"<{tag} {name}>")
            elif name == "href" and not _browser_would_stay_safe(value or ""):
                self.found.append(f"<{tag} href={value!r}>")
            elif name == "rel" and value != sanitize.LINK_REL:
                self.found.append(f"<{tag} rel={value!r}>")

    handle_startendtag = handle_starttag


def _browser_would_stay_safe(href):
    # As the WHATWG URL parser reads it: C0 controls and spaces stripped at the ends, tabs and
    # newlines dropped anywhere, "\" read as "/".
    url = href.strip("".join(map(chr, range(0x21)))).translate({9: None, 10: None, 13: None})
    url = url.replace("\\", "/")
    if url.startswith("//"):
        return False
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme[1].lower() in {"http", "https", "mailto"}


def violations(html):
    checker = Violations()
    checker.feed(html)
    checker.close()
    return checker.found


def test_every_payload_imported_is_stored_allowlisted_as_when_written_live(app, tmp_path):
    # The archive refuses what the form refuses (blank or one-character bodies).
    payloads = [p for p in corpus() if len(p.strip()) >= 2]
    lines = []
    for start in range(0, len(payloads), 100):
        chunk = payloads[start : start + 100]
        lines.append({
            "area": "tribune", "section": "alternatives", "section_title": "بدیل‌ها",
            "title": f"بارها {start}",
            "posts": [
                {"author": f"user{n % 7}", "created_at": "2010-03-28T14:30:00Z", "body": body,
                 "translations": [{"language": "de", "body": body, "translator": "jonas"}]}
                for n, body in enumerate(chunk)
            ],
        })  # fmt: skip
    path = tmp_path / "payloads.jsonl"
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    report = archive.import_file(str(path))
    assert report.posts == len(payloads) >= 1000

    posts = db.session.execute(select(Post.body_source, Post.body_html)).all()
    translations = db.session.scalars(select(Translation.body_html)).all()
    assert len(posts) == len(translations) == len(payloads)
    bad = {source: found for source, html in posts if (found := violations(html))}
    bad.update({html: found for html in translations if (found := violations(html))})
    assert bad == {}
    # The same pipeline as a post written live: what is stored is what the form would store.
    assert all(html == markup.render(source) for source, html in posts)


def test_the_sanitizer_alone_keeps_no_script_from_raw_payloads():
    """Behind markup.render raw HTML is already text; the sanitizer is the last guard even if
    that step failed, so it is fed the payloads as HTML here."""
    bad = {
        payload: found
        for payload in corpus()
        if (found := violations(sanitize.clean_html(payload)))
    }
    assert bad == {}
