"""Account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tribune.services.passwords import MAX_LENGTH


class RegisterForm(FlaskForm):
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


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me logged in on this device (30 days)"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=80)])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])
    locale = SelectField(_l("Interface language"), choices=[], validate_choice=True)


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
