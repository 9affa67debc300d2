"""The forum: spaces, sections, threads, posts and their permanent links."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from tribune.forum import views  # noqa: E402, F401
