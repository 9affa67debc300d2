"""Writing without losing (issue 16): the preview of a text, rendered as it will be saved."""

from flask import Blueprint

bp = Blueprint("compose", __name__, url_prefix="/compose")

from tribune.compose import views  # noqa: E402, F401
