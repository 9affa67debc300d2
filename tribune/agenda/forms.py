"""Forms of the agenda: announcing and changing actions, entering commemorations.

Dates are typed, not picked: Gregorian (2026-03-08) or Jalali (1404-12-17), in any digits, as
text/calendars.parse_user_date reads them; times as 15:00.
"""

import re
from datetime import time

from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tribune.forms import BodyField, Form
from tribune.forum.forms import LANGUAGE_CHOICES
from tribune.i18n import lazy_gettext as _l
from tribune.services.agenda import zone_names
from tribune.text.calendars import JALALI_MONTHS_LATIN, parse_user_date

# The zones of the coalition's cities first; every other zone follows.
COMMON_ZONES = (
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Rome",
    "Europe/Madrid",
    "Asia/Tehran",
    "America/Toronto",
    "America/Los_Angeles",
    "Australia/Sydney",
)
_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
GREGORIAN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def zone_choices():
    known = zone_names()
    common = [name for name in COMMON_ZONES if name in known]
    rest = [name for name in known if name not in common]
    return [SelectChoice("", _l("Choose the time zone…"))] + [
        SelectChoice(name, name.replace("_", " ")) for name in common + rest
    ]


def parse_time(text):
    """A typed wall-clock time ("15:00", "۱۵:۰۰", "9.30"), or None when empty."""
    text = (text or "").strip().translate(_ASCII_DIGITS)
    if not text:
        return None
    match = _TIME.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]))


def _valid_date(form, field):
    try:
        field.parsed = parse_user_date(field.data or "")
    except ValueError as error:
        raise ValidationError(
            _l("Write the date as year-month-day: 2026-03-08, or Jalali 1404-12-17.")
        ) from error


def _valid_time(form, field):
    try:
        field.parsed = parse_time(field.data)
    except ValueError as error:
        raise ValidationError(_l("Write the time as hours:minutes, for example 15:00.")) from error


class _WhenWhere:
    day = StringField(
        _l("Date"),
        validators=[DataRequired(), _valid_date],
        description=_l("Gregorian 2026-03-08 or Jalali 1404-12-17."),
        render_kw={"dir": "ltr", "inputmode": "numeric", "placeholder": "1404-12-17"},
    )
    start = StringField(
        _l("Starts at"),
        validators=[DataRequired(), _valid_time],
        render_kw={"dir": "ltr", "inputmode": "numeric", "placeholder": "15:00"},
    )
    end = StringField(
        _l("Ends at (optional)"),
        validators=[Optional(), _valid_time],
        render_kw={"dir": "ltr", "inputmode": "numeric", "placeholder": "17:00"},
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        description=_l("The time zone of the place where the action happens."),
    )
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=200)],
        description=_l("A square, a hall, an address: what people need to find it."),
    )

    def setup_zones(self):
        self.timezone.choices = zone_choices()

    def parsed_times(self):
        return self.day.parsed, self.start.parsed, getattr(self.end, "parsed", None)


class ActionForm(_WhenWhere, Form):
    section = SelectField(_l("Working group"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="fa")
    body = BodyField(
        _l("What, why, what to bring"),
        validators=[DataRequired()],
        description=_l("Markdown: **bold**, *italic*, [link](https://…), > quote, - list."),
    )


class ActionEditForm(_WhenWhere, Form):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("planned", _l("Planned")),
            SelectChoice("cancelled", _l("Cancelled")),
        ],
    )


def month_choices():
    return [
        SelectChoice(str(n), f"{n} · {JALALI_MONTHS_LATIN[n - 1]} · {GREGORIAN_MONTHS[n - 1]}")
        for n in range(1, 13)
    ]


class CommemorationForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=200)])
    calendar = SelectField(
        _l("Calendar"),
        choices=[
            SelectChoice("gregorian", _l("Gregorian (8 March, 1 May...)")),
            SelectChoice("jalali", _l("Jalali (16 Azar...)")),
        ],
    )
    month = SelectField(_l("Month"), choices=month_choices())
    day = IntegerField(_l("Day"), validators=[DataRequired(), NumberRange(min=1, max=31)])
    since_year = IntegerField(
        _l("Remembered since (year, optional)"),
        validators=[Optional()],
        description=_l("A year of the chosen calendar; no earlier year shows it."),
    )
    # Optional: an unknown or missing choice means no working group.
    section = SelectField(_l("Working group (optional)"), choices=[], validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    title_fa = StringField(_l("Title in Persian"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    title_de = StringField(_l("Title in German"), validators=[Optional(), Length(max=200)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    title_nl = StringField(_l("Title in Dutch"), validators=[Optional(), Length(max=200)])
    is_active = BooleanField(_l("In the calendar (uncheck to retire it)"), default=True)

    TRANSLATED = ("fa", "en", "de", "fr", "nl")

    def translations(self):
        return {code: getattr(self, f"title_{code}").data or "" for code in self.TRANSLATED}
