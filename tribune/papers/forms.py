"""Forms of the tribune's debates: papers, syntheses, translations."""

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tribune.forms import BodyField, Form
from tribune.forum.forms import LANGUAGE_CHOICES
from tribune.i18n import lazy_gettext as _l
from tribune.services.debate import POSITION_LIMIT, SUMMARY_LIMIT

MARKDOWN_HELP = _l("Markdown: **bold**, *italic*, [link](https://…), > quote, - list.")


class PaperFieldsForm(Form):
    position = StringField(
        _l("Position defended"),
        validators=[DataRequired(), Length(max=POSITION_LIMIT)],
        description=_l("A short label, e.g. «سوسیالیسم» or «جمهوری دمکراتیک لائیک»."),
        render_kw={"list": "known-positions", "autocomplete": "off"},
    )
    summary = TextAreaField(
        _l("Thesis in a few sentences"),
        validators=[DataRequired(), Length(max=SUMMARY_LIMIT)],
        description=_l("Shown in the lists of papers, so readers can compare them."),
    )


class PaperForm(PaperFieldsForm):
    section = SelectField(_l("Section"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = BodyField(
        _l("Text of the paper"),
        validators=[DataRequired()],
        description=MARKDOWN_HELP,
    )
    associations = SelectMultipleField(
        _l("Co-signed by"),
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("Associations you are a confirmed member of. Optional."),
    )


class CloseForm(Form):
    agreed = BodyField(
        _l("What was agreed"),
        validators=[Optional()],
        description=MARKDOWN_HELP,
    )
    disputed = BodyField(
        _l("What remains disputed"),
        validators=[Optional()],
        description=MARKDOWN_HELP,
    )


class TranslationForm(Form):
    language = SelectField(_l("Translate into"), choices=[])
    title = StringField(
        _l("Title in this language"),
        validators=[Optional(), Length(max=200)],
    )
    body = BodyField(
        _l("Translation"),
        validators=[DataRequired()],
        description=MARKDOWN_HELP,
    )
