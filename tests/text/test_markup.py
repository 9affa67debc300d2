"""Markdown rendering: structure survives, direction is per block, nothing unsafe gets out."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tribune.text.markup import ELLIPSIS, plain_excerpt, render
from tribune.text.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html

REL = "nofollow noopener ugc"
_SAFE_SCHEMES = {"http", "https", "mailto"}


class _AllowlistChecker(HTMLParser):
    """Parses output the way a browser tokenizes it and checks every tag and attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, tag
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), attrs
        assert set(names) <= ALLOWED_ATTRIBUTES.get(tag, frozenset()), (tag, attrs)
        assert not any(name.startswith("on") or name == "style" for name in names), attrs
        attributes = dict(attrs)
        if "href" in attributes:
            href = attributes["href"] or ""
            scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href)
            assert scheme is None or scheme[1].lower() in _SAFE_SCHEMES, href
            assert not re.match(r"[\x00-\x20]*[/\\][\t\n\r]*[/\\]", href), href
        if tag == "a":
            assert attributes.get("rel") == REL
        self.tags.append((tag, attributes))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        raise AssertionError(f"comment in output: {data!r}")

    def handle_decl(self, decl):
        raise AssertionError(f"declaration in output: {decl!r}")

    def handle_pi(self, data):
        raise AssertionError(f"processing instruction in output: {data!r}")


def assert_allowlisted(html: str) -> list[tuple[str, dict[str, str | None]]]:
    checker = _AllowlistChecker()
    checker.feed(html)
    checker.close()
    # Text may say "javascript:" or "onerror=" (escaped, it is harmless prose); inside a
    # tag none of it may appear. A "<" in text is always escaped, so "<img" is a real tag.
    lowered = html.lower()
    for needle in ("<script", "<img", "<svg", "<iframe", "<style", "<object", "<meta"):
        assert needle not in lowered, needle
    for tag in re.findall(r"<[^>]*>", lowered):
        # Quoted values may hold prose (a title); the names around them may not be handlers.
        skeleton = re.sub(r'"[^"]*"', '""', tag)
        assert '"' in tag or "=" not in tag, tag  # every value is quoted
        assert not re.search(r"\son[a-z]*\s*=|\sstyle\s*=", skeleton), tag
    for _, attributes in checker.tags:
        href = (attributes.get("href") or "").lower()
        assert not re.match(r"\s*(javascript|vbscript|data):", href), href
    return checker.tags


# --- structure -------------------------------------------------------------------------


def test_persian_paragraph_reads_in_its_own_direction():
    assert render("سلام دنیا") == '<p dir="auto">سلام دنیا</p>\n'


def test_each_paragraph_gets_its_own_direction():
    html = render("متن فارسی با «نقل قول»\n\nAn English paragraph.\n")
    assert html == (
        '<p dir="auto">متن فارسی با «نقل قول»</p>\n<p dir="auto">An English paragraph.</p>\n'
    )


def test_zwnj_and_diacritics_are_kept():
    assert "می\u200cشود کِتاب" in render("می\u200cشود کِتاب")


@pytest.mark.parametrize("level", range(1, 7))
def test_headings(level):
    assert render("#" * level + " عنوان") == f'<h{level} dir="auto">عنوان</h{level}>\n'


def test_lists_keep_their_start_and_items_their_direction():
    html = render("- یک\n- two\n\n3. سه\n4. four\n")
    assert html == (
        '<ul>\n<li dir="auto">یک</li>\n<li dir="auto">two</li>\n</ul>\n'
        '<ol start="3">\n<li dir="auto">سه</li>\n<li dir="auto">four</li>\n</ol>\n'
    )


def test_blockquote():
    assert render("> نقل\n") == '<blockquote dir="rtl">\n<p dir="auto">نقل</p>\n</blockquote>\n'


def test_a_quote_takes_the_direction_of_its_first_strong_character():
    """dir="auto" on a quote would skip its paragraphs (they carry dir of their own) and read
    left to right: the bar of a Persian quote would stand on the wrong side."""
    assert render("> «نقل» from a paper\n").startswith('<blockquote dir="rtl">')
    assert render("> 12. *Die* Republik, گفت\n").startswith('<blockquote dir="ltr">')
    assert render("> > نقل در نقل\n").startswith('<blockquote dir="rtl">\n<blockquote dir="rtl">')
    assert render(">\n").startswith("<blockquote>")


def test_table_keeps_cells_and_drops_alignment_styles():
    html = render("| نام | n |\n|:--|--:|\n| الف | 1 |\n")
    assert html == (
        "<table>\n<thead>\n<tr>\n"
        '<th dir="auto">نام</th>\n<th dir="auto">n</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td dir="auto">الف</td>\n<td dir="auto">1</td>\n'
        "</tr>\n</tbody>\n</table>\n"
    )


def test_fenced_and_indented_code_are_escaped_and_unclassed():
    assert render("```python\nif a < b: pass\n```\n") == (
        '<pre dir="auto"><code>if a &lt; b: pass\n</code></pre>\n'
    )
    assert render("    <b>x</b>\n") == '<pre dir="auto"><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n'


def test_inline_markup():
    html = render("**پررنگ** *کج* `کد` ~~خط~~ a  \nb\n\n---\n")
    assert html == (
        '<p dir="auto"><strong>پررنگ</strong> <em>کج</em> <code>کد</code> <s>خط</s> a<br>\nb</p>\n'
        "<hr>\n"
    )


def test_raw_html_is_shown_as_text():
    assert render("<b>hi</b>") == '<p dir="auto">&lt;b&gt;hi&lt;/b&gt;</p>\n'


# --- links ---------------------------------------------------------------------------------


def test_links_get_the_forum_rel():
    html = render('[ویکی](https://fa.wikipedia.org/ "title") and <https://example.com>')
    assert assert_allowlisted(html)[1:] == [
        ("a", {"href": "https://fa.wikipedia.org/", "title": "title", "rel": REL}),
        ("a", {"href": "https://example.com", "rel": REL}),
    ]


def test_non_ascii_urls_are_percent_encoded():
    html = render("[نوروز](https://fa.wikipedia.org/wiki/نوروز)")
    assert 'href="https://fa.wikipedia.org/wiki/%D9%86%D9%88%D8%B1%D9%88%D8%B2"' in html


def test_same_site_paths_and_fragments_are_links():
    tags = assert_allowlisted(render("[t](/t/12) [c](#c-3) [m](mailto:a@example.com)"))
    assert [attrs.get("href") for tag, attrs in tags if tag == "a"] == [
        "/t/12",
        "#c-3",
        "mailto:a@example.com",
    ]


@pytest.mark.parametrize("target", ["//evil.example/x", "relative/page", "ftp://example.com/"])
def test_other_targets_lose_the_href_but_keep_the_words(target):
    html = render(f"[words]({target})")
    assert html == f'<p dir="auto"><a rel="{REL}">words</a></p>\n'


# --- images become links -------------------------------------------------------------------


def test_remote_image_becomes_a_link():
    assert render("![نمودار](http://x.example/y.png)") == (
        '<p dir="auto"><a href="http://x.example/y.png" class="external-image" '
        f'rel="{REL}">نمودار</a></p>\n'
    )


def test_image_without_alt_shows_its_url_and_keeps_its_title():
    html = render('![](https://x.example/z.png "عکس")')
    assert assert_allowlisted(html)[1:] == [
        (
            "a",
            {
                "href": "https://x.example/z.png",
                "class": "external-image",
                "title": "عکس",
                "rel": REL,
            },
        )
    ]
    assert ">https://x.example/z.png</a>" in html


def test_alt_markup_is_flattened():
    assert ">a b c</a>" in render("![a *b* `c`](https://x.example/i.png)")


@pytest.mark.parametrize(
    "source",
    [
        "![alt](/local/path.png)",
        "![alt](data:image/png;base64,iVBORw0KGgo=)",
        "![alt](picture.png)",
        "![alt](//cdn.example/i.png)",
    ],
)
def test_image_without_a_web_url_becomes_its_alt_text(source):
    assert render(source) == '<p dir="auto">alt</p>\n'


def test_image_inside_a_link_becomes_text_so_links_do_not_nest():
    html = render("[![badge](https://ci.example/b.svg)](https://ci.example/)")
    assert html == f'<p dir="auto"><a href="https://ci.example/" rel="{REL}">badge</a></p>\n'


# --- hostile input -------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>',
    "<style>@import 'https://evil.example/x.css';</style>",
    "<!--<script>alert(1)</script>-->",
    "<details open ontoggle=alert(1)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x" onerror="alert(1)](https://x.example/i.png)',
    '![x](https://x.example/i.png" onerror="alert(1))',
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '[a](https://x.example/" onmouseover="alert(1))',
    "[x](//evil.example)",
    "[x](/\\evil.example)",
    "[x](/%09/evil.example)",
    "[[x](javascript:alert(1))](https://x.example)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x][r]\n\n[r]: https://x.example/ "t\\" onclick=\\"alert(1)"',
    "[<img src=x onerror=alert(1)>](https://x.example)",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '```html" onload="alert(1)\n<x>\n```',
    "| <script>alert(1)</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <iframe src=https://evil.example>",
    "\u202e<script>alert(1)</script>",
    "\x00<script>alert(1)</script>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_produce_only_allowlisted_markup(payload):
    html = render(payload)
    assert_allowlisted(html)
    # The sanitizer is a fixed point on render's output: nothing left for it to remove.
    assert clean_html(html) == html


def test_deep_nesting_is_bounded():
    assert_allowlisted(render(">" * 5000 + " x\n" + "[" * 5000 + "*" * 5000))


# Markdown-significant fragments, so generated text reaches links, images, tables and
# code far more often than uniformly random text would.
_MARKDOWN_FRAGMENTS = st.sampled_from(
    [
        "[", "]", "(", ")", "![", "](", "<", ">", "*", "_", "`", "```", "~~", "#", "-", "|",
        "\n", "\n\n", "    ", " ", "\\", "&", "&#", ";", ":", "\"", "'", "=", "1.",
        "javascript:", "JavaScript:", "data:", "vbscript:", "http://x.example", "https:",
        "//", "/", "?", "onerror", "script", "img", "a", "href", "سلام", "\u200c", "\x00",
        "\x0b", "\x1f", "\u2028", "\ufeff", "<!--", "-->", "&lt;", "&#106;",
    ]
)  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(st.one_of(st.text(), st.lists(_MARKDOWN_FRAGMENTS, max_size=80).map("".join)))
def test_render_is_total_and_allowlisted(source):
    html = render(source)
    assert isinstance(html, str)
    assert_allowlisted(html)


# --- excerpts ------------------------------------------------------------------------------


def test_excerpt_is_plain_text_with_whitespace_collapsed():
    source = "# عنوان\n\nیک **دو**   [سه](https://x.example)\n\n- چهار\n- `پنج`\n\n> <b>شش</b>\n"
    assert plain_excerpt(source) == "عنوان یک دو سه چهار پنج <b>شش</b>"


def test_excerpt_includes_code_and_image_words():
    assert plain_excerpt("![نمودار](https://x.example/i.png)\n\n```\nx = 1\n```") == (
        "نمودار x = 1"
    )


def test_short_text_is_not_cut():
    assert plain_excerpt("یک دو سه", limit=8) == "یک دو سه"


def test_long_text_is_cut_at_a_word_boundary():
    assert plain_excerpt("یک دو سه چهار", limit=9) == "یک دو سه" + ELLIPSIS
    assert plain_excerpt("یک دو سه چهار", limit=8) == "یک دو" + ELLIPSIS
    assert plain_excerpt("one two three", limit=8) == "one two" + ELLIPSIS


def test_a_single_long_word_is_cut_inside():
    assert plain_excerpt("a" * 20, limit=5) == "aaaa" + ELLIPSIS


def test_excerpt_limit_must_be_positive():
    with pytest.raises(ValueError, match="limit"):
        plain_excerpt("x", limit=0)


@settings(deadline=None, max_examples=200)
@given(
    st.one_of(st.text(), st.lists(_MARKDOWN_FRAGMENTS, max_size=80).map("".join)),
    st.integers(min_value=1, max_value=300),
)
def test_excerpt_fits_its_limit_and_has_no_line_breaks(source, limit):
    excerpt = plain_excerpt(source, limit)
    assert len(excerpt) <= limit
    assert excerpt == " ".join(excerpt.split())
    assert excerpt == plain_excerpt(source, limit)
