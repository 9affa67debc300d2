"""Whoosh analyzers and the index schema for Tribune's multilingual posts.

One analyzer class, `TribuneAnalyzer`, serves every text field. Per token it detects the script:
Persian/Arabic tokens get `tribune.text.persian.normalize` and the compound logic below; Latin
tokens are casefolded and accent-folded and, in the stem fields only, stemmed.

Tokenizing: Python's `\\w` matches neither ZWNJ nor harakat, so the default tokenizer cuts
«می‌شود» in two and «کِتابْ» into pieces. Our token pattern keeps combining marks, ZWNJ, ZWJ,
tatweel and bidi marks inside a word; normalization then drops what must go.

Compounds (ZWNJ, joined or spaced: «می‌شود» / «میشود» / «می شود»):
- A "group" is the pieces of one ZWNJ-compound, extended across whitespace when the left piece
  is a verbal prefix (PREFIX_HEADS: می، نمی، بی) or the right piece is a closed-list suffix
  (SUFFIXES: ها، های، ای، تر، ترین، ام، اند …). Grouping runs before stop words.
- Index time emits, all at the group's ONE position, the joined form and every piece.
- Query time emits only the joined form. Every spelling becomes the same joined term on both
  sides, so each of the nine (document form x query form) pairs matches. Because a group
  takes one position whatever its spelling, phrases match across spellings too.
- Cost: a stray joined term when a real word is followed by a suffix-like word («گفت ای کاش»
  also indexes «گفتای»). Joined spellings are never split (we have no dictionary), so a
  query for the piece «شود» finds «می‌شود» and «می شود» but not «میشود».

Stop words (STOP_WORDS, our own list of about a hundred function words) only remove a group that
is a single piece, or a compound whose joined form is itself a stop word («آن‌ها»). The
positions of later groups close up, the same way at index and query time.

Languages: one index holds every language. `title` and `body` use the generic analyzer (Persian
logic, Latin folding, no stemming). A post in en/de/fr/nl also gets its title and body in
`stem_<lang>`, analyzed by `analyzer_for(lang)` with that language's Snowball stemmer and stop
words. Whoosh ties an analyzer to a field, not to a document, so this is how a stemmer gets
chosen per post. The query side (querylang) runs each word through every text field's own
analyzer and ORs the fields, so "Republik" finds a German post's «Republiken» through `stem_de`
and "elections" finds "election" through `stem_en`. Latin words inside a Persian post
("fashion show") are folded but not stemmed, because they are mostly names and quotations, and
stemming them with a guessed language would mangle more than it finds. They are found by their
folded spelling through `body`. Accents are folded before stemming, so "république" and
"republique" always stem alike.

Plural suffixes, measured with bench/relevance_plurals.py (43 posts, 19 queries, a post being
relevant when it mentions the queried concept in any inflection):
    variant              P@5   recall  precision of all hits
    no stripping         0.295  0.575  1.000
    ها/های family        0.379  0.711  1.000
    ها/های family + ان   0.495  0.868  0.959
Decision: `title` and `body` strip the ها family (ها، های، هایی، هایش، هاست …; both at index and
query time; «تنها» and a few look-alikes are exempt). They do not strip ان. It finds more
(زنان -> زن) but it merged پایان/پای, باران/بار and جوان/جو in the test set, and such words
(زندان، جریان، بیان، میان، سازمان) are too many to list as exceptions. The stem fields don't
strip at all: they hold en/de/fr/nl posts.
Anything that changes the tokens requires rebuilding the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from itertools import accumulate
from operator import attrgetter
from typing import Any, NamedTuple

from whoosh.analysis import Analyzer, Token
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language

from tribune.text.persian import ZWNJ, normalize

LANGUAGES = ("fa", "en", "de", "fr", "nl")
STEM_LANGUAGES = ("en", "de", "fr", "nl")
STEM_FIELDS = tuple(f"stem_{lang}" for lang in STEM_LANGUAGES)
TEXT_FIELDS = ("title", "body", *STEM_FIELDS)


def _words(text: str) -> list[str]:
    # Word lists read better as text than as a hundred quoted Persian strings.
    return text.split()


PREFIX_HEADS = frozenset(["می", "نمی", "بی"])
SUFFIXES = frozenset(
    _words(
        "ها های هایی هایم هایت هایش هایمان هایتان هایشان هاست ی ای ام ات اش اند ایم اید "
        "تر ترین تری مان تان شان"
    )
)
# Plural suffixes that `strip_plural` may remove, longest first so «های» wins over «ها».
PLURAL_SUFFIXES = tuple(
    sorted(_words("ها های هایی هایم هایت هایش هایمان هایتان هایشان هاست"), key=len, reverse=True)
)
# Words that merely end like a plural: «تنها» (alone) is not the plural of «تن» (body).
_PLURAL_EXCEPTIONS = frozenset(
    ["تنها", "تنهای", "تنهایی", "رها", "بها", "آنها", "اینها", "ماها", "شماها"]
)
_MIN_STEM = 2

# Our own list of Persian function words: prepositions, conjunctions, pronouns, auxiliaries.
# Negations («نه», «ضد», «علیه») are kept because slogans turn on them.
STOP_WORDS = (
    frozenset(
        normalize(word)
        for word in _words("""
    و در به از که این آن را با است برای تا یا هم بر اما اگر نیز ولی پس چون چه چرا کجا
    هر همه هیچ خود ما من تو او شما ایشان آنها اینها وی آنان اینان بود بودن شد شده باشد
    بوده هست هستند نیست بودند شدند کرد کرده کند کنند کردند دارد دارند داشت یک دیگر همین
    همان چنین چنان چیزی کسی جز مانند مثل روی زیر بین میان درباره طی توسط نزد سوی بسیار
    خیلی فقط حتی هنوز اکنون باید نباید شاید آیا بلکه زیرا وقتی هنگامی سپس آنجا اینجا آنچه
    هرچه اینکه آنکه البته همچنین ضمن لذا بنابراین میباشد نمیباشد یعنی چند
    """)
    )
    - PREFIX_HEADS
    - SUFFIXES
)
# whoosh's own "nl" stop list is Finnish (as of 3.54), so Dutch gets a short list of our own.
_DUTCH_STOPS = frozenset(
    _words(
        "de het een en van in is op te dat die voor met niet zijn aan er als om ook maar bij of "
        "door naar uit over tot wordt worden dan nog wat dit deze"
    )
)
_MAX_GROUP = 4
_MAX_TOKEN = 80  # longer "words" are URLs or keyboard mashing; not worth index space

_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    "\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u00ad\u2060\ufeff"
)
# A word starts with a letter or digit and may continue with marks and joiners: [^\W_] then any
# run of both, spelt without an alternation inside the repeat (a third faster in `re`).
_WORD = re.compile(rf"[^\W_]+(?:[{_MARKS}]+[^\W_]*)*")
_PIECE = re.compile(f"[^{ZWNJ}]+")
# What may separate two words that still form one compound: spaces, ZWNJ, direction marks.
_GAP = re.compile(r"[\s\u200c\u200e\u200f]+")


class Piece(NamedTuple):
    """One normalized word piece and its character span in the original text."""

    text: str
    start: int
    end: int
    persian: bool


def is_persian(word: str) -> bool:
    """Whether a normalized word is written in Arabic script (Persian, Arabic, Urdu)."""
    first = word[:1]
    return (
        "\u0600" <= first <= "\u06ff"
        or "\u0750" <= first <= "\u077f"
        or ("\u08a0" <= first <= "\u08ff")
    )


def _is_latin(word: str) -> bool:
    return word[:1].isalpha() and word[0] < "\u0250"


def joins(left: str, right: str) -> bool:
    """Whether two normalized, space-separated Persian words belong to one compound."""
    return left in PREFIX_HEADS or right in SUFFIXES


def strip_plural(word: str, suffixes: tuple[str, ...] = PLURAL_SUFFIXES) -> str:
    """Remove one plural suffix from a normalized Persian word, keeping at least two letters."""
    if word in _PLURAL_EXCEPTIONS:
        return word
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=200_000)
def _word_pieces(word: str) -> tuple[tuple[str, int, int, bool], ...]:
    # Words repeat (Zipf): normalizing each distinct spelling once roughly halves indexing time.
    pieces = []
    for part in _PIECE.finditer(word):
        # Presentation-form ligatures such as U+FDFA expand to several words under NFKC.
        for text in normalize(part.group()).split():
            pieces.append((text, part.start(), part.end(), is_persian(text)))
    return tuple(pieces)


def _pieces(value: str, match: re.Match[str]) -> list[Piece]:
    offset = match.start()
    return [
        Piece(text, offset + start, offset + end, persian)
        for text, start, end, persian in _word_pieces(match.group())
    ]


def iter_groups(value: str) -> Iterator[list[Piece]]:
    """Split text into compound groups: ZWNJ pieces plus spaced prefixes and suffixes."""
    group: list[Piece] = []
    group_end = 0
    for match in _WORD.finditer(value):
        pieces = _pieces(value, match)
        if not pieces:
            continue
        left, right = group[-1] if group else None, pieces[0]
        if (
            left is not None
            and left.persian
            and right.persian
            and len(group) + len(pieces) <= _MAX_GROUP
            and joins(left.text, right.text)
            and _GAP.fullmatch(value, group_end, match.start())
        ):
            group.extend(pieces)
        else:
            if group:
                yield group
            group = pieces
        group_end = match.end()
    if group:
        yield group


@cache
def _stemmer(lang: str):
    return lru_cache(maxsize=50_000)(stemmer_for_language(lang))


@cache
def _latin_stops(lang: str) -> frozenset[str]:
    words = _DUTCH_STOPS if lang == "nl" else stopwords_for_language(lang)
    return frozenset(normalize(word) for word in words)


@lru_cache(maxsize=200_000)
def _transform(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], text: str, persian: bool
) -> str:
    if persian:
        return strip_plural(text, plural_suffixes) if plural_suffixes else text
    if stem_lang is not None and _is_latin(text):
        return _stemmer(stem_lang)(text)
    return text


@lru_cache(maxsize=200_000)
def _single(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], text: str, persian: bool
) -> tuple[bool, str]:
    """(stopped, token text or "") of a one-piece group: TribuneAnalyzer._is_stop and _texts."""
    if persian:
        stopped = text in STOP_WORDS
    else:
        stopped = stem_lang is not None and text in _latin_stops(stem_lang)
    out = _transform(stem_lang, plural_suffixes, text, persian)
    return stopped, out if out and len(out) <= _MAX_TOKEN else ""


# _WORD with the word captured: re.split then gives [gap, word, gap, word, ..., gap].
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")


class _Plan(NamedTuple):
    """What the plain path needs of one word, for one analyzer (see `_planner`)."""

    pieces: tuple[tuple[str, bool], ...]  # (text, persian)
    single: tuple[bool, str] | None  # `_single` of a one-piece word
    first_persian: bool
    first_suffix: bool  # may join the word before it (a Persian suffix)
    last_persian: bool
    last_head: bool  # may join the word after it (a Persian verbal prefix)
    # For highlighting: the token of a one-piece word that joins neither side, _GROUPED for
    # a word that is or may be part of a larger group, "" for a word without pieces.
    key: str


_GROUPED = "\x00"  # never a token: \x00 is no word character
_NO_PIECES = _Plan((), None, False, False, False, False, "")
_KEY = attrgetter("key")


@cache
def _planner(stem_lang: str | None, plural_suffixes: tuple[str, ...]):
    """A cached `plan(word)` for one analyzer: the word's `_Plan` (_NO_PIECES if it has none)."""

    @lru_cache(maxsize=200_000)
    def plan(word: str) -> _Plan:
        pieces = tuple((text, persian) for text, _start, _end, persian in _word_pieces(word))
        if not pieces:
            return _NO_PIECES
        single = _single(stem_lang, plural_suffixes, *pieces[0]) if len(pieces) == 1 else None
        (first, first_persian), (last, last_persian) = pieces[0], pieces[-1]
        first_suffix = first_persian and first in SUFFIXES
        last_head = last_persian and last in PREFIX_HEADS
        grouped = single is None or first_suffix or last_head
        return _Plan(
            pieces,
            single,
            first_persian,
            first_suffix,
            last_persian,
            last_head,
            _GROUPED if grouped else single[1],
        )

    return plan


@lru_cache(maxsize=50_000)
def _group_spans(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], raw: str
) -> tuple[tuple[str, int, int], ...]:
    """(text, start, end) of the index tokens of one compound group, `raw` being the text from
    its first word's start to its last word's end (groups recur: «می شود», «کانون های»)."""
    pieces = [
        Piece(text, match.start() + start, match.start() + end, persian)
        for match in _WORD.finditer(raw)
        for text, start, end, persian in _word_pieces(match.group())
    ]
    return tuple(TribuneAnalyzer(stem_lang, plural_suffixes)._texts(pieces, True))


def _plain_groups(value: str, plan) -> Iterator[tuple[tuple[tuple[str, bool], ...], Any]]:
    """iter_groups without character offsets: (pieces, single) per group. The same joining
    rule: Persian on both sides, a verbal prefix before or a suffix after (`joins`), at most
    _MAX_GROUP pieces, and only spaces, ZWNJ or direction marks between."""
    parts = _WORD_SPLIT.split(value)
    group: tuple[tuple[str, bool], ...] = ()
    single = None
    last_persian = last_head = False
    gap = ""  # what lies between the group and the next word, beyond parts[i - 1]
    for i in range(1, len(parts), 2):
        word = plan(parts[i])
        if not word.pieces:
            gap += parts[i - 1] + parts[i]
            continue
        if group:
            if (
                ((last_head and word.first_persian) or (word.first_suffix and last_persian))
                and len(group) + len(word.pieces) <= _MAX_GROUP
                and _GAP.fullmatch(gap + parts[i - 1])
            ):
                group += word.pieces
                single = None
                last_persian, last_head = word.last_persian, word.last_head
                gap = ""
                continue
            yield group, single
        group, single = word.pieces, word.single
        last_persian, last_head = word.last_persian, word.last_head
        gap = ""
    if group:
        yield group, single


class TribuneAnalyzer(Analyzer):
    """Tokenize, normalize, group compounds, stop and (optionally) stem, as described above."""

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
        return self.stem_lang is not None and text in _latin_stops(self.stem_lang)

    def _transform(self, text: str, persian: bool) -> str:
        return _transform(self.stem_lang, self.plural_suffixes, text, persian)

    def _texts(self, group: list[Piece], index_mode: bool) -> list[tuple[str, int, int]]:
        if len(group) == 1:
            candidates = [group[0]]
        else:
            joined = Piece(
                "".join(p.text for p in group), group[0].start, group[-1].end, group[0].persian
            )
            candidates = [joined, *group] if index_mode else [joined]
        out: dict[str, tuple[str, int, int]] = {}
        for piece in candidates:
            text = self._transform(piece.text, piece.persian)
            if text and len(text) <= _MAX_TOKEN and text not in out:
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
                stopped, text = _single(*key, piece.text, piece.persian)
                yield stopped, ((text, piece.start, piece.end),) if text else ()
            else:
                yield self._is_stop(group), self._texts(group, index_mode)

    def _plain_units(self, value: str, index_mode: bool) -> Iterator[tuple[bool, Any]]:
        """_units without character offsets (all 0), from cached per-word plans."""
        for pieces, single in _plain_groups(value, _planner(self.stem_lang, self.plural_suffixes)):
            if single is not None:
                stopped, text = single
                yield stopped, ((text, 0, 0),) if text else ()
            else:
                group = [Piece(text, 0, 0, persian) for text, persian in pieces]
                yield self._is_stop(group), self._texts(group, index_mode)

    def spans(self, value: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int, str]]:
        """(startchar, endchar, text) of the tokens of `value` that are in `terms`: what
        `self(value, chars=True, mode="index", removestops=False)` yields, filtered, without
        token objects (highlighting a page of hits analysed every word of every post).

        Words come from one split and their cached plans; only the neighbourhoods of "hot"
        words are grouped as `_plain_groups` groups them: a word that yields a wanted token, a
        ZWNJ compound, or a word that may join its neighbour (a verbal prefix or a suffix).
        Any other word is a group of its own that yields no wanted token, and no group reaches
        across it, so grouping each neighbourhood afresh gives the same groups."""
        plan = _planner(self.stem_lang, self.plural_suffixes)
        parts = _WORD_SPLIT.split(value)  # [gap, word, gap, word, ..., gap]
        plans = list(map(plan, parts[1::2]))
        wanted = {*terms, _GROUPED}
        hot = [k for k, key in enumerate(map(_KEY, plans)) if key in wanted]
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
                if token in terms:
                    _text, start, end, _persian = _word_pieces(parts[2 * first + 1])[0]
                    out.append((base + start, base + end, token))
                return
            raw = value[base : bounds[2 * last + 1]]
            for token, start, end in _group_spans(self.stem_lang, self.plural_suffixes, raw):
                if token in terms:
                    out.append((base + start, base + end, token))

        def walk(first: int, last: int) -> None:
            # `_plain_groups`' grouping of words first..last, with character offsets.
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
                    and size + len(word.pieces) <= _MAX_GROUP
                    and _GAP.fullmatch(value, bounds[2 * closing + 1], bounds[2 * k])
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


def index_datetime(moment: datetime) -> datetime:
    """Naive UTC datetime for the `created` field: whoosh drops tzinfo without converting."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def text_fields(language: str, title: str, body: str) -> dict[str, str]:
    """The searchable text fields of one post: title, body and, if any, its stem field."""
    fields = {"title": title, "body": body}
    stem = stem_field(language)
    if stem is not None:
        fields[stem] = f"{title}\n\n{body}"
    return fields


def build_schema() -> Schema:
    """The index schema; one document per visible post, every language in one index.

    - post_id: ID, stored, unique: the post's primary key as a string; updates replace by it.
    - thread_id: NUMERIC (64-bit), stored, sortable, untiered: links to the thread, collapses
      results, filters "search in this thread". Untiered because nothing asks it for a range:
      one posting per document instead of sixteen (measured: -14% postings, rebuilds faster).
    - title: TEXT, stored: the post's own title (empty for replies); stored for highlighting.
    - body: TEXT, stored: the visible body as plain text (markdown source, not HTML). Stored so
      hits can be highlighted without a database round trip; measured on 2,000 synthetic
      300-word Persian posts it grows the index from 4.2 to 6.3 MB (raw text 6.0 MB).
    - stem_en, stem_de, stem_fr, stem_nl: TEXT, not stored: title + body of posts in that
      language only, stemmed (see `text_fields`).
    - area: ID: "tribune" or "agenda". section: ID: section slug. author: ID: `filter_value`
      of the username. association: KEYWORD (comma-separated, lowercased slugs).
      lang: ID, stored (fa, en, de, fr, nl, ...): the snippet highlighter needs it to find
      stemmed matches. kind: ID: paper, discussion or action.
    - created: DATETIME, stored, sortable: naive UTC (`index_datetime`).
    - thread_title: STORED only, for the result list.
    Only content readers may see is indexed; hiding a post deletes its document.
    """
    generic = analyzer_for("fa")
    stems = {f"stem_{lang}": TEXT(analyzer=analyzer_for(lang)) for lang in STEM_LANGUAGES}
    return Schema(
        post_id=ID(stored=True, unique=True),
        # shift_step=0: one term per value (no range queries on it), not sixteen tiers.
        thread_id=NUMERIC(int, bits=64, stored=True, sortable=True, shift_step=0),
        title=TEXT(analyzer=generic, stored=True, field_boost=2.0),
        body=TEXT(analyzer=generic, stored=True),
        area=ID,
        section=ID,
        author=ID,
        association=KEYWORD(commas=True, lowercase=True),
        lang=ID(stored=True),
        kind=ID,
        created=DATETIME(stored=True, sortable=True),
        thread_title=STORED,
        **stems,
    )
