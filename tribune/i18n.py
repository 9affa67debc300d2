"""Interface language, text direction, and dates and numbers in the reader's calendar and digits."""

from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

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
    # The language administrators chose for the site (services/site.py; the configured one
    # until they choose).
    from tribune.services import site

    return site.current().default_locale


def current_locale():
    """The interface language code of this request ("fa", "en", ...)."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


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


def when(dt, with_time=True):
    """A <time> element: the reader's calendar shown, the other calendar in the title."""
    if dt is None:
        return ""
    locale = current_locale()
    tz = display_timezone()
    shown = calendars.format_datetime(dt, locale, tz=tz, with_time=with_time)
    other = calendars.other_calendar(dt, locale, tz=tz)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(dt.isoformat(), other, shown)


def language_name(code):
    """The name of a content language, in that language."""
    return LANGUAGE_NAMES.get(code, code)


def init_app(app):
    """Attach Flask-Babel and the template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        number=number, digits=digits, when=when, language_name=language_name
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
        return {"page_lang": locale, "page_dir": text_direction(locale)}
