"""Forms for opening threads, replying and editing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tribune.i18n import LANGUAGE_NAMES

LANGUAGE_CHOICES = [
    SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()
]


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=100_000)],
        description=_l("Markdown: **bold**, *italic*, [link](https://…), > quote, - list."),
    )


class ReplyForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=100_000)])


class EditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=100_000)])
