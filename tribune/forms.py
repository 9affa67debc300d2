"""Shared form helpers: turning a service's Invalid into a field message, and the body field."""

from functools import lru_cache

from babel.support import Translations
from flask import current_app, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from tribune.i18n import current_locale, number
from tribune.i18n import gettext as _
from tribune.services import Invalid


class Form(FlaskForm):
    """Every form of the site: Flask-WTF's, with WTForms' own messages ("Not a valid
    choice") in the reader's language read once per language, not once per request.

    Flask-WTF loads WTForms' catalogue from disk for each request that makes a form (and
    asks Flask-Babel for the locale again to do it): 5 % of a thread page (issue 14).
    """

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_catalogue(current_locale())


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale):
    return Translations.load(messages_path(), [locale], domain="wtforms")


def attach_error(form, error: Invalid):
    """Show a service's validation error on the field it names (or on the whole form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), str(error.message)]
    else:
        form.form_errors.append(str(error.message))


class BodyLength:
    """The body limit (MAX_BODY_LENGTH), checked on the server with the count in the message.

    Unlike wtforms' Length it sets no `maxlength` flag: a browser given maxlength cuts a pasted
    text silently at the limit (issue 16: a 102,400-character paper lost its end unannounced).
    The page shows a live counter instead (static/js/compose.js) and nothing is ever cut.
    """

    field_flags = {}

    def __call__(self, form, field):
        text = (field.data or "").replace("\r\n", "\n").strip()
        limit = current_app.config["MAX_BODY_LENGTH"]
        if len(text) > limit:
            raise ValidationError(
                _(
                    "This text has %(length)s characters; at most %(limit)s fit. Nothing was "
                    "cut: shorten it, or split it into two posts.",
                    length=number(len(text)),
                    limit=number(limit),
                )
            )


class BodyField(TextAreaField):
    """The text of a post, a paper or a translation: checked by BodyLength, shown with a live
    character counter, a preview button and a draft kept in the browser (compose.js)."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(label, [*validators, BodyLength()], **kwargs)

    def __call__(self, **kwargs):
        # The texts compose.js shows, translated here ({n}, {limit}, {over} filled in there).
        kwargs.setdefault("data-limit", current_app.config["MAX_BODY_LENGTH"])
        kwargs.setdefault("data-compose", "")
        kwargs.setdefault("data-preview-url", url_for("compose.preview"))
        kwargs.setdefault("data-text-count", _("{n} of {limit} characters"))
        kwargs.setdefault("data-text-over", _("{over} characters too many: shorten the text "
                                              "before sending (nothing will be cut)."))
        kwargs.setdefault("data-text-preview", _("Preview"))
        kwargs.setdefault("data-text-preview-title", _("Preview: this is how it will look"))
        kwargs.setdefault("data-text-preview-failed", _("The preview could not be made. Your "
                                                        "text is still here."))
        kwargs.setdefault("data-text-draft", _("A draft of this text was kept in this browser "
                                               "({when})."))
        kwargs.setdefault("data-text-restore", _("Restore the draft"))
        kwargs.setdefault("data-text-discard", _("Discard it"))
        return super().__call__(**kwargs)
