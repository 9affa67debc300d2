"""The analyzer both search backends share: words of Tribune's multilingual posts as tokens.

One analyzer class, `TribuneAnalyzer`, serves every text field of either backend (the Whoosh
index's fields, the PostgreSQL backend's tsvectors). Per token it detects the script:
Persian/Arabic tokens get `tribune.text.persian.normalize` and the compound logic of words.py;
Latin tokens are casefolded and accent-folded and, in the stem fields only, stemmed.

Languages: one index holds every language. Titles and bodies are analysed by the generic
analyzer (GENERIC: Persian logic, Latin folding, no stemming). A text in en/de/fr/nl is also
analysed by `analyzer_for(lang)` with that language's Snowball stemmer and stop words, into
`stem_<lang>` (a field of its own in Whoosh, marked words in PostgreSQL): a stemmer is chosen
per text, not per index. The query side (querylang) runs each word through every analyzer and
ORs the results, so "Republik" finds a German post's «Republiken» through `stem_de`
and "elections" finds "election" through `stem_en`. Latin words inside a Persian post
("fashion show") are folded but not stemmed, because they are mostly names and quotations, and
stemming them with a guessed language would mangle more than it finds. They are found by their
folded spelling through `body`. Accents are folded before stemming, so "république" and
"republique" always stem alike.

Anything that changes the tokens requires rebuilding the index (bump ANALYZER_VERSION: both
backends then say so in `flask search status`). The analyzer's class is pickled into the Whoosh
index's schema: it must keep its name and module. Stemmers and Latin stop words come from
`whoosh.lang` (public), so this module needs whoosh installed whichever backend runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate
from typing import Any

from whoosh.analysis import Analyzer, Token

from tribune.fulltext.words import (
    GAP,
    GROUPED,
    MAX_GROUP,
    MAX_TOKEN,
    NOT_PLURAL,
    PLAN_KEY,
    PLURAL_SUFFIXES,
    STOP_WORDS,
    WORD,
    WORD_SPLIT,
    Piece,
    is_persian,
    iter_groups,
    latin_stops,
    plain_groups,
    planner,
    single_token,
    transform,
    word_pieces,
)
from tribune.text.persian import normalize

LANGUAGES = ("fa", "en", "de", "fr", "nl")
STEM_LANGUAGES = ("en", "de", "fr", "nl")
STEM_FIELDS = tuple(f"stem_{lang}" for lang in STEM_LANGUAGES)
# Titles and bodies as the generic analyzer reads them (compiled.Alternative.field).
GENERIC = "text"
# Raised whenever the tokens for the same text change: derived search data made by an older
# analyzer is then reported by `flask search status` until `flask search rebuild` runs.
ANALYZER_VERSION = 2


@lru_cache(maxsize=50_000)
def _group_spans(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], raw: str
) -> tuple[tuple[str, int, int], ...]:
    """(text, start, end) of the index tokens of one compound group, `raw` being the text from
    its first word's start to its last word's end (groups recur: «می شود», «کانون های»)."""
    pieces = [
        Piece(text, match.start() + start, match.start() + end, persian)
        for match in WORD.finditer(raw)
        for text, start, end, persian in word_pieces(match.group())
    ]
    return tuple(TribuneAnalyzer(stem_lang, plural_suffixes)._texts(pieces, True))


class TribuneAnalyzer(Analyzer):
    """Tokenize, normalize, group compounds, stop and (optionally) stem (see words.py)."""

    def __init__(self, stem_lang: str | None = None, plural_suffixes: tuple[str, ...] = ()) -> None:
        if stem_lang is not None and stem_lang not in STEM_LANGUAGES:
            raise ValueError(f"no stemmer for {stem_lang!r}")
        # Only plain attributes: the schema, analyzers included, is pickled into the index.
        self.stem_lang = stem_lang
        self.plural_suffixes = tuple(plural_suffixes)

    def __repr__(self) -> str:
        return f"TribuneAnalyzer(stem_lang={self.stem_lang!r})"

    def _is_stop(self, group: list[Piece]) -> bool:
        if len(group) > 1:
            return "".join(piece.text for piece in group) in STOP_WORDS
        text = group[0].text
        if group[0].persian:
            return text in STOP_WORDS
        return self.stem_lang is not None and text in latin_stops(self.stem_lang)

    def _transform(self, text: str, persian: bool) -> str:
        return transform(self.stem_lang, self.plural_suffixes, text, persian)

    def _texts(self, group: list[Piece], index_mode: bool) -> list[tuple[str, int, int]]:
        joined = None
        if len(group) == 1:
            candidates = [group[0]]
        else:
            joined = Piece(
                "".join(p.text for p in group), group[0].start, group[-1].end, group[0].persian
            )
            candidates = [joined, *group] if index_mode else [joined]
        out: dict[str, tuple[str, int, int]] = {}
        for piece in candidates:
            if piece is joined and group[-1].text in NOT_PLURAL:
                # «نامه‌ای» (a letter) joins into «نامهای», which reads like the plural of «نام»:
                # a compound that ends in a suffix other than a plural's keeps its joined form.
                text = transform(self.stem_lang, (), piece.text, piece.persian)
            else:
                text = self._transform(piece.text, piece.persian)
            if text and len(text) <= MAX_TOKEN and text not in out:
                out[text] = (text, piece.start, piece.end)
        return list(out.values())

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield whoosh tokens for `value`; `mode="index"` adds compound pieces (see module doc)."""
        index_mode = mode == "index"
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize and not chars and not keeporiginal:
            # Indexing and querying need no character offsets: the same tokens, a third faster.
            units = self._plain_units(value, index_mode)
        else:
            if tokenize:
                groups: Iterator[list[Piece]] | list[list[Piece]] = iter_groups(value)
            else:
                text = normalize(value)
                groups = [[Piece(text, 0, len(value), is_persian(text))]] if text else []
            units = self._units(groups, index_mode)
        pos = start_pos
        for stopped, texts in units:
            if stopped and removestops:
                continue
            for text, start, end in texts:
                token.text = text
                token.stopped = stopped
                token.boost = 1.0
                if keeporiginal:
                    token.original = value[start:end]
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token
            if not stopped:
                pos += 1

    def _units(self, groups, index_mode: bool) -> Iterator[tuple[bool, Any]]:
        """(stopped, [(text, startchar, endchar), ...]) for each group: its tokens."""
        key = (self.stem_lang, self.plural_suffixes)
        for group in groups:
            if len(group) == 1:
                # Most words are one piece: the same answers as _texts, from a cache.
                piece = group[0]
                stopped, text = single_token(*key, piece.text, piece.persian)
                yield stopped, ((text, piece.start, piece.end),) if text else ()
            else:
                yield self._is_stop(group), self._texts(group, index_mode)

    def _plain_units(self, value: str, index_mode: bool) -> Iterator[tuple[bool, Any]]:
        """_units without character offsets (all 0), from cached per-word plans."""
        for pieces, single in plain_groups(value, planner(self.stem_lang, self.plural_suffixes)):
            if single is not None:
                stopped, text = single
                yield stopped, ((text, 0, 0),) if text else ()
            else:
                group = [Piece(text, 0, 0, persian) for text, persian in pieces]
                yield self._is_stop(group), self._texts(group, index_mode)

    def spans(
        self,
        value: str,
        terms: set[str] | frozenset[str],
        prefixes: tuple[str, ...] = (),
    ) -> list[tuple[int, int, str]]:
        """(startchar, endchar, text) of the tokens of `value` that are in `terms` or start with
        one of `prefixes`: what
        `self(value, chars=True, mode="index", removestops=False)` yields, filtered, without
        token objects (highlighting a page of hits analysed every word of every post).

        Words come from one split and their cached plans; only the neighbourhoods of "hot"
        words are grouped as `plain_groups` groups them: a word that yields a wanted token, a
        ZWNJ compound, or a word that may join its neighbour (a verbal prefix or a suffix).
        Any other word is a group of its own that yields no wanted token, and no group reaches
        across it, so grouping each neighbourhood afresh gives the same groups."""
        plan = planner(self.stem_lang, self.plural_suffixes)
        parts = WORD_SPLIT.split(value)  # [gap, word, gap, word, ..., gap]
        plans = list(map(plan, parts[1::2]))
        wanted = {*terms, GROUPED}
        if prefixes:

            def matches(token: str) -> bool:
                return token in terms or token.startswith(prefixes)

            hot = [
                k
                for k, key in enumerate(map(PLAN_KEY, plans))
                if key in wanted or (key and key.startswith(prefixes))
            ]
        else:
            matches = terms.__contains__
            hot = [k for k, key in enumerate(map(PLAN_KEY, plans)) if key in wanted]
        if not hot:
            return []
        # Word k is parts[2k + 1], from bounds[2k] to bounds[2k + 1].
        bounds = list(accumulate(map(len, parts)))
        out: list[tuple[int, int, str]] = []

        def close(first: int, last: int) -> None:
            base = bounds[2 * first]
            word = plans[first]
            if first == last and word.single is not None:
                token = word.single[1]
                if matches(token):
                    _text, start, end, _persian = word_pieces(parts[2 * first + 1])[0]
                    out.append((base + start, base + end, token))
                return
            raw = value[base : bounds[2 * last + 1]]
            for token, start, end in _group_spans(self.stem_lang, self.plural_suffixes, raw):
                if matches(token):
                    out.append((base + start, base + end, token))

        def walk(first: int, last: int) -> None:
            # `plain_groups`' grouping of words first..last, with character offsets.
            opened = -1  # the current group's first word
            closing = size = 0
            last_persian = last_head = False
            for k in range(first, last + 1):
                word = plans[k]
                if not word.pieces:
                    continue
                if (
                    opened >= 0
                    and ((last_head and word.first_persian) or (word.first_suffix and last_persian))
                    and size + len(word.pieces) <= MAX_GROUP
                    and GAP.fullmatch(value, bounds[2 * closing + 1], bounds[2 * k])
                ):
                    size += len(word.pieces)
                else:
                    if opened >= 0:
                        close(opened, closing)
                    opened, size = k, len(word.pieces)
                last_persian, last_head = word.last_persian, word.last_head
                closing = k
            if opened >= 0:
                close(opened, closing)

        # Each hot word with the words on either side (past any without pieces), merged.
        first = last = -1
        for k in hot:
            left, right = k - 1, k + 1
            while left > 0 and not plans[left].pieces:
                left -= 1
            while right < len(plans) - 1 and not plans[right].pieces:
                right += 1
            left, right = max(left, 0), min(right, len(plans) - 1)
            if first >= 0 and left <= last + 1:
                last = max(last, right)
                continue
            if first >= 0:
                walk(first, last)
            first, last = left, right
        walk(first, last)
        return out


def analyzer_for(language: str) -> TribuneAnalyzer:
    """Index-time analyzer for a post language: stemming for en/de/fr/nl, generic otherwise."""
    lang = language.lower()
    if lang in STEM_LANGUAGES:
        return TribuneAnalyzer(stem_lang=lang)
    # Persian and unknown languages share the generic analyzer: Persian logic + Latin folding.
    return TribuneAnalyzer(plural_suffixes=PLURAL_SUFFIXES)


def stem_field(language: str) -> str | None:
    """The stem field a post in `language` is copied into, or None (Persian, other)."""
    lang = language.lower()
    return f"stem_{lang}" if lang in STEM_LANGUAGES else None


def filter_value(value: str) -> str:
    """Canonical form of an ID-like value (author, section, association, lang, kind)."""
    return normalize(value).strip()
