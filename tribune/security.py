"""Sessions, rate limits, request hygiene and the security headers every response carries."""

import logging
import re
import time
from urllib.parse import unquote_to_bytes

from flask import current_app, g, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from tribune.extensions import limiter, login_manager
from tribune.i18n import gettext as _
from tribune.i18n import lazy_gettext as _l
from tribune.i18n import ngettext
from tribune.services import Refused

# Scripts and styles come only from files on this origin: no inline code, no other origins.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

# What a moderator or administrator without two-factor authentication may still reach: setting
# it up, logging out, switching the language, and the files the pages need.
TWO_FACTOR_SETUP_ENDPOINTS = frozenset(
    {
        "accounts.two_factor",
        "accounts.two_factor_qr",
        "accounts.logout",
        "main.set_locale",
        "static",
    }
)


def load_user(flask_login_id):
    """Flask-Login loader: the id must name a live server-side session of an active account."""
    from tribune.services import sessions

    return sessions.load(flask_login_id)


def _no_client_fingerprint():
    # Flask-Login stores sha512(IP|user agent) in the cookie to detect a stolen session. For IPv4
    # that digest is reversible by trying every address, and a seized laptop would then tell where
    # its owner logged in from. Server-side sessions do the job instead, so store nothing.
    return ""


def add_security_headers(response):
    """Set the security headers on every response, errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("no_store"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_clean(raw):
    """Whether percent-decoded bytes are UTF-8 text without NUL."""
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_malformed_input():
    """Refuse (400) a path, query string or form holding NUL or bytes that are not UTF-8.

    No text needs a NUL and PostgreSQL rejects them; werkzeug would quietly turn bytes that are
    not UTF-8 into replacement characters (path, multipart fields) or drop the whole form
    (urlencoded), so this looks at the raw bytes before anything decodes them. Forms come as
    urlencoded bodies only: no page has a file upload, and multipart fields are decoded too
    leniently to check, so a multipart body is refused (415).
    """
    environ = request.environ
    try:
        # WSGI carries the path and query as bytes in latin-1 strings (PEP 3333). Some servers
        # (werkzeug's own) decode the path leniently before PATH_INFO; the request line as
        # sent (RAW_URI, REQUEST_URI: gunicorn, werkzeug, uWSGI) still holds the bytes.
        path = environ.get("PATH_INFO", "").encode("latin-1")
        query = environ.get("QUERY_STRING", "").encode("latin-1")
        target = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").encode("latin-1")
    except UnicodeEncodeError as error:
        raise BadRequest() from error
    sent_path = target.split(b"?", 1)[0]
    parts = [path, unquote_to_bytes(sent_path), unquote_to_bytes(query.replace(b"+", b" "))]
    if request.mimetype == "multipart/form-data":
        raise UnsupportedMediaType()
    if request.mimetype == "application/x-www-form-urlencoded":
        # Cached, so the form is parsed from these same bytes afterwards.
        body = request.get_data(cache=True)
        parts.append(unquote_to_bytes(body.replace(b"+", b" ")))
    if not all(map(_is_clean, parts)):
        raise BadRequest()


def load_session_early():
    """Load the user before the view runs, so the session loader's writes commit on their own."""
    if request.endpoint != "static":
        current_user._get_current_object()


def require_two_factor_for_staff():
    """Send a moderator or administrator without two-factor authentication to set it up first."""
    if not current_app.config.get("TWO_FACTOR_REQUIRED_FOR_STAFF"):
        return None
    if request.endpoint in TWO_FACTOR_SETUP_ENDPOINTS or not current_user.is_authenticated:
        return None
    from tribune import access
    from tribune.services import twofactor

    if not access.is_staff(current_user):
        return None
    if twofactor.is_enabled(current_user):
        return None
    return redirect(url_for("accounts.two_factor"))


def too_many_requests(error):
    """The 429 page, in the reader's language, saying how long to wait."""
    retry_after = None
    breached = limiter.current_limit
    if breached is not None:
        retry_after = max(1, int(breached.reset_at - time.time()))
    message = _("Too many attempts. Wait a little and try again.")
    if retry_after:
        minutes = max(1, -(-retry_after // 60))
        message += " " + ngettext(
            "You can try again in %(num)d minute.", "You can try again in %(num)d minutes.", minutes
        )
    from tribune.i18n import digits

    page = render_template("error.html", status=429, title=_("Slow down"), message=digits(message))
    response = current_app.make_response((page, 429))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def refused_page(error):
    """Safety net for a service's Refused that no view caught: a clear 403 page, never a 500."""
    page = render_template("error.html", status=403, title=_("Not now"), message=error.message)
    return page, 403


class RequestLogRedactor(logging.Filter):
    """Strip client addresses and query strings from werkzeug's request log (`flask run`).

    Werkzeug writes `203.0.113.9 - - [date] "GET /search?q=... HTTP/1.1" 200 -`; Tribune keeps no
    IP address and logs no search query, so the address becomes "-" and the query "?…".
    """

    LEADING_ADDRESS = re.compile(r"^\S+(?= - - \[)")
    QUERY = re.compile(r"\?[^\s\"]*")

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = self.LEADING_ADDRESS.sub("-", record.msg, count=1)
            record.msg = self.QUERY.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.QUERY.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


REQUEST_LOG_REDACTOR = RequestLogRedactor()


def guard_input(app):
    """Refuse malformed input before any other hook reads it (CSRF's reads the form)."""
    app.before_request(refuse_malformed_input)


def init_app(app):
    """Attach Flask-Login and Flask-Limiter, and the request and response hooks."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    # Server-side sessions replace Flask-Login's address-based protection (see above).
    login_manager.session_protection = None
    login_manager._session_identifier_generator = _no_client_fingerprint
    app.config["REMEMBER_COOKIE_DURATION"] = app.config["REMEMBER_ABSOLUTE_TIMEOUT"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", False)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    app.before_request(load_session_early)
    app.before_request(require_two_factor_for_staff)
    app.after_request(add_security_headers)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(Refused, refused_page)
    logging.getLogger("werkzeug").addFilter(REQUEST_LOG_REDACTOR)
    if app.config.get("SMTP_HOST") and not app.config.get("PUBLIC_URL"):
        app.logger.warning(
            "SMTP_HOST is set but PUBLIC_URL is not: password-reset e-mail stays off, because "
            "links built from the request's Host header could point elsewhere."
        )
