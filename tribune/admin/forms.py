"""Administration forms. Every act has a required reason, published in the moderation log."""

from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tribune.forms import Form
from tribune.i18n import LOCALE_NAMES
from tribune.i18n import lazy_gettext as _l
from tribune.services.moderation import MAX_REASON_LENGTH
from tribune.services.sections import MAX_DESCRIPTION, MAX_TITLE, SectionTexts
from tribune.services.site import LIMITS, MAX_INVITATION_LIMIT

ADMIN_REASON_HELP = _l("Published in the moderation log, with your name.")


def reason_field(default=None):
    return TextAreaField(
        _l("Reason"),
        default=default,
        validators=[DataRequired(), Length(max=MAX_REASON_LENGTH)],
        description=ADMIN_REASON_HELP,
        render_kw={"rows": 2},
    )


class AdminReasonForm(Form):
    """Archive, bring back, grant or end rights: a reason is all."""

    reason = reason_field()


def _locale_choices():
    return [SelectChoice(code, name) for code, name in LOCALE_NAMES.items()]


class SetupForm(Form):
    locale = SelectField(
        _l("Default language"),
        choices=_locale_choices(),
        description=_l("Readers who chose no language see the site in this one."),
    )
    name = StringField(
        _l("Name of the site"), validators=[DataRequired(), Length(max=LIMITS["name"])]
    )
    tagline = StringField(
        _l("Tagline"),
        validators=[Optional(), Length(max=LIMITS["tagline"])],
        description=_l("A few words under the name, in the header."),
    )
    reason = reason_field(_l("First setup of the site"))


class SectionForm(Form):
    """A section's texts in each interface language (fields title_<code>, description_<code>)."""

    area = SelectField(
        _l("Space"),
        choices=[
            SelectChoice("tribune", _l("Tribune (debates)")),
            SelectChoice("agenda", _l("Agenda (working groups and actions)")),
        ],
    )
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("a-z, 0-9, '-' or '_'. It is part of every link and never changes."),
        render_kw={"dir": "ltr", "autocapitalize": "none"},
    )
    reason = reason_field()

    def locale_fields(self):
        """[(code, name, title field, description field)] in the order of the languages."""
        return [
            (code, name, self[f"title_{code}"], self[f"description_{code}"])
            for code, name in LOCALE_NAMES.items()
        ]

    def texts(self):
        return {
            code: SectionTexts(
                self[f"title_{code}"].data or "", self[f"description_{code}"].data or ""
            )
            for code in LOCALE_NAMES
        }

    def fill(self, texts):
        for code, given in texts.items():
            if code in LOCALE_NAMES:
                self[f"title_{code}"].data = given.title
                self[f"description_{code}"].data = given.description


for _code, _name in LOCALE_NAMES.items():
    setattr(
        SectionForm,
        f"title_{_code}",
        StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE)]),
    )
    setattr(
        SectionForm,
        f"description_{_code}",
        TextAreaField(
            _l("Description"),
            validators=[Optional(), Length(max=MAX_DESCRIPTION)],
            render_kw={"rows": 2},
        ),
    )


class OrderForm(Form):
    """The order of a space's sections: a place number beside each (place-<id>), and why."""

    reason = reason_field()


class MergeSectionForm(Form):
    target = SelectField(_l("Merge into"), coerce=int, choices=[])
    reason = reason_field()


class SiteTextsForm(Form):
    name = StringField(_l("Name of the site"), validators=[Optional(), Length(max=LIMITS["name"])])
    tagline = StringField(_l("Tagline"), validators=[Optional(), Length(max=LIMITS["tagline"])])
    about = TextAreaField(
        _l("About the site"),
        validators=[Optional(), Length(max=LIMITS["about"])],
        description=_l("Markdown, as in posts. Shown on the About page."),
        render_kw={"rows": 8},
    )
    rules = TextAreaField(
        _l("Rules"),
        validators=[Optional(), Length(max=LIMITS["rules"])],
        description=_l(
            "Markdown, as in posts. Newcomers accept them when they register; the report form "
            "links to them."
        ),
        render_kw={"rows": 12},
    )
    reason = reason_field()


class RegistrationForm(Form):
    registration = SelectField(
        _l("How people join"),
        choices=[
            SelectChoice("open", _l("Open: anyone may register")),
            SelectChoice("approval", _l("By approval: moderators admit each applicant")),
            SelectChoice("invitation", _l("By invitation: members hand out single-use links")),
        ],
    )
    invitation_limit = IntegerField(
        _l("Open invitations per member"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_INVITATION_LIMIT)],
        description=_l("0 for no limit. Used invitations do not count."),
    )
    reason = reason_field()


class AssociationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    country = StringField(_l("Country"), validators=[Optional(), Length(max=100)])
    reason = reason_field()


class MergeAssociationForm(Form):
    target = SelectField(
        _l("Merge into"),
        coerce=int,
        choices=[],
        description=_l("Its co-signatures and members move there; this one stays, empty."),
    )
    reason = reason_field()
