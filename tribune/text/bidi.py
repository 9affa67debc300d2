"""Bidirectional control characters: invisible, and able to make a name read as another.

U+202E (right-to-left override) turns «exe.gnp» into what looks like «png.exe»; embeddings,
isolates and the direction marks can likewise reorder what sits around them in a list. Names
shown among others (titles, display names, association names, places) have no use for them:
Persian and Latin text each read in their own direction without them, and ZWNJ (U+200C), which
Persian needs, is not among them.
"""

import re

from markupsafe import Markup

# Embeddings and overrides, isolates, the left-to-right / right-to-left marks, the Arabic mark.
DIRECTION_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e" "\u2066\u2067\u2068\u2069" "\u200e\u200f" "\u061c"
)
# First strong isolate ... pop directional isolate: what `isolate` wraps a name in.
FSI, PDI = "\u2068", "\u2069"


def direction_controls(text):
    """The direction controls in `text`, as sorted "U+XXXX" names (empty when there are none)."""
    return sorted({f"U+{ord(char):04X}" for char in text or "" if char in DIRECTION_CONTROLS})


def bdi(text):
    """`text`, escaped, in a <bdi> element: isolated from the text around it on a page."""
    return Markup("<bdi>{}</bdi>").format(text)


def isolate(text):
    """`text` between FSI and PDI, for places that cannot hold markup (a page's <title>, an
    <option>): whatever it holds cannot reorder what surrounds it."""
    return f"{FSI}{text}{PDI}"


# Arabic-script letters (Persian, Arabic): a place written in them is joined by «، ».
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def place(*parts):
    """A place ("Hamburg, Germany", «هامبورگ، آلمان») as one isolated phrase.

    Each part isolated on its own would be laid out as a list in the page's direction, so a
    Persian page showed "Germany ,Hamburg"; isolated together, the phrase reads in its own
    direction, with the comma of its script."""
    parts = [str(part) for part in parts if part]
    if not parts:
        return Markup("")
    comma = "، " if any(_ARABIC_SCRIPT.search(part) for part in parts) else ", "
    return bdi(comma.join(parts))


def isolated_words(text):
    """Each word of `text` in its own <bdi>: a search query shown in a page of the other
    direction keeps the order it is typed in («area:agenda ۸ مارس», "@sara لائیسیته")
    instead of the Unicode algorithm regrouping its Latin and Persian runs."""
    return Markup(" ").join(bdi(word) for word in str(text).split())
