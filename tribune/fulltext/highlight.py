"""Snippets: an escaped extract of a matched text with the query's words marked. Both backends
find matches; this one module shows them, from the text as the database holds it now.

Snippets are cut from the plain text of the matched text (the post's body or one of its
translations, never HTML), escaped, with only our own <mark> elements added. Matches are found by
running the analyzers that indexed the text over it again, so «كانون» in a post lights up for a
reader who typed «کانون», and a German translation's «Republiken» for one who typed "Republik".
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from tribune.fulltext.analysis import GENERIC, analyzer_for, stem_field

SNIPPET_CHARS = 220
CONTEXT_CHARS = 60
SNIPPET_FRAGMENTS = 2
FALLBACK_CHARS = 240
WINDOW_CHARS = 3000
MAX_CHARS = 32_768
MAX_SPANS = 40

Terms = dict[str, frozenset[str]]

# "@sara" in a Persian sentence: its "@" sits between Persian and Latin letters and would be
# laid out with the Persian ("sara@"). Each mention is shown in a <bdi> of its own (issue 17).
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]")


def _spans(text: str, language: str, terms: Terms) -> list[tuple[int, int, str]]:
    prefixes = tuple(sorted(terms.get("prefix", ())))
    words = terms.get(GENERIC, frozenset())
    spans = analyzer_for("fa").spans(text, words, prefixes) if words or prefixes else []
    stemmed = stem_field(language)
    if stemmed is not None and terms.get(stemmed):
        # "Republiken" found through stem_de for "Republik": same word boundaries, so the
        # spans line up with the generic ones.
        spans += analyzer_for(language).spans(text, terms[stemmed])
    return sorted(set(spans))


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A fragment of about SNIPPET_CHARS around [start, end), cut at spaces."""
    begin = max(0, start - CONTEXT_CHARS)
    if begin:
        space = text.find(" ", begin, start)
        begin = space + 1 if space >= 0 else begin
    finish = min(len(text), max(end, begin + SNIPPET_CHARS))
    if finish < len(text):
        space = text.rfind(" ", end, finish)
        finish = space if space >= 0 else finish
    return begin, finish


def _fragments(text: str, spans) -> list[tuple[int, int]]:
    # Candidate windows start at each match; the best two by distinct words matched, then by
    # earliest, shown in text order (whoosh's BasicFragmentScorer idea, without re-tokenizing).
    candidates = []
    for start, end, _word in spans[:MAX_SPANS]:
        begin, finish = _window(text, start, end)
        words = {w for s, e, w in spans if s >= begin and e <= finish}
        candidates.append((-len(words), begin, finish))
    chosen: list[tuple[int, int]] = []
    for _score, begin, finish in sorted(candidates):
        if all(finish <= b or begin >= f for b, f in chosen):
            chosen.append((begin, finish))
        if len(chosen) == SNIPPET_FRAGMENTS:
            break
    return sorted(chosen)


def _isolated(text: str, begin: int, finish: int, spans) -> list[tuple[int, int]]:
    """Mentions in text[begin:finish], widened to hold any match that straddles their edge."""
    ranges = []
    for match in _MENTION.finditer(text, begin, finish):
        start, end = match.span()
        for span_start, span_end, _word in spans:
            if span_start < end and span_end > start:
                start, end = min(start, span_start), max(end, span_end)
        ranges.append((max(start, begin), min(end, finish)))
    return ranges


def _render(text: str, fragments, spans) -> Markup:
    out = []
    for begin, finish in fragments:
        # Positions where an element opens or closes, in text order; marks inside a mention's
        # <bdi> close before it does, since a mention holds every mark it touches.
        opening: dict[int, list[Markup]] = {}
        closing: dict[int, list[Markup]] = {}
        for start, end in _isolated(text, begin, finish, spans):
            opening.setdefault(start, []).append(Markup("<bdi>"))
            closing.setdefault(end, []).append(Markup("</bdi>"))
        index = begin
        for start, end, _word in spans:
            if start < index or end > finish:
                continue
            opening.setdefault(start, []).append(Markup("<mark>"))
            closing.setdefault(end, []).insert(0, Markup("</mark>"))
            index = end
        parts, index = [], begin
        for position in sorted(set(opening) | set(closing)):
            parts.append(escape(text[index:position]))
            parts.extend(closing.get(position, ()))
            parts.extend(opening.get(position, ()))
            index = position
        parts.append(escape(text[index:finish]))
        if begin > 0:
            parts.insert(0, escape("… "))
        if finish < len(text):
            parts.append(escape(" …"))
        out.append(Markup("").join(parts))
    return Markup(" ").join(out)


def snippet(text: str, language: str, terms: Terms) -> Markup:
    """An escaped extract of `text` around the query's words, matches in <mark>.

    Reads the first WINDOW_CHARS first (most posts match early, and analysing the whole of a
    long paper for every hit costs milliseconds), the rest only if nothing matched there.
    """
    text = text[:MAX_CHARS]
    spans = _spans(text[:WINDOW_CHARS], language, terms)
    if not spans and len(text) > WINDOW_CHARS:
        spans = _spans(text, language, terms)
    if spans:
        return _render(text, _fragments(text, spans), spans)
    if len(text) <= FALLBACK_CHARS:
        return escape(text)
    head = text[:FALLBACK_CHARS].rsplit(" ", 1)[0]
    return escape(head + " …")


def highlight_title(title: str, language: str, terms: Terms) -> Markup:
    """A title, escaped, with the query's words in <mark>."""
    out, index = [], 0
    for start, end, _word in _spans(title, language, terms):
        if start < index:
            continue
        out.append(escape(title[index:start]))
        out.append(Markup("<mark>%s</mark>") % title[start:end])
        index = end
    out.append(escape(title[index:]))
    return Markup("").join(out)
