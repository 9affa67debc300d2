"""The archive: every month of a space, at a permanent address."""

from flask import Blueprint

bp = Blueprint("archive", __name__)

from tribune.archive import views  # noqa: E402, F401
