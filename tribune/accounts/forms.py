"""Account forms."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from tribune.forms import Form
from tribune.i18n import lazy_gettext as _l
from tribune.services.passwords import MAX_LENGTH


class RegisterForm(Form):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("Public. Latin letters, digits, '.', '_' or '-'."),
    )
    display_name = StringField(
        _l("Display name"),
        validators=[Optional(), Length(max=80)],
        description=_l("Optional; any script. Shown beside your posts."),
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=254)],
        description=_l("Optional, only for resetting your password. Never shown to anyone."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A few unrelated words make a strong password."),
    )
    # Shown under registration by approval only; read by the moderators who decide.
    application = TextAreaField(
        _l("Who are you?"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "For the moderators only: a few words, e.g. the association you belong to or who "
            "can vouch for you."
        ),
    )
    # Shown when the site has rules.
    accept_rules = BooleanField(_l("I have read the rules and accept them."))


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me logged in on this device (30 days)"))


def code_field(label=None):
    """A field for a 6-digit authenticator code or a recovery code."""
    return StringField(
        label or _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "dir": "ltr"},
    )


def password_field(label=None):
    return PasswordField(
        label or _l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class CodeForm(Form):
    code = code_field(_l("Code from your authenticator app, or a recovery code"))


class TwoFactorEnableForm(Form):
    code = code_field()
    password = password_field(_l("Your password"))


class TwoFactorManageForm(Form):
    password = password_field(_l("Your password"))
    code = code_field(_l("Code from your authenticator app, or a recovery code"))


class ProfileForm(Form):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=80)])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])
    locale = SelectField(_l("Interface language"), choices=[], validate_choice=True)


class CalendarForm(Form):
    calendar = SelectField(
        _l("Dates"),
        choices=[
            SelectChoice("", _l("The calendar of the interface language (Jalali in Persian)")),
            SelectChoice("jalali", _l("Jalali (Solar Hijri), with the Gregorian date beside it")),
            SelectChoice("gregorian", _l("Gregorian, with the Jalali date beside it")),
        ],
        description=_l("Actions and commemorations always show both calendars."),
    )


class PasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(Form):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A few unrelated words make a strong password."),
    )


class DeleteAccountForm(Form):
    password = password_field(_l("Your password"))
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "dir": "ltr"},
    )
    confirm = BooleanField(
        _l("I understand: my account ends for good; my posts stay, without my name."),
        validators=[DataRequired()],
    )


class EmptyForm(Form):
    """A form with only the CSRF token, for buttons that change state."""


class InvitationForm(Form):
    note = StringField(
        _l("Note for yourself"),
        validators=[Optional(), Length(max=200)],
        description=_l("Optional, e.g. whom the link is for. Only you see it."),
    )
