"""Moderation pages: reports, acts on posts, threads and accounts, terms, and the public log.

Every route declares beside itself who may reach it, `@requires(access.<rule>)`, and one guard
asks that rule before any of them runs. A route without a declaration is refused: a new page is
closed until someone says who it is for, and renaming a route changes nothing. Anyone refused
gets 404, as if the page did not exist (tests/moderation/test_moderation_routes.py checks that
every route of the blueprint declares its rule).
"""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def requires(rule, login=False):
    """Declare who may reach a moderation route: `rule(current_user)` must be true (a predicate
    of tribune/access.py). With `login=True` a reader without an account is sent to log in
    rather than told that nothing is here."""

    def declare(view):
        view.moderation_rule = (rule, login)
        return view

    return declare


@bp.before_request
def _guard():
    declared = getattr(current_app.view_functions.get(request.endpoint), "moderation_rule", None)
    if declared is None:
        abort(404)
    rule, login = declared
    if login and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not rule(current_user):
        abort(404)
    return None


from tribune.moderation import account_views, application_views, thread_views, views  # noqa: E402, F401
