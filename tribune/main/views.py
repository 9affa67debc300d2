"""The home page, the interface language switch, and the about page."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session

from tribune.accounts.forms import EmptyForm
from tribune.forum import queries
from tribune.net import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Both spaces side by side: the tribune's debates and the agenda's actions."""
    sections = queries.sections_by_area()
    return render_template(
        "main/index.html",
        sections=sections,
        latest_tribune=queries.latest_threads(area="tribune", limit=8),
        latest_agenda=queries.latest_threads(area="agenda", limit=8),
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


@bp.route("/rules")
def rules():
    """The forum's rules, as administrators wrote them, in the reader's language if written."""
    from tribune.i18n import current_locale
    from tribune.services import site

    rules_html = site.current().html("rules", current_locale())
    if rules_html is None:
        abort(404)
    return render_template("main/rules.html", rules_html=rules_html)


@bp.app_context_processor
def _forms():
    # The language switch and logout button appear on every page and need a CSRF token.
    # formdata=None: these forms never read the request, so an error page (a 413 for a body
    # too large to read) renders without touching the body.
    return {
        "button_form": lambda: EmptyForm(formdata=None),
        "request_path": lambda: request.full_path.rstrip("?"),
    }
