"""The associations of the coalition and their members."""

from flask import Blueprint

bp = Blueprint("associations", __name__, url_prefix="/associations")

from tribune.associations import views  # noqa: E402, F401
