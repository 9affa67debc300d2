"""The search page: query box, filters, results grouped by thread, and how to search."""

from flask import current_app, render_template, request, url_for
from markupsafe import Markup, escape

from tribune import access
from tribune.extensions import db, limiter
from tribune.i18n import current_locale
from tribune.i18n import lazy_gettext as _l
from tribune.models import Thread
from tribune.search import bp, messages
from tribune.search import criteria as criteria_args
from tribune.search.forms import SearchForm
from tribune.services import search as search_service

PREFIXES = ("جمهو*", "democra*")


def _isolated(*words, separator=", "):
    # Persian words in a Latin sentence (or the reverse) keep their order only when each is
    # isolated; a comma between two of them would otherwise join them into one reversed run.
    return escape(separator).join(Markup('<bdi dir="auto">%s</bdi>') % word for word in words)


# The Persian samples of the help text, each isolated (the text itself is translated).
HELP_WORDS = {
    "letters": _isolated("ي/ی", "ك/ک"),
    "compounds": _isolated("می‌شود", "میشود", "می شود"),
    "plurals": Markup("; ").join([_isolated("کتاب", "کتاب‌ها"), _isolated("نماینده", "نمایندگان")]),
    "names": _isolated(
        "نویسنده:", "بخش:", "زبان:", "نوع:", "انجمن:", "حوزه:", "از:", "تا:", separator=" "
    ),
}

# Seconds a client is asked to wait when search is unavailable (a rebuild takes about that).
RETRY_AFTER = 60

# Query examples for the help panel: (Persian query, English query, what it does). The queries are
# data, not interface text: Persian readers see Persian queries, others Latin ones.
EXAMPLES = [
    ("جمهوری لائیک", "secular republic", _l("posts with both words, in any spelling")),
    ('"جمهوری دمکراتیک"', '"democratic republic"', _l("the exact phrase")),
    ("سوسیالیسم -دولتی", "socialism -state", _l("the first word but not the second")),
    ("شورا OR شوراها", "council OR councils", _l("either word")),
    ("جمهو*", "democra*", _l("words that start so (at least three letters before the *)")),
    ("area:agenda ۸ مارس", "area:agenda 8 March", _l("only in the agenda (or area:tribune)")),
    ("@sara لائیسیته", "@sara laicite", _l("only posts by this author (also author:sara)")),
    ("section:women", "section:women", _l("only in this section (its short name)")),
    ("association:paris-freedom", "association:paris-freedom", _l("written for this association")),
    ("lang:de Republik", "lang:de Republik", _l("only posts in this language: fa en de fr nl")),
    (
        "kind:paper بدیل",
        "kind:paper alternative",
        _l("position papers only (or discussion, action)"),
    ),
    (
        "after:1389-01-01 before:1389-12-29",
        "after:2010-03-21 before:2011-03-20",
        _l("between two dates, both included: Gregorian or Jalali, any digits"),
    ),
]


def _criteria_or_error(form):
    try:
        return criteria_args.from_args(
            request.args,
            per_page_default=current_app.config["SEARCH_RESULTS_PER_PAGE"],
            per_page_max=current_app.config["SEARCH_API_MAX_PER_PAGE"],
        ), None
    except criteria_args.BadParameter as error:
        return None, messages.parameter_error(error)


@bp.route("/search")
@limiter.limit(lambda: current_app.config["SEARCH_RATE_LIMIT"])
def index():
    """Search past debates: words, phrases, filters; results grouped by thread."""
    locale = current_locale()
    form = SearchForm(request.args).fill_choices(locale)
    criteria, error = _criteria_or_error(form)
    context = {
        "form": form,
        "examples": EXAMPLES,
        "outcome": None,
        "error": error,
        "error_at": None,
        "url_with": _url_with,
        "removable_filters": _removable_filters(form),
        # Each example isolated, so "democra*" keeps its star on the right in Persian text.
        "prefix_examples": [_isolated(word) for word in PREFIXES],
        "help_words": HELP_WORDS,
    }
    context["thread"] = _scope_thread(criteria)
    status = 400 if error else 200
    if criteria is not None and not criteria.is_blank:
        try:
            context["outcome"] = search_service.run(criteria)
        except search_service.QuerySyntaxError as problem:
            context["error"] = messages.query_error(problem)
            context["error_at"] = problem.position if problem.position >= 0 else None
            status = 400
        except search_service.SearchUnavailable as problem:
            # The reason goes to the log for the operator; readers get a kind word and a time.
            current_app.logger.error("search unavailable: %s", problem)
            context["unavailable"] = messages.unavailable()
            status = 503
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else {}
    return render_template("search/index.html", **context), status, headers


def _url_with(**changes):
    """This search's address with some parameters changed (None removes one)."""
    args = {key: value for key, value in request.args.items() if value}
    args.update(changes)
    return url_for("search.index", **{k: v for k, v in args.items() if v is not None})


def _removable_filters(form):
    """(label, value, address without it) of each filter chosen in the form's fields."""
    fields = (
        form.area,
        form.section,
        form.author,
        form.association,
        form.lang,
        form.kind,
        form.date_from,
        form.date_to,
    )
    chosen = []
    for field in fields:
        if not field.data:
            continue
        value = field.data
        for key, label, *_rest in getattr(field, "choices", None) or ():
            if key == value:  # a select: show the option's label, not its key
                value = str(label)
        chosen.append((str(field.label.text), value, _url_with(**{field.name: None, "page": None})))
    return chosen


def _scope_thread(criteria):
    # "Search in this thread": the thread's title is shown only if a reader may see it.
    if criteria is None or criteria.thread_id is None:
        return None
    thread = db.session.get(Thread, criteria.thread_id)
    return thread if access.can_view_thread_title(None, thread) else None
