"""The last guard on user HTML: an allowlist sanitizer (the only module that imports nh3).

nh3 (Python bindings to ammonia, an html5ever-based sanitizer in Rust) replaced bleach, whose
maintainers made 6.4 its last release and which was half of an import's CPU (issue 14,
docs/decisions/0205). The allowlists and the checks on attribute values are this module's own
and did not change with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

import nh3

# Exactly what markup.render produces. No img (no page may load another origin's image),
# no span/div, no style anywhere: if a tag is not here, its markup is stripped and its
# text kept.
ALLOWED_TAGS: frozenset[str] = frozenset({
    "p", "br", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td",
    "sup", "sub",
})  # fmt: skip

# Block elements that may carry `dir`, so Persian and Latin paragraphs each run their way.
_DIR_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "ul", "ol", "li", "table", "th", "td",
})  # fmt: skip

# Read-only so no caller can widen the allowlist at run time.
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType({
    **{tag: frozenset({"dir"}) for tag in _DIR_TAGS},
    # dir: an @mention (Latin username) keeps its "@" in front inside Persian text.
    "a": frozenset({"href", "title", "rel", "class", "dir"}),
    "ol": frozenset({"dir", "start"}),
    "blockquote": frozenset({"dir", "class"}),
})  # fmt: skip

ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})

# The rel every link ends up with, whatever the source said: posts must pass no ranking
# (nofollow), no window.opener (noopener), and mark themselves user-generated (ugc). nh3
# writes it on every <a> and drops any rel the input had.
LINK_REL = "nofollow noopener ugc"

_DIR_VALUES = frozenset({"auto", "rtl", "ltr"})
_CLASS_VALUES = {
    "a": frozenset({"external-image", "mention"}),
    "blockquote": frozenset({"quote"}),
}
# Markdown numbers lists with at most nine digits; anything else is not ours.
_OL_START = re.compile(r"[0-9]{1,9}")
# Browsers drop tabs and newlines inside URLs, strip leading C0 controls and spaces, and
# read "\" as "/": so "/\evil.example" or "/<TAB>/evil.example" would be protocol-relative.
# Markdown percent-encodes all of these, so an href holding one was not written by us.
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def is_safe_href(value: str) -> bool:
    """Whether a (decoded) URL may be a link: http(s)/mailto, a same-site path, a fragment."""
    if not value or _URL_UNSAFE.search(value):
        return False
    if value.startswith("#"):
        return True
    if value.startswith("/"):
        # "//host" would leave the site while looking like a path.
        return not value.startswith("//")
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_PROTOCOLS:
        return False
    # "http:foo" without a host resolves against the current page: not an absolute link.
    return scheme == "mailto" or bool(parts.netloc)


def _checked_value(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: the value to keep, or None to drop the attribute. nh3 has
    applied the name allowlist; values arrive with character references decoded, as a
    browser reads them ("/&#9;/evil.example" is "/<TAB>/evil.example" here)."""
    if name == "dir":
        return value if value in _DIR_VALUES else None
    if name == "class":
        return value if value in _CLASS_VALUES.get(tag, ()) else None
    if name == "start":
        return value if _OL_START.fullmatch(value) is not None else None
    if name == "href":
        return value if is_safe_href(value) else None
    # "title" is plain text that nh3 escapes; "rel" is not allowed in, nh3 writes LINK_REL.
    return value


# One configured cleaner for the process: it holds no state between calls (safe in threads).
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Contents of these are dropped with them; no Markdown we render produces either.
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) - {"rel"} for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_checked_value,
    strip_comments=True,
    link_rel=LINK_REL,
    # Schemes are checked by is_safe_href (which also refuses "//host" and "http:path");
    # nh3's own check, on the same list, stays as a second guard.
    url_schemes=set(ALLOWED_PROTOCOLS),
)


def clean_html(html: str) -> str:
    """Return html reduced to the allowlisted tags, attributes and link targets."""
    return _CLEANER.clean(html)
