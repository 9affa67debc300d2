"""The last guard on user HTML: an allowlist sanitizer (the only module that imports bleach)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from html import unescape
from types import MappingProxyType
from urllib.parse import urlsplit

from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner

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
# (nofollow), no window.opener (noopener), and mark themselves user-generated (ugc).
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


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach attribute filter: the name must be allowlisted and its value well-formed."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "dir":
        return value in _DIR_VALUES
    if name == "class":
        return value in _CLASS_VALUES.get(tag, ())
    if name == "start":
        return _OL_START.fullmatch(value) is not None
    if name == "href":
        # Bleach hands over attribute values with their character references still
        # encoded; the browser decodes them, so "/&#9;/evil.example" is "//evil.example".
        return is_safe_href(unescape(value))
    # "rel" is overwritten by _LinkRelFilter; "title" is plain text that bleach escapes.
    return True


class _LinkRelFilter(Filter):
    """Give every <a> the same rel, replacing whatever the input carried."""

    def __iter__(self) -> Iterator[dict]:
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EmptyTag"} and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


# A Cleaner keeps one html5lib parser and serializer whose state lives through a clean()
# call, so two threads (the threaded dev server, a re-render command) must not share one.
_local = threading.local()


def _cleaner() -> Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_LinkRelFilter],
        )
    return cleaner


def clean_html(html: str) -> str:
    """Return html reduced to the allowlisted tags, attributes and link targets."""
    return _cleaner().clean(html)
