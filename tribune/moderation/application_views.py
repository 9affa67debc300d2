"""The queue of applications (registration by approval): moderators admit or decline."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tribune import access
from tribune.extensions import db
from tribune.i18n import gettext as _
from tribune.models import User
from tribune.moderation import bp, requires
from tribune.moderation.forms import ReasonForm
from tribune.moderation.helpers import refused_answer
from tribune.services import Invalid, NotFound, Refused, registration


@bp.route("/applications")
@requires(access.can_decide_applications)
def applications():
    """Applicants waiting for a decision, oldest first, with what they wrote."""
    return render_template(
        "moderation/applications.html",
        pending=registration.pending_applications(),
        form=ReasonForm(prefix="decide"),
    )


@bp.route("/applications/<int:user_id>", methods=["POST"])
@requires(access.can_decide_applications)
def decide_application(user_id):
    """Admit or decline one applicant, with a reason."""
    back = url_for(".applications")
    form = ReasonForm(prefix="decide")
    if not form.validate_on_submit():
        flash(_("Give the reason; the applicant reads it."), "error")
        return redirect(back)
    admit = request.form.get("decision") == "admit"
    try:
        registration.decide_application(
            current_user, db.session.get(User, user_id), admit, form.reason.data
        )
    except NotFound:
        return redirect(back)
    except (Invalid, Refused) as error:
        return refused_answer(error, back)
    flash(_("Admitted.") if admit else _("Declined; the applicant will read your reason."),
          "success")
    return redirect(back)
