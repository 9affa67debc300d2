"""Readers' words for query mistakes: one translatable message per QuerySyntaxError code.

querylang's own messages are English and name the offending text; these are what the page and
the API show, in the reader's language. The position is shown apart (the page marks the place).
"""

from tribune.fulltext.querylang import MAX_LENGTH, MAX_TERMS
from tribune.i18n import gettext as _
from tribune.i18n import lazy_gettext as _l

MESSAGES = {
    "unbalanced_quote": _l("A quotation mark is never closed: add the closing one or remove it."),
    "negated_filter": _l("Filters cannot be excluded: remove the minus sign before the filter."),
    "misplaced_or": _l("OR must stand between two words or phrases, like: strike OR protest."),
    "duplicate_filter": _l("The same filter is given twice: keep one."),
    "conflicting_filter": _l(
        "A filter is given in the query and in the form with different values: keep one."
    ),
    "empty_filter": _l("A filter needs a value right after the colon, like author:sara."),
    "bad_date": _l("That is not a date: write 2010-03-28 or, in the Jalali calendar, 1389-01-08."),
    "empty_date_range": _l("The “from” date is later than the “to” date."),
    "bad_area": _l("Unknown area: use area:tribune or area:agenda."),
    "bad_lang": _l("Unknown language: use lang:fa, lang:en, lang:de, lang:fr or lang:nl."),
    "bad_kind": _l("Unknown kind: use kind:paper, kind:discussion or kind:action."),
    "bad_section": _l("That is not the short name of a section, like section:women."),
    "bad_association": _l(
        "That is not the short name of an association, like association:hamburg-solidarity."
    ),
    "bad_author": _l("That is not a user name: use author:NAME or @NAME."),
    "empty": _l("Type at least one word to look for, or a filter such as author:NAME."),
}


def query_error(error):
    """The reader's message for a QuerySyntaxError."""
    if error.code == "too_long":
        return _("The query is too long: at most %(n)d characters.", n=MAX_LENGTH)
    if error.code == "too_many_terms":
        return _("Too many words: at most %(n)d.", n=MAX_TERMS)
    message = MESSAGES.get(error.code)
    return str(message) if message is not None else _("This query cannot be run; check it.")


def parameter_error(error):
    """The reader's message for a BadParameter (sort, page, per_page, thread)."""
    texts = {
        "sort": _l("Sort by relevance, newest or oldest."),
        "page": _l("There is no such page of results."),
        "per_page": _l("per_page must be a whole number within the allowed range."),
        "thread": _l("That is not a thread number."),
    }
    return str(texts.get(error.name, _l("A parameter is not valid.")))


def unavailable():
    """What readers see while the index is missing or damaged."""
    return _(
        "Search is unavailable for a moment: its index is being repaired. "
        "Everything else works; please try again later."
    )
