"""Register, log in and out, profile settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms import SelectChoice

from tribune.accounts.forms import EmptyForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from tribune.extensions import db, limiter
from tribune.forms import attach_error
from tribune.i18n import LOCALE_NAMES
from tribune.models import Post, Thread
from tribune.net import safe_next
from tribune.services import Invalid, accounts

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Create an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(
                form.username.data,
                form.password.data,
                email=form.email.data,
                display_name=form.display_name.data,
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            session.clear()
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.username), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def login():
    """Log in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            # One message whatever failed, so it reveals nothing about which accounts exist.
            form.form_errors.append(_("Username or password is not right."))
        else:
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out of this browser."""
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        session.clear()
    return redirect(url_for("main.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Profile, interface language, password and sessions."""
    profile = ProfileForm(prefix="profile", obj=current_user)
    profile.locale.choices = [SelectChoice("", _("Default (Persian)"))] + [
        SelectChoice(code, name, render_kw={"lang": code}) for code, name in LOCALE_NAMES.items()
    ]
    password = PasswordForm(prefix="password")
    if "profile-submit" in request.form and profile.validate_on_submit():
        accounts.update_profile(
            current_user,
            profile.display_name.data or "",
            profile.bio.data or "",
            profile.locale.data,
        )
        session.pop("locale", None)
        flash(_("Your profile was saved."), "success")
        return redirect(url_for(".settings"))
    if "password-submit" in request.form and password.validate_on_submit():
        try:
            accounts.change_password(
                current_user, password.current_password.data, password.new_password.data
            )
        except Invalid as error:
            attach_error(password, error)
        else:
            # The token changed, so this browser's session needs a fresh id too.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed. Other sessions were logged out."), "success")
            return redirect(url_for(".settings"))
    return render_template(
        "accounts/settings.html", profile=profile, password=password, sessions_form=EmptyForm()
    )


@bp.route("/sessions/end", methods=["POST"])
@login_required
def end_sessions():
    """Log out everywhere, this browser included."""
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You were logged out on every device."), "success")
    return redirect(url_for("main.index"))


@bp.route("/u/<username>")
def profile(username):
    """A participant's public page: name, bio, recent threads and posts. Never the e-mail."""
    user = accounts.find_by_username(username)
    if user is None:
        abort(404)
    threads = db.session.scalars(
        select(Thread).where(Thread.author_id == user.id).order_by(Thread.id.desc()).limit(20)
    ).all()
    post_count = db.session.scalar(
        select(db.func.count(Post.id)).where(Post.author_id == user.id, Post.is_hidden.is_(False))
    )
    return render_template(
        "accounts/profile.html", person=user, threads=threads, post_count=post_count
    )
