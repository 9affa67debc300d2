"""Register, log in (with a second step for two-factor accounts), log out, settings, profiles."""

import time

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
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from tribune import access
from tribune.accounts import bp, devices
from tribune.accounts.forms import (
    CalendarForm,
    CodeForm,
    EmptyForm,
    InvitationForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
)
from tribune.extensions import db, limiter
from tribune.forms import attach_error
from tribune.i18n import LOCALE_NAMES, current_locale, display_timezone
from tribune.i18n import gettext as _
from tribune.models import Invitation, User
from tribune.net import pseudonym, safe_next
from tribune.services import (
    Invalid,
    Refused,
    accounts,
    registration,
    sessions,
    site,
    twofactor,
)
from tribune.text.calendars import format_datetime

# How long the first login step (password right, code still to give) is remembered.
PENDING_LOGIN_SECONDS = 300


def _config_value(name):
    return lambda: current_app.config[name]


def _attempt_failed(response):
    """Rate limits on logins count failures only: a right password costs nothing."""
    return g.get("login_failed", False)


def _account_key():
    """Per-account limit key: the case-folded username typed, whoever types it from wherever."""
    return pseudonym("account", accounts.username_key(request.form.get("username", "")[:100]))


def _pending_key():
    pending = session.get("pending_login") or {}
    return pseudonym("second-factor", pending.get("user", "none"))


def log_in(user, remember=False):
    """Start a server-side session for `user` in this browser (a fresh Flask session)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    sessions.start(user, remember)
    login_user(user, remember=remember)
    devices.trust(user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Create an account, under the registration policy administrators chose."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    snapshot = site.current()
    code = request.args.get("invitation", "")
    if snapshot.registration == "invitation" and registration.open_invitation(code) is None:
        # No form to fill in without a valid link: say how to get one.
        return render_template("accounts/register_closed.html", code=code), 404 if code else 200
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = registration.join(
                form.username.data,
                form.password.data,
                email=form.email.data,
                display_name=form.display_name.data,
                invitation_code=code,
                application=form.application.data,
                accepted_rules=form.accept_rules.data,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            form.form_errors.append(str(refused.message))
        else:
            if user.approval:
                return render_template("accounts/register_pending.html", user=user)
            log_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.username), "success")
            return redirect(url_for("main.index"))
    rules_html = snapshot.html("rules", current_locale()) if snapshot.has_rules() else None
    return render_template(
        "accounts/register.html", form=form, policy=snapshot.registration, rules_html=rules_html
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _config_value("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_attempt_failed
)
# A browser that logged in to the account before (devices.py) is exempt from the account's
# limit, so an attacker failing on purpose cannot lock its owner out; it has its own limit.
@limiter.limit(
    _config_value("LOGIN_LIMIT_PER_ACCOUNT"),
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_attempt_failed,
    exempt_when=devices.trusted_for_typed_account,
)
@limiter.limit(
    _config_value("LOGIN_LIMIT_PER_DEVICE"),
    key_func=devices.limit_key,
    methods=["POST"],
    deduct_when=_attempt_failed,
    exempt_when=devices.untrusted,
)
def login():
    """Log in with username and password; accounts with two-factor go on to the code step."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data)
        except accounts.Suspended as suspended:
            g.login_failed = True
            until = format_datetime(suspended.until, current_locale(), tz=display_timezone())
            form.form_errors.append(
                _(
                    "This account is suspended by moderation until %(date)s. The reason is in "
                    "the public moderation log.",
                    date=until,
                )
            )
            return render_template("accounts/login.html", form=form)
        except accounts.AwaitingApproval as waiting:
            # The password was right: the applicant learns where the application stands.
            form.form_errors.append(str(waiting.message))
            return render_template("accounts/login.html", form=form)
        target = safe_next(request.args.get("next"), url_for("main.index"))
        if user is None:
            g.login_failed = True
            # One message whatever failed, so it reveals nothing about which accounts exist.
            form.form_errors.append(_("Username or password is not right."))
        elif twofactor.is_enabled(user):
            # Not logged in yet: the session only remembers that the password was right.
            session["pending_login"] = {
                "user": user.id,
                "token": user.session_token,
                "remember": bool(form.remember.data),
                "next": target,
                "at": int(time.time()),
            }
            return redirect(url_for(".login_code"))
        else:
            log_in(user, remember=form.remember.data)
            return redirect(target)
    return render_template("accounts/login.html", form=form)


def _pending_user():
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        return None, None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_token != pending.get("token"):
        return None, None
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    _config_value("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_attempt_failed
)
@limiter.limit(
    _config_value("SECOND_FACTOR_LIMIT"),
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=_attempt_failed,
)
def login_code():
    """The second login step: a code from the authenticator app, or a recovery code."""
    user, pending = _pending_user()
    if user is None:
        session.pop("pending_login", None)
        flash(_("Please log in again."), "error")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.verify(user, form.code.data):
            log_in(user, remember=pending.get("remember", False))
            left = twofactor.recovery_codes_left(user)
            if left <= 3:
                flash(
                    _(
                        "Only %(n)d recovery codes are left. Make new ones in your settings.",
                        n=left,
                    ),
                    "error",
                )
            return redirect(safe_next(pending.get("next"), url_for("main.index")))
        g.login_failed = True
        form.code.errors = [_("This code is not right, or was already used.")]
    return render_template("accounts/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out of this browser: its session ends on the server, copies of the cookie too."""
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        sessions.end(current_user)
        logout_user()
        session.clear()
    return redirect(url_for("main.index"))


@bp.route("/settings/calendar", methods=["POST"])
@login_required
def calendar_setting():
    """Choose the calendar dates are shown in (issue 17)."""
    form = CalendarForm(prefix="calendar")
    if form.validate_on_submit():
        accounts.set_calendar(current_user, form.calendar.data)
        flash(_("Dates are shown in the calendar you chose."), "success")
    else:
        flash(_("Choose one of the calendars offered."), "error")
    return redirect(url_for(".settings"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Profile, interface language, password, two-factor, sessions and your data."""
    profile = ProfileForm(prefix="profile", obj=current_user)
    profile.locale.choices = [SelectChoice("", _("Default (Persian)"))] + [
        SelectChoice(code, name, render_kw={"lang": code}) for code, name in LOCALE_NAMES.items()
    ]
    password = PasswordForm(prefix="password")
    calendar = CalendarForm(prefix="calendar", obj=current_user)
    if "profile-submit" in request.form and profile.validate_on_submit():
        try:
            accounts.update_profile(
                current_user,
                profile.display_name.data or "",
                profile.bio.data or "",
                profile.locale.data,
            )
        except Invalid as error:
            attach_error(profile, error)
        else:
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
            # The account token changed, so this browser's Flask-Login id (and its device
            # cookie, which the new token revoked) need renewing.
            user = current_user._get_current_object()
            login_user(user, remember=sessions.is_remembered(user))
            devices.trust(user)
            flash(_("Your password was changed. Other sessions were logged out."), "success")
            return redirect(url_for(".settings"))
    return render_template(
        "accounts/settings.html",
        profile=profile,
        password=password,
        calendar=calendar,
        sessions_form=EmptyForm(),
        sessions=sessions.for_user(current_user),
        two_factor_on=twofactor.is_enabled(current_user),
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


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id):
    """End one session from the list in the settings."""
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end_one(current_user, session_id)
        flash(_("That session was ended."), "success")
    return redirect(url_for(".settings"))


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def invitations():
    """A member's invitation links (registration by invitation): make one, see which were
    used, withdraw an unused one. A new link is shown once, here."""
    snapshot = site.current()
    if not access.can_invite(current_user, snapshot.registration):
        abort(404)
    form = InvitationForm()
    new_link = None
    status = 200
    if form.validate_on_submit():
        try:
            _invitation, code = registration.create_invitation(current_user, form.note.data)
        except Invalid as error:
            attach_error(form, error)
            status = 400
        except Refused as refused:
            form.form_errors.append(str(refused.message))
            status = 400
        else:
            base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
            new_link = base + url_for(".register", invitation=code)
            form = InvitationForm(formdata=None)
    return render_template(
        "accounts/invitations.html",
        form=form,
        new_link=new_link,
        invitations=registration.invitations_of(current_user),
        limit=snapshot.invitation_limit,
        open_count=registration.open_count(current_user),
        withdraw_form=EmptyForm(),
    ), status


@bp.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@login_required
def withdraw_invitation(invitation_id):
    """Withdraw one of one's unused invitations."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            registration.withdraw_invitation(
                current_user, db.session.get(Invitation, invitation_id)
            )
        except Refused as refused:
            flash(str(refused.message), "error")
        else:
            flash(_("The invitation was withdrawn; its link no longer works."), "success")
    return redirect(url_for(".invitations"))
