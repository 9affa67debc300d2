"""Markdown to safe HTML, rendered once when a post is saved, and plain-text excerpts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from tribune.text.sanitize import clean_html, is_safe_href

ELLIPSIS = "…"

# Opening tokens of the blocks that get dir="auto": each paragraph, heading, list item and
# table cell then takes its direction from its own first strong character, so a Latin
# paragraph inside a Persian post (and the reverse) reads correctly. A quote is given its
# direction outright (_quote_direction): dir="auto" skips descendants that carry a dir of
# their own, and a quote's text is all in such paragraphs, so it would always read as
# left to right, its bar on the wrong side in a Persian post.
_DIR_AUTO_TOKENS = frozenset({
    "paragraph_open", "heading_open", "list_item_open", "th_open", "td_open",
})  # fmt: skip

_REMOTE_SCHEMES = frozenset({"http", "https"})


def _inline_text(tokens: Sequence[Token] | None) -> str:
    """Plain text of inline tokens: markup dropped, breaks turned into spaces."""
    out: list[str] = []
    for token in tokens or ():
        if token.type in {"text", "code_inline"}:
            out.append(token.content)
        elif token.type == "image":
            out.append(_inline_text(token.children))
        elif token.type in {"softbreak", "hardbreak"}:
            out.append(" ")
    return "".join(out)


def _is_remote(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _REMOTE_SCHEMES and is_safe_href(url)


def _image_replacement(image: Token, inside_link: bool) -> list[Token]:
    """Tokens that stand for an image: a link to it, or just its alt text."""
    alt = _inline_text(image.children)
    src = str(image.attrs.get("src", ""))
    # A link inside a link is invalid HTML (the parser would split the outer one), and an
    # image without an http(s) URL has nothing a reader could follow: keep only the words.
    if inside_link or not _is_remote(src):
        return [Token("text", "", 0, content=alt)] if alt else []
    attrs: dict[str, str | int | float] = {"href": src, "class": "external-image"}
    if "title" in image.attrs:
        attrs["title"] = image.attrs["title"]
    # rel is set on every link by the sanitizer; it is repeated here so the link is
    # complete even before that step.
    attrs["rel"] = "nofollow noopener ugc"
    return [
        Token("link_open", "a", 1, attrs=attrs, markup="!"),
        Token("text", "", 0, content=alt or src),
        Token("link_close", "a", -1, markup="!"),
    ]


def _with_link_state(children: Sequence[Token]):
    """(token, inside a link) for each inline token."""
    depth = 0
    for token in children:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        yield token, depth > 0


def _replace_images(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token, inside_link in _with_link_state(children):
        if token.type == "image":
            out.extend(_image_replacement(token, inside_link=inside_link))
        else:
            out.append(token)
    return out


# "@sara" names a participant (usernames: accounts.USERNAME_RE); not inside a word or an
# address ("x@sara.org"). A trailing "." or "-" ends the sentence, not the name.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{1,29})")
MENTION_HREF = "/u/{}"


def _mention_candidates(text: str):
    """(start, end, name) of each "@name" in plain text, trailing dots and hyphens left out."""
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".-")
        if len(name) >= 3:
            yield match.start(), match.start() + 1 + len(name), name


def _link_mentions(children: list[Token], known: Mapping[str, str]) -> list[Token]:
    """Text tokens outside links with "@name" of a known participant become profile links."""
    out: list[Token] = []
    for token, inside_link in _with_link_state(children):
        if token.type != "text" or inside_link or "@" not in token.content:
            out.append(token)
            continue
        text, last = token.content, 0
        for start, end, name in _mention_candidates(text):
            username = known.get(name.casefold())
            if username is None:
                continue
            if start > last:
                out.append(Token("text", "", 0, content=text[last:start]))
            attrs: dict[str, str | int | float] = {
                "href": MENTION_HREF.format(username), "class": "mention", "dir": "ltr"
            }
            out.append(Token("link_open", "a", 1, attrs=attrs))
            out.append(Token("text", "", 0, content="@" + username))
            out.append(Token("link_close", "a", -1))
            last = end
        if last < len(text):
            out.append(Token("text", "", 0, content=text[last:]))
    return out


# A numbered list written with Persian (۱.) or Arabic-Indic (١.) digits: CommonMark knows only
# ASCII digits in list markers, so «۱. ...» was one paragraph (issue 17). Before the block
# parser runs, the digits of such markers become ASCII ones, one character for one so that
# every offset stays; the list's own numbers are drawn by the style sheet in the post's
# script. Lines inside fenced code keep their digits.
_NATIVE_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(_NATIVE_DIGITS, "0123456789" * 2)
_NATIVE_MARKER = re.compile(rf"^((?:[ \t]*>)*[ \t]*)([{_NATIVE_DIGITS}]{{1,9}})([.)])(?=[ \t]|$)")
_FENCE = re.compile(r"^(?:[ \t]*>)*[ ]{0,3}(`{3,}|~{3,})")


def _native_list_markers(source: str) -> str:
    """`source` with the Persian or Arabic-Indic digits of list markers written in ASCII."""
    if not any(digit in source for digit in _NATIVE_DIGITS):
        return source
    lines, fence = source.split("\n"), None
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening[1]
            continue
        marker = _NATIVE_MARKER.match(line)
        if marker:
            lines[number] = (
                marker[1] + marker[2].translate(_TO_ASCII) + marker[3] + line[marker.end() :]
            )
    return "\n".join(lines)


def _native_lists(state: StateCore) -> None:
    """Core rule, before the block parser: native digits in list markers read as numbers."""
    state.src = _native_list_markers(state.src)


def _quote_direction(tokens: Sequence[Token], start: int) -> str | None:
    """"rtl" or "ltr": the direction of the first strong character of the quote that opens at
    `start` (the rule of dir="auto", applied to its text); None when it has none."""
    depth = 0
    for token in tokens[start:]:
        depth += token.nesting if token.type.startswith("blockquote") else 0
        if token.type == "inline":
            for char in _inline_text(token.children):
                kind = unicodedata.bidirectional(char)
                if kind in {"R", "AL"}:
                    return "rtl"
                if kind == "L":
                    return "ltr"
        if depth == 0:
            return None
    return None


def _tribune_blocks(state: StateCore) -> None:
    """Core rule: dir="auto" on blocks, no inline styles, images turned into links, mentions
    of known participants (`env["mentions"]`: {casefolded name: username}) turned into links."""
    known = state.env.get("mentions") if isinstance(state.env, dict) else None
    for index, token in enumerate(state.tokens):
        if token.type == "blockquote_open":
            direction = _quote_direction(state.tokens, index)
            if direction:
                token.attrSet("dir", direction)
        elif token.type in _DIR_AUTO_TOKENS:
            token.attrSet("dir", "auto")
            # Table alignment arrives as style="text-align:…"; no style attribute is
            # allowed anywhere (CSP forbids inline styles), so drop it here.
            token.attrs.pop("style", None)
        elif token.type == "inline" and token.children:
            token.children = _replace_images(token.children)
            if known:
                token.children = _link_mentions(token.children, known)


def _render_code(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    """Render fenced and indented code alike: <pre dir="auto"><code>…</code></pre>."""
    # The fence's language class is dropped: nothing highlights code yet, and the
    # sanitizer allows no class on <code>.
    return '<pre dir="auto"><code>' + escapeHtml(tokens[idx].content) + "</code></pre>\n"


# "js-default" escapes raw HTML and refuses javascript:/vbscript:/data: (non-image) links;
# it also enables tables and strikethrough. Built once: construction compiles the rules.
_MD = MarkdownIt("js-default").enable(["table", "strikethrough"])
_MD.core.ruler.before("block", "native_lists", _native_lists)
_MD.core.ruler.push("tribune_blocks", _tribune_blocks)
_MD.add_render_rule("fence", _render_code)
_MD.add_render_rule("code_block", _render_code)


def render(source: str, mentions: Mapping[str, str] | None = None) -> str:
    """Render post Markdown to sanitized HTML, safe to store and show as is.

    `mentions` ({casefolded name: username}, from mentioned_names) links "@name" to profiles.
    """
    # The sanitizer runs last on purpose: it is the guard should the Markdown step or its
    # configuration ever let something through.
    return clean_html(_MD.render(source, {"mentions": dict(mentions or {})}))


def mentioned_names(source: str) -> set[str]:
    """The casefolded names written as "@name" in the text (not in code, links or addresses)."""
    if "@" not in source:
        return set()
    names: set[str] = set()
    for token in _MD.parse(source):
        if token.type != "inline" or not token.children:
            continue
        for child, inside_link in _with_link_state(token.children):
            if child.type == "text" and not inside_link and "@" in child.content:
                names.update(name.casefold() for *_, name in _mention_candidates(child.content))
    return names


# What can start Markdown syntax (and NUL, which the parser replaces): outside these, and
# without a line that begins like an ordered list item ("1." / "1)"; the parser ends lines at
# \r too), Markdown keeps the text as it is, and the plain text is just its words. Most posts
# are such prose, and parsing them was a tenth of a rebuild's time.
# tests/fulltext/test_fast_paths.py checks that both ways agree.
_MAY_BE_MARKUP = re.compile(r"[\\`*_\[\]<>&#|~=+\-\x00]|(?:^|[\r\n])[ \t]*\d{1,9}[.)]")


def _plain_text(source: str) -> str:
    if not _MAY_BE_MARKUP.search(source):
        return " ".join(source.split())
    return _parsed_plain_text(source)


def _parsed_plain_text(source: str) -> str:
    parts: list[str] = []
    for token in _MD.parse(source):
        if token.type == "inline":
            parts.append(_inline_text(token.children))
        elif token.type in {"fence", "code_block"}:
            parts.append(token.content)
    return " ".join(" ".join(parts).split())


def plain_excerpt(source: str, limit: int = 280) -> str:
    """Plain text of the Markdown, whitespace collapsed, cut at a word with "…" past limit."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = _plain_text(source)
    if len(text) <= limit:
        return text
    # Keep the result within limit, ellipsis included.
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + ELLIPSIS
