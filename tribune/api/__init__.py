"""The JSON API (/api/v1): read-only, GET only."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from tribune.api import views  # noqa: E402, F401
