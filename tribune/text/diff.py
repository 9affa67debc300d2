"""Word-level differences between two versions of a text, for the revision history.

Words and the spaces between them are compared as they were written (Markdown source), so a
reader sees exactly which words changed. The result is a list of (kind, text) pieces, kind one
of "same", "added", "removed"; the template wraps them in <ins> and <del> inside a block with
dir="auto", which keeps Persian and Latin runs in their own order.
"""

import re
from difflib import SequenceMatcher

# Whitespace runs, words (letters, digits, marks, with the zero-width non-joiner of Persian
# compounds such as «می‌شود»), and each other character alone: a comma added after a word shows
# as the comma, not as the word replaced.
_TOKENS = re.compile(r"\s+|[\w\u200c\u0300-\u036f\u064b-\u065f\u0670]+|[^\w\s]")


def words(text):
    """The words, whitespace runs and punctuation of a text, in order."""
    return _TOKENS.findall(text or "")


def word_diff(old, new):
    """[(kind, text)] turning `old` into `new`, adjacent pieces of one kind merged."""
    before, after = words(old), words(new)
    pieces = []
    matcher = SequenceMatcher(None, before, after)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("removed", "".join(before[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("added", "".join(after[j1:j2])))
    merged = []
    for kind, text in pieces:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        elif text:
            merged.append((kind, text))
    return merged
