"""A parsed query compiled for any backend: for every term, the words each analyzer makes of it.

The generic analyzer serves titles and bodies in every language; the stemmer of each Latin
language serves texts in that language. Both search backends (PostgreSQL and Whoosh) build their
own queries from these `Alternative`s, so they agree on what a query means; the user's text
never reaches a backend's own query parser, so `title:x` or `body:(a OR b)` are only words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tribune.fulltext.analysis import GENERIC, STEM_LANGUAGES, analyzer_for
from tribune.fulltext.querylang import ParsedQuery, SearchTerm, prefix_words
from tribune.fulltext.words import is_persian

_GENERIC = analyzer_for("fa")


@dataclass(frozen=True)
class Alternative:
    """One way a term can match: `words` in `field` (one word: the word; several: a phrase).

    `field` is GENERIC (titles and bodies, every language, analysed by the generic analyzer) or
    `stem_<lang>` (texts in that language, stemmed); `prefix` asks for words starting so."""

    field: str
    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class CompiledQuery:
    """AND of `required` (each an OR of alternatives), minus `excluded`, within the filters."""

    required: tuple[tuple[Alternative, ...], ...] = ()
    excluded: tuple[Alternative, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)
    before: date | None = None
    after: date | None = None
    thread_id: int | None = None

    @property
    def matches_nothing(self) -> bool:
        """Nothing left to look for: only stop words were typed, and no filter was given."""
        return not self.required and not (self.filters or self.before or self.after)

    def highlight_terms(self) -> dict[str, frozenset[str]]:
        """{field: words} of the positive alternatives, and {"prefix": prefixes}: what the
        snippets mark."""
        terms: dict[str, set[str]] = {}
        for clause in self.required:
            for alternative in clause:
                key = "prefix" if alternative.prefix else alternative.field
                terms.setdefault(key, set()).update(alternative.words)
        return {key: frozenset(words) for key, words in terms.items()}


def alternatives(term: SearchTerm) -> tuple[Alternative, ...]:
    """The ways `term` can match. Each analyzer reads the text itself: the generic one folds
    spellings and Persian plurals, `stem_de` stems the German way ("Republiken" -> "republ")."""
    if term.prefix:
        words = prefix_words(term.text)
        if words is not None:
            return tuple(Alternative(GENERIC, (word,), prefix=True) for word in words)
        term = SearchTerm(term.text, phrase=True)
    generic = tuple(token.text for token in _GENERIC(term.text, mode="query"))
    if not generic:
        return ()
    found = [Alternative(GENERIC, generic)]
    if len(generic) > 1 or all(is_persian(word) for word in generic):
        # A phrase asks for its exact words (spelling variants aside), not their stems; and
        # Persian words are never stemmed: the stem fields would only repeat `generic`.
        return tuple(found)
    for lang in STEM_LANGUAGES:
        words = tuple(token.text for token in analyzer_for(lang)(term.text, mode="query"))
        if words:
            found.append(Alternative(f"stem_{lang}", words))
    return tuple(found)


def compile_query(parsed: ParsedQuery, thread_id: int | None = None) -> CompiledQuery:
    """The parsed query as alternatives per term; a clause of stop words only is dropped."""
    required = []
    for clause in parsed.clauses:
        options = tuple(alt for term in clause for alt in alternatives(term))
        if options:
            required.append(options)
    excluded = tuple(alt for term in parsed.excluded for alt in alternatives(term))
    return CompiledQuery(
        required=tuple(required),
        excluded=excluded,
        filters=dict(parsed.filters),
        before=parsed.before,
        after=parsed.after,
        thread_id=thread_id,
    )
