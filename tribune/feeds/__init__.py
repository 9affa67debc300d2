"""Atom feeds (issue 16): for readers who give no address, one per page worth following."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from tribune.feeds import views  # noqa: E402, F401
