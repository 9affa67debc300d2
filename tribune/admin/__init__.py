"""The administration area: setup, sections, identity and rules, registration, people.

Every route of the blueprint is guarded in one place (`_guard`): administrators only, and for
anyone else a 404, as if the page did not exist (access.can_administer).
"""

from flask import Blueprint, abort
from flask_login import current_user

from tribune import access
from tribune.moderation.labels import REGISTRATION_POLICY_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _guard():
    if not access.can_administer(current_user):
        abort(404)


def registration_label(policy):
    """The registration policy in words (templates)."""
    return str(REGISTRATION_POLICY_LABELS.get(policy, policy))


from tribune.admin import people_views, section_views, site_views  # noqa: E402, F401
