"""The search form: the query box and the same filters as fields, for those who type no operators.

A GET form (bookmarkable, shareable), so no CSRF token: searching changes nothing.
"""

from sqlalchemy import select
from wtforms import HiddenField, SearchField, SelectChoice, SelectField, StringField

from tribune.extensions import db
from tribune.forms import Form
from tribune.i18n import LANGUAGE_NAMES
from tribune.i18n import lazy_gettext as _l
from tribune.models import Association, Section

DATE_HINT = _l("2010-03-28, or Jalali 1389-01-08")


class SearchForm(Form):
    class Meta:
        csrf = False

    q = SearchField(_l("Search for"))
    area = SelectField(
        _l("Area"),
        choices=[
            SelectChoice("", _l("Both areas")),
            SelectChoice("tribune", _l("Tribune")),
            SelectChoice("agenda", _l("Agenda")),
        ],
        default="",
    )
    section = SelectField(_l("Section"), choices=[], default="")
    author = StringField(_l("Author"), description=_l("A user name, e.g. sara"))
    association = SelectField(_l("Association"), choices=[], default="")
    lang = SelectField(_l("Language"), choices=[], default="")
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("", _l("Any kind")),
            SelectChoice("paper", _l("Position papers")),
            SelectChoice("discussion", _l("Discussions")),
            SelectChoice("action", _l("Actions")),
        ],
        default="",
    )
    # `from` is a Python keyword: the attributes differ, the URL parameters are from= and to=.
    date_from = StringField(_l("From"), name="from", description=DATE_HINT)
    date_to = StringField(_l("To"), name="to", description=DATE_HINT)
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("", _l("Relevance")),
            SelectChoice("newest", _l("Newest first")),
            SelectChoice("oldest", _l("Oldest first")),
        ],
        default="",
    )
    thread = HiddenField()

    def fill_choices(self, locale):
        """Sections and associations from the database (two queries)."""
        sections = db.session.scalars(select(Section).order_by(Section.position, Section.id))
        self.section.choices = [SelectChoice("", _l("Any section"))] + [
            (section.slug, section.localized("title", locale)) for section in sections
        ]
        associations = db.session.scalars(select(Association).order_by(Association.name))
        self.association.choices = [SelectChoice("", _l("Any association"))] + [
            (association.slug, association.name) for association in associations
        ]
        self.lang.choices = [SelectChoice("", _l("Any language"))] + [
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in LANGUAGE_NAMES.items()
        ]
        return self

    @property
    def has_filters(self):
        """Whether a filter field is set (the filter panel then starts open)."""
        fields = (self.area, self.section, self.author, self.association, self.lang, self.kind)
        return any(f.data for f in fields) or bool(self.date_from.data or self.date_to.data)
