"""Moderation pages: reports, acts on posts, threads and accounts, terms, and the public log."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from tribune.moderation import account_views, application_views, thread_views, views  # noqa: E402, F401
