"""The reader's search language: parse a query string (compiled.py compiles it for a backend).

Learnable in a minute:
    word word          every word must appear (spelling variants are normalized away)
    "exact phrase"     also «…» and “…”
    -word  -"phrase"   exclude
    a OR b             either one (OR in capitals, between words or phrases)
    word*              any word starting so (at least MIN_PREFIX letters before the *)
    area:tribune|agenda  section:SLUG  author:NAME or @NAME  association:SLUG
    lang:fa|en|de|fr|nl  kind:paper|discussion|action
    after:DATE  before:DATE   both inclusive; DATE is 2010-03-28 or Jalali 1389-01-08
                              (years below 1700 are Jalali), also 2010-03 or 1389; any digits
Filter names may also be typed in Persian (نویسنده: بخش: زبان: نوع: انجمن: حوزه: از: تا:);
from: and to: (the names of the form fields) mean after: and before:.

compiled.py turns a parsed query into what each analyzer makes of its terms, for the backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from persiantools.jdatetime import JalaliDate

from tribune.fulltext.analysis import analyzer_for, filter_value
from tribune.fulltext.words import is_persian, joins
from tribune.text.persian import ZWNJ, fold_zwnj, normalize

MAX_LENGTH = 500
MAX_TERMS = 32
# A prefix shorter than this matches too many words to mean anything («جم*», «de*»).
MIN_PREFIX = 3
JALALI_BEFORE = 1700  # a year below this is a Solar Hijri (Jalali) year

_CHOICES = {
    "area": ("tribune", "agenda"),
    "lang": ("fa", "en", "de", "fr", "nl"),
    "kind": ("paper", "discussion", "action"),
}
_VALUE_ALIASES = {
    "area": {"تریبون": "tribune", "برنامه": "agenda"},
    "lang": {
        "فارسی": "fa",
        "farsi": "fa",
        "persian": "fa",
        "english": "en",
        "german": "de",
        "deutsch": "de",
        "french": "fr",
        "francais": "fr",
        "dutch": "nl",
        "nederlands": "nl",
    },
}
_KEYS = ("area", "section", "author", "association", "lang", "kind", "before", "after")
_KEY_ALIASES = {
    normalize(k): v
    for k, v in {
        "حوزه": "area",
        "بخش": "section",
        "نویسنده": "author",
        "انجمن": "association",
        "کانون": "association",
        "زبان": "lang",
        "نوع": "kind",
        "تا": "before",
        "از": "after",
        # The form fields and API parameters are named from= and to=.
        "from": "after",
        "to": "before",
    }.items()
}
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}\Z")
_NAME = re.compile(r"[\w.-]{1,64}\Z")
_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\Z")
_QUOTES = {'"': '"', "«": "»", "“": "”"}
# Titles and bodies of every language are analyzed alike (Persian logic, Latin folding).
_GENERIC = analyzer_for("fa")


class QuerySyntaxError(ValueError):
    """A query the reader must fix; `message` is for humans, `position` indexes the query."""

    def __init__(self, message: str, position: int, code: str = "syntax") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        # A stable identifier the search page can translate instead of showing `message`.
        self.code = code

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True)
class SearchTerm:
    """A word, a quoted phrase or a prefix (typed `word*`, kept without its star), as typed;
    analysis happens per analyzer in `compile_query`."""

    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """AND of `clauses` (each an OR of terms), minus `excluded`, within `filters` and dates."""

    clauses: tuple[tuple[SearchTerm, ...], ...] = ()
    excluded: tuple[SearchTerm, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)
    before: date | None = None
    after: date | None = None


@dataclass
class _Lexeme:
    kind: str  # "word", "prefix", "phrase", "or", "filter"
    text: str
    position: int
    negated: bool = False
    key: str = ""


def _has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _closing_quote(text: str, opening: int) -> int:
    close = text.find(_QUOTES[text[opening]], opening + 1)
    if close < 0:
        raise QuerySyntaxError(
            "This quote is never closed: add the closing quote or remove it.",
            opening,
            "unbalanced_quote",
        )
    return close


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] in _QUOTES:
            close = _closing_quote(text, i)
            phrase = text[i + 1 : close]
            if _has_content(phrase):
                lexemes.append(_Lexeme("phrase", phrase, start, negated))
            i = close + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in _QUOTES:
            end += 1
        word, i = text[i:end], end
        if word == "OR" and not negated:
            lexemes.append(_Lexeme("or", word, start))
        elif (key := _filter_key(word)) is not None:
            if negated:
                raise QuerySyntaxError(
                    "Filters cannot be excluded; remove the minus sign.", start, "negated_filter"
                )
            value = word[1:] if word.startswith("@") else word.partition(":")[2]
            if not value and i < n and text[i] in _QUOTES:  # author:"Sara K."
                close = _closing_quote(text, i)
                value, i = text[i + 1 : close].strip(), close + 1
            lexemes.append(_Lexeme("filter", value, start, key=key))
        elif word.endswith("*") and _has_content(word.rstrip("*")):
            lexemes.append(_Lexeme("prefix", word.rstrip("*"), start, negated))
        elif _has_content(word):
            lexemes.append(_Lexeme("word", word, start, negated))
    return lexemes


def _filter_key(word: str) -> str | None:
    if word.startswith("@") and len(word) > 1:
        return "author"
    key, colon, _ = word.partition(":")
    if not colon:
        return None
    key = normalize(key)
    return key if key in _KEYS else _KEY_ALIASES.get(key)


def _edge(word: str, last: bool) -> str:
    pieces = normalize(word).split(ZWNJ)
    return pieces[-1] if last else pieces[0]


def _merge_compounds(lexemes: list[_Lexeme]) -> list[_Lexeme]:
    # «می شود» typed with a space is one word to the analyzer (see words.iter_groups); keep
    # it in one term so the analyzer sees both halves and produces the joined form.
    merged: list[_Lexeme] = []
    for lex in lexemes:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind == lex.kind == "word"
            and prev.negated == lex.negated
            and is_persian(left := _edge(prev.text, True))
            and is_persian(right := _edge(lex.text, False))
            and joins(left, right)
        ):
            prev.text = f"{prev.text} {lex.text}"
        else:
            merged.append(lex)
    return merged


def _check_choice(key: str, raw: str, position: int) -> str:
    value = filter_value(raw)
    value = _VALUE_ALIASES.get(key, {}).get(value, value)
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            allowed = ", ".join(f"{key}:{choice}" for choice in _CHOICES[key])
            raise QuerySyntaxError(
                f'Unknown {key} "{raw}": use one of {allowed}.', position, f"bad_{key}"
            )
    elif key in ("section", "association"):
        if not _SLUG.match(value):
            raise QuerySyntaxError(
                f'"{raw}" is not a {key} name: use its short name, like {key}:women.',
                position,
                f"bad_{key}",
            )
    elif not _NAME.match(value):
        raise QuerySyntaxError(
            f'"{raw}" is not a user name: use author:NAME or @NAME.', position, "bad_author"
        )
    return value


def prefix_words(text: str) -> tuple[str, ...] | None:
    """The index words a typed prefix stands for, or None when the text is more than one word
    («fashion-sh*») and can only be searched as typed: the letters as typed (normalized, half
    spaces joined), and, when they end like a Persian plural, the word without it too («کارها*»
    finds the words starting «کارها» and those starting «کار», as «کارهای» is indexed «کار»)."""
    words = [token.text for token in _GENERIC(text, mode="query", removestops=False)]
    if len(words) != 1:
        return None
    typed = fold_zwnj(normalize(text)).strip()
    if not typed.isalnum() or len(typed) < MIN_PREFIX:
        typed = words[0]
    found = [typed]
    if words[0] != typed and len(words[0]) >= MIN_PREFIX:
        found.append(words[0])
    return tuple(found)


def _check_prefix(text: str, position: int) -> None:
    words = prefix_words(text)
    if words is not None and len(words[0]) < MIN_PREFIX:
        raise QuerySyntaxError(
            f"Put at least {MIN_PREFIX} letters before the *.", position, "short_prefix"
        )


def _parse_date(raw: str, position: int, end_of_period: bool) -> date:
    match = _DATE.match(normalize(raw))
    try:
        if match is None:
            raise ValueError(raw)
        year, month, day = (int(g) if g else None for g in match.groups())
        if year < JALALI_BEFORE:
            first = JalaliDate(year, month or 1, day or 1)
            if end_of_period and day is None:
                last_month = month or 12
                first = JalaliDate(year, last_month, JalaliDate.days_in_month(last_month, year))
            return first.to_gregorian()
        if end_of_period and day is None:
            last_month = month or 12
            following = date(year, last_month, 28) + timedelta(days=4)
            return following - timedelta(days=following.day)
        return date(year, month or 1, day or 1)
    except (ValueError, OverflowError, TypeError):
        raise QuerySyntaxError(
            f'"{raw}" is not a date: write 2010-03-28 or, in the Jalali calendar, 1389-01-08.',
            position,
            "bad_date",
        ) from None


def parse(text: str) -> ParsedQuery:
    """Parse a reader's query; raise QuerySyntaxError (and nothing else) if it cannot be run."""
    if len(text) > MAX_LENGTH:
        raise QuerySyntaxError(
            f"The query is too long: at most {MAX_LENGTH} characters.", MAX_LENGTH, "too_long"
        )
    lexemes = _merge_compounds(_lex(text))
    clauses: list[list[SearchTerm]] = []
    excluded: list[SearchTerm] = []
    filters: dict[str, str] = {}
    dates: dict[str, date] = {}
    pending_or: _Lexeme | None = None
    previous: _Lexeme | None = None
    terms = 0
    for lex in lexemes:
        if lex.kind == "or":
            if previous is None or previous.kind in ("or", "filter") or previous.negated:
                raise QuerySyntaxError(
                    "OR must stand between two words or phrases.", lex.position, "misplaced_or"
                )
            pending_or = lex
        elif lex.kind == "filter":
            if pending_or is not None:
                raise QuerySyntaxError(
                    "OR joins words or phrases, not filters.", pending_or.position, "misplaced_or"
                )
            if lex.key in filters or lex.key in dates:
                raise QuerySyntaxError(
                    f"{lex.key}: is given twice; keep one.", lex.position, "duplicate_filter"
                )
            if not lex.text:
                raise QuerySyntaxError(
                    f"{lex.key}: needs a value right after the colon.", lex.position, "empty_filter"
                )
            if lex.key in ("before", "after"):
                dates[lex.key] = _parse_date(lex.text, lex.position, lex.key == "before")
            else:
                filters[lex.key] = _check_choice(lex.key, lex.text, lex.position)
        else:
            terms += 1
            if terms > MAX_TERMS:
                raise QuerySyntaxError(
                    f"Too many words: at most {MAX_TERMS}.", lex.position, "too_many_terms"
                )
            term = SearchTerm(lex.text.strip(), lex.kind == "phrase", lex.kind == "prefix")
            if term.prefix:
                _check_prefix(term.text, lex.position)
            if lex.negated:
                if pending_or is not None:
                    raise QuerySyntaxError(
                        "OR cannot join an excluded word.", pending_or.position, "misplaced_or"
                    )
                excluded.append(term)
            elif pending_or is not None:
                clauses[-1].append(term)
            else:
                clauses.append([term])
            pending_or = None
        previous = lex
    if pending_or is not None:
        raise QuerySyntaxError(
            "OR needs a word or phrase after it.", pending_or.position, "misplaced_or"
        )
    if not clauses and not filters and not dates:
        message = (
            "A minus sign only removes results: add a word or a filter to search for."
            if excluded
            else "Type at least one word to look for (or a filter such as author:NAME)."
        )
        raise QuerySyntaxError(message, 0, "empty")
    if "before" in dates and "after" in dates and dates["after"] > dates["before"]:
        raise QuerySyntaxError(
            "The after: date is later than the before: date.", 0, "empty_date_range"
        )
    return ParsedQuery(
        clauses=tuple(tuple(clause) for clause in clauses),
        excluded=tuple(excluded),
        filters=filters,
        before=dates.get("before"),
        after=dates.get("after"),
    )


def with_filters(
    parsed: ParsedQuery,
    filters: dict[str, str] | None = None,
    after: str | None = None,
    before: str | None = None,
) -> ParsedQuery:
    """Add filters chosen in form fields to a parsed query, checked like typed ones.

    Errors carry position -1 (they are not in the query text). A filter both typed and chosen
    must agree; the same value twice is fine.
    """
    merged = dict(parsed.filters)
    for key, raw in (filters or {}).items():
        if key not in _KEYS or key in ("before", "after"):
            raise ValueError(f"not a filter: {key}")
        if not raw or not raw.strip():
            continue
        value = _check_choice(key, raw.strip(), -1)
        if merged.get(key, value) != value:
            raise QuerySyntaxError(
                f"{key}: is given in the query and in the form with different values.",
                -1,
                "conflicting_filter",
            )
        merged[key] = value
    dates = {"after": parsed.after, "before": parsed.before}
    for key, raw in (("after", after), ("before", before)):
        if not raw or not raw.strip():
            continue
        value = _parse_date(raw.strip(), -1, key == "before")
        if dates[key] not in (None, value):
            raise QuerySyntaxError(
                f"{key}: is given in the query and in the form with different values.",
                -1,
                "conflicting_filter",
            )
        dates[key] = value
    if dates["after"] and dates["before"] and dates["after"] > dates["before"]:
        raise QuerySyntaxError(
            "The after: date is later than the before: date.", -1, "empty_date_range"
        )
    return ParsedQuery(
        clauses=parsed.clauses,
        excluded=parsed.excluded,
        filters=merged,
        before=dates["before"],
        after=dates["after"],
    )
