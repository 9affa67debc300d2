"""Forms for opening threads, replying and editing."""

from wtforms import (
    FieldList,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Form as EntryForm
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tribune.forms import BodyField, Form
from tribune.i18n import LANGUAGE_NAMES
from tribune.i18n import lazy_gettext as _l

LANGUAGE_CHOICES = [
    SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()
]


class ThreadForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = BodyField(
        _l("Text"),
        validators=[DataRequired()],
        description=_l("Markdown: **bold**, *italic*, [link](https://…), > quote, - list."),
    )


class QuoteEntry(EntryForm):
    """A passage quoted in a reply (services/debate_posts.py checks it against the post)."""

    post_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    passage = TextAreaField(_l("Quoted passage"), validators=[Optional(), Length(max=3000)])


class ReplyForm(Form):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = BodyField(_l("Your reply"), validators=[DataRequired()])
    # The post answered and the passages quoted (papers/_reply_extra.html, static/js/quote.js).
    reply_to = IntegerField(widget=HiddenInput(), validators=[Optional()])
    quotes = FieldList(FormField(QuoteEntry), min_entries=0, max_entries=5)

    def quote_pairs(self):
        """[(post_id, passage)] of the quote entries."""
        return [(entry.post_id.data, entry.passage.data) for entry in self.quotes]


class EditForm(Form):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    body = BodyField(_l("Text"), validators=[DataRequired()])
    reason = StringField(
        _l("Why you edit it (optional)"),
        validators=[Optional(), Length(max=300)],
        description=_l("Shown in the post's public history, e.g. “a typo” or “added a source”."),
    )
