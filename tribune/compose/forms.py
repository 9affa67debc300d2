"""The preview form: the text only (CSRF-protected like every form)."""

from wtforms import TextAreaField

from tribune.forms import BodyLength, Form


class PreviewForm(Form):
    body = TextAreaField(validators=[BodyLength()])
