"""The preview form: the text only (CSRF-protected like every form)."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from tribune.forms import BodyLength


class PreviewForm(FlaskForm):
    body = TextAreaField(validators=[BodyLength()])
