"""The home page, the interface language switch, the about and help pages, the health check."""

import time
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tribune import fulltext
from tribune.accounts.forms import EmptyForm
from tribune.extensions import db
from tribune.forum import queries
from tribune.fulltext.backend import SearchUnavailable
from tribune.main import bp
from tribune.net import safe_next


@bp.route("/")
def index():
    """Both spaces side by side: the tribune's debates and the agenda's actions."""
    sections = queries.sections_by_area()
    return render_template(
        "main/index.html",
        sections=sections,
        latest_tribune=queries.latest_threads(sections.get("tribune", []), limit=8),
        latest_agenda=queries.latest_threads(sections.get("agenda", []), limit=8),
    )


@bp.route("/locale", methods=["GET", "POST"])
def set_locale():
    """Switch the interface language for this browser (GET: ask, in the language chosen)."""
    form = EmptyForm()
    if request.method == "GET":
        # Readers without a session arrive here from the footer: the choice is the first thing
        # this browser keeps, so the cookie starts with it, not with their first page view.
        chosen = request.args.get("locale", "")
        return render_template(
            "main/locale.html",
            form=form,
            chosen=chosen if chosen in current_app.config["LOCALES"] else "",
            next=safe_next(request.args.get("next")),
        )
    code = request.form.get("locale", "")
    if form.validate_on_submit() and code in current_app.config["LOCALES"]:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next")))


@bp.route("/about")
def about():
    """What Tribune is and the rules it keeps."""
    return render_template("main/about.html")


@bp.route("/help")
def help_page():
    """Using the forum: keyboard shortcuts, permanent links, printing, dark mode."""
    return render_template("main/help.html")


@bp.route("/rules")
def rules():
    """The forum's rules, as administrators wrote them, in the reader's language if written."""
    from tribune.i18n import current_locale
    from tribune.services import site

    rules_html = site.current().html("rules", current_locale())
    if rules_html is None:
        abort(404)
    return render_template("main/rules.html", rules_html=rules_html)


def absolute_link(path):
    """`path` (from url_for) as a full address, for print: the public address's origin
    (PUBLIC_URL) when configured, else this request's. Computed once per request."""
    origin = g.get("tribune_origin")
    if origin is None:
        public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
        if public.scheme and public.netloc:
            origin = f"{public.scheme}://{public.netloc}"
        else:
            origin = request.host_url.rstrip("/")
        g.tribune_origin = origin
    return f"{origin}{path}"


def page_forms():
    # The language switch and logout button appear on every page and need a CSRF token.
    # formdata=None: these forms never read the request, so an error page (a 413 for a body
    # too large to read) renders without touching the body.
    return {
        "button_form": lambda: EmptyForm(formdata=None),
        "request_path": lambda: request.full_path.rstrip("?"),
    }


# /healthz: for a proxy or an orchestrator. The database is asked on every call; the search data
# once per HEALTH_SEARCH_SECONDS per process (its quick status still counts rows).
_search_health = {"checked": 0.0, "state": None}


@bp.route("/healthz")
def healthz():
    """Whether this process can serve: database reachable (else 503), search data sound."""
    database_ok = True
    try:
        db.session.execute(select(1))
    except SQLAlchemyError:
        db.session.rollback()
        database_ok = False
    search = _search_state() if database_ok else {"healthy": None}
    status = "ok" if database_ok and search["healthy"] else "degraded" if database_ok else "down"
    body = {"status": status, "database": "ok" if database_ok else "unreachable", "search": search}
    response = jsonify(body)
    response.status_code = 200 if database_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _search_state():
    now = time.monotonic()
    if _search_health["state"] is None or (
        now - _search_health["checked"] > current_app.config["HEALTH_SEARCH_SECONDS"]
    ):
        backend = fulltext.current()
        try:
            state = backend.status(lambda: Session(db.engine), thorough=False)
            healthy, problems = state.healthy, len(state.problems)
        except SearchUnavailable:
            healthy, problems = False, 1
        # Problems are named by `flask search status`; a public endpoint only counts them.
        _search_health["state"] = {
            "backend": backend.name,
            "healthy": healthy,
            "problems": problems,
        }
        _search_health["checked"] = now
    return _search_health["state"]
