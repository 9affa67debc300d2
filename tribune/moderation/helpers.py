"""Small helpers shared by the moderation views."""

from flask import abort, flash, redirect

from tribune.extensions import db
from tribune.i18n import current_locale
from tribune.services import accounts


def get_or_404(model, object_id):
    """The object with this id, or a 404."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def user_or_404(username):
    """The account with this username, or a 404."""
    user = accounts.find_by_username(username)
    if user is None:
        abort(404)
    return user


def done(message, target):
    """Say it worked, and go on to `target`."""
    flash(message, "success")
    return redirect(target)


def refused_answer(refused, target):
    """Say why the act was refused (a service's Refused, or its Invalid where there is no form
    to show it on), and go back to `target`."""
    flash(str(refused.message), "error")
    return redirect(target)


def locale():
    """The interface language of this request."""
    return current_locale()
