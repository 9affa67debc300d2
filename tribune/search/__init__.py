"""The search page (/search) and the search commands (flask search ...)."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from tribune.search import views  # noqa: E402, F401
