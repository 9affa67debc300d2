"""Interface language, text direction, and dates and numbers in the reader's calendar and digits."""

from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import LazyString, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from tribune.extensions import babel
from tribune.text import calendars

RTL_LOCALES = frozenset({"fa", "ar", "he", "ur"})

# Names of the interface languages, each in its own language, for the language switcher.
LOCALE_NAMES = {"fa": "فارسی", "en": "English", "de": "Deutsch", "fr": "Français"}

# Names of content languages (posts, translations), each in its own language.
LANGUAGE_NAMES = {
    "fa": "فارسی",
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "nl": "Nederlands",
}


def select_locale():
    """Explicit choice in the session, then the account's preference, then Persian."""
    locales = current_app.config["LOCALES"]
    if not has_request_context():
        # Command-line work (imports, demo) speaks the default language.
        return current_app.config["DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if request.endpoint == "main.set_locale" and request.args.get("locale") in locales:
        # The page asking "switch to this language?" speaks the language offered.
        chosen = request.args["locale"]
    if chosen in locales:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    # The language administrators chose for the site (services/site_cache.py; the configured
    # one until they choose), asked through the function create_app() gave: the services sit
    # above this module, which they use for their messages.
    return current_app.extensions["tribune.site_locale"]()


def current_locale():
    """The interface language code of this request ("fa", "en", ...)."""
    babel_locale = get_locale()
    if babel_locale is None:
        return current_app.config["DEFAULT_LOCALE"]
    # Asked for every date and number on a page: the code is remembered beside the Locale it was
    # read from (Flask-Babel keeps one per request; force_locale swaps it), see issue 14.
    remembered = g.get("tribune_locale") if has_request_context() else None
    if remembered is not None and remembered[0] is babel_locale:
        return remembered[1]
    code = str(babel_locale)
    if has_request_context():
        g.tribune_locale = (babel_locale, code)
    return code


def gettext(string, **variables):
    """Flask-Babel's gettext, with numbers in the reader's digits (calendars.format_message)."""
    translated = get_translations().ugettext(string)
    if not variables:
        return translated
    return calendars.format_message(translated, variables, current_locale())


def ngettext(singular, plural, num, **variables):
    """Flask-Babel's ngettext (num is also %(num)d), with numbers in the reader's digits."""
    variables.setdefault("num", num)
    translated = get_translations().ungettext(singular, plural, num)
    return calendars.format_message(translated, variables, current_locale())


def lazy_gettext(string, **variables):
    """gettext when the text is shown, in the language of that request."""
    return LazyString(gettext, string, **variables)


def text_direction(locale=None):
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if (locale or current_locale()) in RTL_LOCALES else "ltr"


def display_timezone():
    """The time zone dates are shown in."""
    if "display_tz" not in g:
        g.display_tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return g.display_tz


def number(value):
    """A count in the reader's digits, grouped by the reader's convention."""
    return calendars.format_number(int(value), current_locale())


def digits(value):
    """Any text with its digits in the reader's script."""
    return calendars.localize_digits(value, current_locale())


def dates_locale():
    """The locale dates are formatted in: the interface language's, or "en@jalali" (say) when
    the reader chose the other calendar in their settings (calendars.date_locale)."""
    locale = current_locale()
    user = current_user if has_request_context() else None
    if user is not None and user.is_authenticated and getattr(user, "calendar", ""):
        return calendars.date_locale(locale, user.calendar)
    return locale


def when(dt, with_time=True):
    """A <time> element: the reader's calendar shown, the other calendar in the title."""
    if dt is None:
        return ""
    return time_element(dt, dates_locale(), display_timezone(), with_time)


# A post's <time> is the same for every reader of its language and calendar, and a thread is
# read many times: the elements of the last few thousand (moment, dates locale, zone) are kept
# (issue 14). The other calendar's date is in the title (a mouse) and shown beside the date
# when it has the focus (a tap on a phone, the keyboard): tribune.css, "time[data-other]"
# (issue 17).
@lru_cache(maxsize=8192)
def time_element(dt, locale, tz, with_time):
    shown = calendars.format_datetime(dt, locale, tz=tz, with_time=with_time)
    other = escape(calendars.other_calendar(dt, locale, tz=tz))
    # Every part escaped, joined by one f-string: less than half the cost of Markup's %, which
    # wraps each argument in a Python helper (issue 14).
    return Markup(  # noqa: S704  # nosec B704: every part is escaped
        f'<time datetime="{escape(dt.isoformat())}" title="{other}" data-other="{other}"'
        f' tabindex="0">{escape(shown)}</time>'
    )


# Template versions of the helpers above. A thread page calls them once or twice per post;
# they read the language, time zone and catalogue that `_page_language` put into the page's
# context once, instead of asking Flask-Babel through the request's proxies every time (the
# profile in issue 14 had those look-ups at a quarter of the page). A template rendered under
# force_locale (e-mail) gets its own context, so it reads its own language.
PAGE_TRANSLATIONS = "page_translations"


@pass_context
def _when_filter(context, dt, with_time=True):
    if dt is None:
        return ""
    locale = context.get("page_dates") or dates_locale()
    tz = context.get("page_tz") or display_timezone()
    return time_element(dt, locale, tz, with_time)


@pass_context
def _number_filter(context, value):
    return calendars.format_number(int(value), context.get("page_lang") or current_locale())


@pass_context
def _digits_filter(context, value):
    return calendars.localize_digits(value, context.get("page_lang") or current_locale())


def _page_catalogue(context):
    return context.get(PAGE_TRANSLATIONS) or get_translations()


# Jinja's "newstyle" gettext: the message is a format string filled with the keyword arguments,
# escaped when the template autoescapes. Written here rather than through Jinja's own wrapper,
# which formats every message, even one without placeholders, through Markup's % (a thread
# page makes about 90 such calls; the wrapper was 4 % of the page, issue 14). Same semantics:
# a message with a "%" is still formatted, so "%%" reads as "%" either way.
def _newstyle(context, text, variables):
    if context.eval_ctx.autoescape:
        # The project's own catalogue, as in Jinja's wrapper; the variables are escaped by %.
        text = Markup(text)  # noqa: S704  # nosec B704: our own catalogue
    if variables or "%" in text:
        return text % variables
    return text


@pass_context
def _gettext(context, message, **variables):
    return _newstyle(context, _page_catalogue(context).ugettext(message), variables)


@pass_context
def _ngettext(context, singular, plural, n, **variables):
    variables.setdefault("num", n)
    text = _page_catalogue(context).ungettext(singular, plural, n)
    return _newstyle(context, text, variables)


@pass_context
def _pgettext(context, msgctxt, message, **variables):
    variables.setdefault("context", msgctxt)
    return _newstyle(context, _page_catalogue(context).upgettext(msgctxt, message), variables)


@pass_context
def _npgettext(context, msgctxt, singular, plural, n, **variables):
    variables.setdefault("context", msgctxt)
    variables.setdefault("num", n)
    text = _page_catalogue(context).unpgettext(msgctxt, singular, plural, n)
    return _newstyle(context, text, variables)


def language_name(code):
    """The name of a content language, in that language."""
    return LANGUAGE_NAMES.get(code, code)


def init_app(app, site_locale):
    """Attach Flask-Babel and the template helpers; `site_locale()` is the site's language."""
    app.extensions["tribune.site_locale"] = site_locale
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        number=_number_filter, digits=_digits_filter, when=_when_filter, language_name=language_name
    )
    # Same catalogue as Flask-Babel's own callables, looked up once per page (see above). They
    # fill their placeholders themselves (newstyle semantics, see _newstyle), so Jinja must not
    # wrap them again; no template uses {% trans %}, whose compilation the flag also decides.
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=False,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.jinja_env.globals.update(
        current_locale=current_locale,
        text_direction=text_direction,
        LOCALE_NAMES=LOCALE_NAMES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )

    @app.context_processor
    def _page_language():
        locale = current_locale()
        return {
            "page_lang": locale,
            "page_dates": dates_locale(),
            "page_dir": text_direction(locale),
            "page_tz": display_timezone(),
            PAGE_TRANSLATIONS: get_translations(),
        }
