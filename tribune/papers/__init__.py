"""Position papers: co-signatures, translations, quotes and closing a debate."""

from flask import Blueprint

bp = Blueprint("papers", __name__, url_prefix="/papers")

from tribune.papers import views  # noqa: E402, F401
