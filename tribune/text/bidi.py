"""Bidirectional control characters: invisible, and able to make a name read as another.

U+202E (right-to-left override) turns «exe.gnp» into what looks like «png.exe»; embeddings,
isolates and the direction marks can likewise reorder what sits around them in a list. Names
shown among others (titles, display names, association names, places) have no use for them:
Persian and Latin text each read in their own direction without them, and ZWNJ (U+200C), which
Persian needs, is not among them.
"""

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
