"""What every view shares: paging arguments, the id converter and the error pages."""

from flask import abort, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import IntegerConverter

from tribune.extensions import db
from tribune.i18n import gettext as _
from tribune.i18n import lazy_gettext as _l
from tribune.models.base import MAX_ID
from tribune.services import NotFound

# No list has this many pages; a larger ?page= names no page (and its OFFSET could overflow).
MAX_PAGE = 2**31 - 1
# How long a client is asked to wait after a 503 that did not say (seconds).
DEFAULT_RETRY_AFTER = 30


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to what an id column holds: a larger id is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_arg():
    """The ?page= number of a paginated list: 1 when absent, a 404 when it names no page."""
    raw = request.args.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        abort(404)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def existing_page(pagination):
    """`pagination`, or a 404 when its page lies past the last (page 1 of an empty list exists)."""
    if pagination.page > max(pagination.pages, 1):
        abort(404)
    return pagination


def init_app(app):
    """The id converter and the error handlers (blueprints: tribune/blueprints.py)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json():
    return request.path.startswith("/api/")


def _error_page(status, title, message):
    if _wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, title=title, message=message), status


def _csrf_error(error):
    return _error_page(
        400,
        _("The form expired"),
        _("The page was open too long or came from elsewhere. Go back, reload it and try again."),
    )


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You may not do this.")),
    404: (_l("Not found"), _l("There is nothing here. It may never have existed.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    415: (_l("Not accepted"), _l("This address does not accept data in this form.")),
    429: (_l("Slow down"), _l("Too many attempts. Wait a little and try again.")),
    503: (_l("Not available"), _l("This is not available just now. Try again in a little while.")),
}


# Headers an HTTP error carries that its page must keep: Allow on a 405, Retry-After on a 503.
KEPT_ERROR_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _http_error(error):
    title, message = ERROR_TEXTS.get(error.code, (error.name, ""))
    body, status = _error_page(error.code or 500, str(title), str(message))
    response = current_app.make_response((body, status))
    for name, value in error.get_headers():
        if name in KEPT_ERROR_HEADERS:
            response.headers[name] = value
    if status == 503:
        # Whatever made the service unavailable, a client should come back, not hammer it.
        response.headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER))
    return response


def _not_found(error):
    # A service's NotFound ("does not exist, or you may not know it does") is the site's 404,
    # page or JSON alike, so views need not translate it one by one.
    return _http_error(HTTPNotFound())


def _unexpected_error(error):
    # Never show a stack trace; roll back so the next request starts clean. The traceback goes
    # to the server log, which carries no personal data.
    db.session.rollback()
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _error_page(
        500, _("Something went wrong"), _("The error was recorded. Nothing you saved was lost.")
    )
