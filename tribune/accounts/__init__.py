"""Accounts: registration, login, two-factor authentication, recovery, profiles, privacy."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

from tribune.accounts import privacy, profile_page, recovery, second_factor, views  # noqa: E402, F401
