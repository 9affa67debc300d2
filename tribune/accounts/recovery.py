"""Password reset: ask for a link by e-mail, follow it, choose a new password; admin links."""

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from tribune import access
from tribune.accounts import bp
from tribune.accounts.forms import EmptyForm, NewPasswordForm, ResetRequestForm
from tribune.extensions import limiter
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.services import Invalid, accounts, resets

# The token moves from the address to the session at once, so it stays out of the address bar,
# the history and any Referer (Django does the same).
TOKEN_KEY = "reset_token"  # noqa: S105  (a session key name, not a secret)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"], methods=["POST"])
def reset_request():
    """Ask for a reset link. The answer is the same whether or not an account has the address."""
    if not resets.mail_enabled():
        return render_template("accounts/reset_request.html", form=None)
    form = ResetRequestForm()
    if form.validate_on_submit():
        # Lookup and sending happen off the request, so the answer also takes the same time.
        resets.dispatch(form.email.data)
        flash(
            _(
                "If an account has this address, a message with a link is on its way. "
                "The link works once, for %(minutes)d minutes.",
                minutes=current_app.config.get("RESET_TOKEN_MINUTES"),
            ),
            "success",
        )
        return redirect(url_for(".reset_request"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>")
def reset_with_token(token):
    """Follow a reset link: keep the token in the session and go to the password form."""
    session[TOKEN_KEY] = token[:100]
    return redirect(url_for(".reset_password"))


@bp.route("/reset/new-password", methods=["GET", "POST"])
def reset_password():
    """Choose a new password with the token from the link."""
    g.no_store = True
    token = session.get(TOKEN_KEY)
    if resets.find(token) is None:
        session.pop(TOKEN_KEY, None)
        return render_template("accounts/reset_password.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            resets.complete(token, form.new_password.data)
        except Invalid as error:
            # Password rules name the field "password"; here it is "new_password".
            field = "new_password" if error.field == "password" else error.field
            attach_error(form, Invalid(error.message, field=field))
        else:
            session.clear()
            flash(_("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/u/<username>/reset-link", methods=["POST"])
@login_required
def admin_reset_link(username):
    """An administrator issues a reset link for an account, to hand over in person."""
    if not access.is_admin(current_user):
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for(".profile", username=username))
    user = accounts.find_by_username(username)
    url = resets.issue_admin_link(
        current_user, user, current_app.config.get("PUBLIC_URL") or request.host_url
    )
    g.no_store = True
    return render_template(
        "accounts/reset_link.html",
        person=user,
        url=url,
        minutes=current_app.config.get("ADMIN_RESET_LINK_MINUTES"),
    )
