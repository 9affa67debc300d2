"""Notifications and watching (issue 16): the list, the header count, the watch buttons."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from tribune.notifications import views  # noqa: E402, F401
