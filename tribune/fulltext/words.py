"""Words as the analyzer (analysis.py) sees them: word lists, tokenizing, compound groups,
plural stripping, and cached per-word plans.

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

Plural suffixes, measured with bench/relevance_plurals.py (its judged posts and queries; a post is
relevant when it speaks of the queried concept in any inflection; the table there is current):
the ها family alone keeps precision at 1.0 but misses کارگران/کارگر, دانشجویان/دانشجو,
نمایندگان/نماینده; ان stripped whatever is left merges پایان/پای, باران/بار, بیان/بی, زندان/زند;
ات merges انتخابات/انتخاب, تظاهرات/تظاهر, اطلاعات/اطلاع, حیات/حی, کلمات/کلم.
Decision: titles and bodies strip, both at index and query time, the ها family (ها، های، هایی،
هایش، هاست …), گان as ه (نمایندگان -> نماینده), یان after a vowel (دانشجویان -> دانشجو), and ان
when at least four letters are left (کارگران -> کارگر, زندانیان -> زندانی, but not جوان, پایان,
بیان, زندان, ایران); never ات (Arabic plurals drift in meaning from their singulars). «تنها»,
«گروگان», «مسلمان» and a few look-alikes are exempt. The stem fields don't strip at all: they
hold en/de/fr/nl texts.
Anything that changes the tokens requires rebuilding the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from whoosh.lang import stemmer_for_language, stopwords_for_language

from tribune.text.persian import ZWNJ, normalize


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
# Plural suffixes that `strip_plural` may remove, longest first so «های» wins over «ها»:
# the ها family; گان (نمایندگان -> نماینده); یان after a vowel (دانشجویان -> دانشجو); ان.
PLURAL_SUFFIXES = tuple(
    sorted(
        _words("ها های هایی هایم هایت هایش هایمان هایتان هایشان هاست گان یان ان"),
        key=len,
        reverse=True,
    )
)
# Suffixes that join a word into a compound without making it plural: «نامه‌ای», «خانه‌ام».
NOT_PLURAL = SUFFIXES - set(PLURAL_SUFFIXES)
# Words that merely end like a plural: «تنها» (alone) is not the plural of «تن» (body),
# «گروگان» (hostage) not of «گروه» (group), «مسلمان» (Muslim) not of «مسلم» (certain).
_PLURAL_EXCEPTIONS = frozenset(
    ["تنها", "تنهای", "تنهایی", "رها", "بها", "آنها", "اینها", "ماها", "شماها"]
    + ["گروگان", "مسلمان"]
)
_MIN_STEM = 2
# A suffix that many singular words merely end with needs a longer stem before it is taken for a
# plural: ان with fewer than four letters left is جوان, پایان, باران, بیان, زندان, ایران, جهان.
MIN_STEMS = {"ان": 4, "یان": 3, "گان": 3}
_VOWELS = ("و", "ا")
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
MAX_GROUP = 4
MAX_TOKEN = 80  # longer "words" are URLs or keyboard mashing; not worth index space

_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    "\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u00ad\u2060\ufeff"
)
# A word starts with a letter or digit and may continue with marks and joiners: [^\W_] then any
# run of both, spelt without an alternation inside the repeat (a third faster in `re`).
WORD = re.compile(rf"[^\W_]+(?:[{_MARKS}]+[^\W_]*)*")
_PIECE = re.compile(f"[^{ZWNJ}]+")
# What may separate two words that still form one compound: spaces, ZWNJ, direction marks.
GAP = re.compile(r"[\s\u200c\u200e\u200f]+")


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
    """Remove one plural suffix from a normalized Persian word, keeping at least two letters
    (more for the suffixes of MIN_STEMS)."""
    if word in _PLURAL_EXCEPTIONS:
        return word
    for suffix in suffixes:
        if not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)]
        if len(stem) < MIN_STEMS.get(suffix, _MIN_STEM):
            continue
        if suffix == "یان" and not stem.endswith(_VOWELS):
            continue  # زندانیان is زندانی + ان, not زندان + یان
        return stem + "ه" if suffix == "گان" else stem
    return word


@lru_cache(maxsize=200_000)
def word_pieces(word: str) -> tuple[tuple[str, int, int, bool], ...]:
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
        for text, start, end, persian in word_pieces(match.group())
    ]


def iter_groups(value: str) -> Iterator[list[Piece]]:
    """Split text into compound groups: ZWNJ pieces plus spaced prefixes and suffixes."""
    group: list[Piece] = []
    group_end = 0
    for match in WORD.finditer(value):
        pieces = _pieces(value, match)
        if not pieces:
            continue
        left, right = group[-1] if group else None, pieces[0]
        if (
            left is not None
            and left.persian
            and right.persian
            and len(group) + len(pieces) <= MAX_GROUP
            and joins(left.text, right.text)
            and GAP.fullmatch(value, group_end, match.start())
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
def latin_stops(lang: str) -> frozenset[str]:
    words = _DUTCH_STOPS if lang == "nl" else stopwords_for_language(lang)
    return frozenset(normalize(word) for word in words)


@lru_cache(maxsize=200_000)
def transform(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], text: str, persian: bool
) -> str:
    if persian:
        return strip_plural(text, plural_suffixes) if plural_suffixes else text
    if stem_lang is not None and _is_latin(text):
        return _stemmer(stem_lang)(text)
    return text


@lru_cache(maxsize=200_000)
def single_token(
    stem_lang: str | None, plural_suffixes: tuple[str, ...], text: str, persian: bool
) -> tuple[bool, str]:
    """(stopped, token text or "") of a one-piece group: TribuneAnalyzer._is_stop and _texts."""
    if persian:
        stopped = text in STOP_WORDS
    else:
        stopped = stem_lang is not None and text in latin_stops(stem_lang)
    out = transform(stem_lang, plural_suffixes, text, persian)
    return stopped, out if out and len(out) <= MAX_TOKEN else ""


# WORD with the word captured: re.split then gives [gap, word, gap, word, ..., gap].
WORD_SPLIT = re.compile(f"({WORD.pattern})")


class Plan(NamedTuple):
    """What the plain path needs of one word, for one analyzer (see `planner`)."""

    pieces: tuple[tuple[str, bool], ...]  # (text, persian)
    single: tuple[bool, str] | None  # `single_token` of a one-piece word
    first_persian: bool
    first_suffix: bool  # may join the word before it (a Persian suffix)
    last_persian: bool
    last_head: bool  # may join the word after it (a Persian verbal prefix)
    # For highlighting: the token of a one-piece word that joins neither side, GROUPED for
    # a word that is or may be part of a larger group, "" for a word without pieces.
    key: str


GROUPED = "\x00"  # never a token: \x00 is no word character
_NO_PIECES = Plan((), None, False, False, False, False, "")
PLAN_KEY = attrgetter("key")


@cache
def planner(stem_lang: str | None, plural_suffixes: tuple[str, ...]):
    """A cached `plan(word)` for one analyzer: the word's `Plan` (_NO_PIECES if it has none)."""

    @lru_cache(maxsize=200_000)
    def plan(word: str) -> Plan:
        pieces = tuple((text, persian) for text, _start, _end, persian in word_pieces(word))
        if not pieces:
            return _NO_PIECES
        single = single_token(stem_lang, plural_suffixes, *pieces[0]) if len(pieces) == 1 else None
        (first, first_persian), (last, last_persian) = pieces[0], pieces[-1]
        first_suffix = first_persian and first in SUFFIXES
        last_head = last_persian and last in PREFIX_HEADS
        grouped = single is None or first_suffix or last_head
        return Plan(
            pieces,
            single,
            first_persian,
            first_suffix,
            last_persian,
            last_head,
            GROUPED if grouped else single[1],
        )

    return plan


def plain_groups(value: str, plan) -> Iterator[tuple[tuple[tuple[str, bool], ...], Any]]:
    """iter_groups without character offsets: (pieces, single) per group. The same joining
    rule: Persian on both sides, a verbal prefix before or a suffix after (`joins`), at most
    MAX_GROUP pieces, and only spaces, ZWNJ or direction marks between."""
    parts = WORD_SPLIT.split(value)
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
                and len(group) + len(word.pieces) <= MAX_GROUP
                and GAP.fullmatch(gap + parts[i - 1])
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
