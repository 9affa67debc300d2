"""The home page, the language switch, help pages and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from tribune.main import views  # noqa: E402, F401
