"""Moderation forms. Every act has a required, published reason."""

from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tribune.forms import Form
from tribune.i18n import lazy_gettext as _l
from tribune.moderation.labels import REPORT_REASON_LABELS, interval_label
from tribune.services.moderation import MAX_REASON_LENGTH, SLOW_MODE_CHOICES

REASON_HELP = _l("Published in the moderation log, with your name and term.")


def reason_field(label=None):
    return TextAreaField(
        label or _l("Reason"),
        validators=[DataRequired(), Length(max=MAX_REASON_LENGTH)],
        description=REASON_HELP,
    )


class ReasonForm(Form):
    """Hide, unhide, lock, unlock, pin, unpin, lift, disable, reinstate: a reason is all."""

    reason = reason_field()


class ReportForm(Form):
    reason = SelectField(
        _l("What is wrong with this post?"),
        choices=[SelectChoice(code, label) for code, label in REPORT_REASON_LABELS.items()],
        validators=[InputRequired()],
    )
    details = TextAreaField(
        _l("Details"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Only moderators read your report; your name is not shown to anyone else."),
    )


class HandleReportForm(Form):
    note = TextAreaField(
        _l("Note"),
        validators=[DataRequired(), Length(max=MAX_REASON_LENGTH)],
        description=REASON_HELP,
    )


class MoveForm(Form):
    section = SelectField(_l("Move to section"), coerce=int, validators=[InputRequired()])
    reason = reason_field()


class MergeForm(Form):
    target = IntegerField(
        _l("Number of the thread to merge into"),
        validators=[InputRequired(), NumberRange(min=1)],
        description=_l("The older thread: its address ends in /t/NUMBER."),
    )
    reason = reason_field()


class TitleForm(Form):
    title = StringField(_l("New title"), validators=[DataRequired(), Length(max=200)])
    reason = reason_field()


class SlowModeForm(Form):
    seconds = SelectField(
        _l("Minimum time between a participant's replies"),
        coerce=int,
        choices=[],
    )
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seconds.choices = [SelectChoice(s, interval_label(s)) for s in SLOW_MODE_CHOICES]


class SplitForm(Form):
    posts = SelectMultipleField(
        _l("Replies to move"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired()],
    )
    title = StringField(_l("Title of the new thread"), validators=[DataRequired(), Length(max=200)])
    section = SelectField(_l("Section of the new thread"), coerce=int)
    reason = reason_field()


class RestrictForm(Form):
    kind = SelectField(
        _l("Restriction"),
        choices=[
            SelectChoice("silence", _l("Silence: can read, cannot write")),
            SelectChoice("suspend", _l("Suspend: logged out, cannot log in")),
        ],
    )
    days = IntegerField(
        _l("For how many days"), validators=[InputRequired(), NumberRange(min=1, max=3650)]
    )
    reason = reason_field()


class TermForm(Form):
    username = StringField(_l("Participant (username)"), validators=[DataRequired()])
    association = SelectField(_l("On behalf of the association"), choices=[])
    starts_on = DateField(_l("First day (UTC)"), validators=[InputRequired()])
    ends_on = DateField(
        _l("Last day (UTC)"),
        validators=[InputRequired()],
        description=_l("Powers begin at 00:00 UTC on the first day and end after the last day."),
    )
    reason = reason_field()


class HandoverForm(Form):
    note = TextAreaField(
        _l("Handover note for the next moderators"),
        validators=[Length(max=10_000)],
        description=_l("Read by moderators only: open questions, ongoing cases, advice."),
    )
