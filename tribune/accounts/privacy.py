"""A participant's own data: download all of it, or delete the account."""

import json

from flask import Response, flash, g, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from tribune.accounts import bp, devices
from tribune.accounts.forms import DeleteAccountForm
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.services import Invalid, Refused, accounts, mydata, twofactor


@bp.route("/my-data.json")
@login_required
def my_data():
    """Download everything Tribune holds about you, as JSON."""
    body = json.dumps(mydata.export(current_user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    filename = f"tribune-{current_user.username}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete your account: your posts stay, shown as written by a former participant."""
    g.no_store = True
    two_factor_on = twofactor.is_enabled(current_user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        check = None
        if two_factor_on:
            check = lambda user: twofactor.require(user, form.code.data or "")  # noqa: E731
        try:
            accounts.delete_account(current_user, form.password.data, confirm_second_factor=check)
        except Invalid as error:
            attach_error(form, error)
        except Refused as error:
            form.form_errors.append(str(error.message))
        else:
            logout_user()
            session.clear()
            devices.forget()
            flash(_("Your account was deleted. Thank you for taking part."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/delete.html", form=form, two_factor_on=two_factor_on)
