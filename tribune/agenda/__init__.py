"""The agenda (/calendar): actions and commemorations, in the reader's calendar."""

from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/calendar")

from tribune.agenda import views  # noqa: E402, F401
