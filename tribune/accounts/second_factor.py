"""Two-factor authentication settings: set up with a QR code, show recovery codes once, turn off."""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from tribune.accounts import bp, devices
from tribune.accounts.forms import EmptyForm, TwoFactorEnableForm, TwoFactorManageForm
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.services import Invalid, Refused, sessions, twofactor

# The secret being set up is made by a POST ("set up") and kept with this browser's server-side
# session until confirmed: never in the session cookie, which is signed but readable, and no
# GET writes anything.


def _staff_must_enable():
    from tribune import access

    return access.is_staff(current_user)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up two-factor authentication, or manage it once it is on."""
    g.no_store = True  # the page shows a secret or recovery codes
    if twofactor.is_enabled(current_user):
        return _manage()
    if "start" in request.form:
        if EmptyForm().validate_on_submit():
            try:
                twofactor.begin_setup(current_user)
            except Refused as refused:
                flash(str(refused.message), "error")
        return redirect(url_for(".two_factor"))
    secret = twofactor.setup_secret(current_user)
    if secret is None:
        return render_template(
            "accounts/two_factor_start.html", form=EmptyForm(), required=_staff_must_enable()
        )
    form = TwoFactorEnableForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.confirm(current_user, form.password.data, form.code.data)
        except (Invalid, Refused) as error:
            attach_error(form, error if isinstance(error, Invalid) else Invalid(error.message))
        else:
            # Other sessions ended and the account token rotated: renew this browser's id.
            user = current_user._get_current_object()
            login_user(user, remember=sessions.is_remembered(user))
            devices.trust(user)
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=secret,
        uri=twofactor.provisioning_uri(current_user, secret),
        required=_staff_must_enable(),
    )


def _manage():
    form = TwoFactorManageForm()
    if form.validate_on_submit():
        try:
            if "regenerate" in request.form:
                codes = twofactor.regenerate_recovery_codes(
                    current_user, form.password.data, form.code.data
                )
                return render_template(
                    "accounts/recovery_codes.html", codes=codes, first_time=False
                )
            twofactor.disable(current_user, form.password.data, form.code.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Two-factor authentication is off."), "success")
            return redirect(url_for(".settings"))
    return render_template(
        "accounts/two_factor_manage.html",
        form=form,
        codes_left=twofactor.recovery_codes_left(current_user),
        required=_staff_must_enable(),
    )


@bp.route("/two-factor/qr.svg")
@login_required
def two_factor_qr():
    """The QR code of the secret being set up: for its owner only, never cached, never after."""
    secret = twofactor.setup_secret(current_user)
    if twofactor.is_enabled(current_user) or secret is None:
        abort(404)
    svg = twofactor.qr_svg(twofactor.provisioning_uri(current_user, secret))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
