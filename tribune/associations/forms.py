"""Forms of the association pages."""

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tribune.forms import Form
from tribune.i18n import lazy_gettext as _l


class AffiliationForm(Form):
    association = SelectField(_l("Association"), choices=[], coerce=int)
    public = BooleanField(_l("Show me on the association's page"))


class AssociationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Latin letters, digits and '-': /associations/<address>."),
        render_kw={"dir": "ltr"},
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    country = StringField(_l("Country"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
