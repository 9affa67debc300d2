"""Forms of the notification pages."""

from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectChoice, SubmitField
from wtforms.validators import Length, Optional

from tribune.forms import Form
from tribune.i18n import lazy_gettext as _l

MAIL_MODE_NAMES = {
    "off": _l("no e-mail"),
    "immediate": _l("each notification at once"),
    "daily": _l("a daily digest"),
    "weekly": _l("a weekly digest"),
}


class WatchForm(Form):
    """Watch, mute or stop following one target; `next` is where to go back to."""

    kind = HiddenField()
    key = HiddenField()
    level = HiddenField()
    next = HiddenField()


class SettingsForm(Form):
    auto_watch = BooleanField(
        _l("Watch the threads I open or reply to"),
        description=_l("You are then told of every new reply there. You can stop or mute any "
                       "thread on its page."),
    )
    mail_mode = RadioField(
        _l("E-mail"),
        choices=[SelectChoice(value, label) for value, label in MAIL_MODE_NAMES.items()],
        default="off",
    )
    mail_address = EmailField(
        _l("E-mail address for notifications"),
        validators=[Optional(), Length(max=254)],
        description=_l("Used for these e-mails only and shown to nobody. Leave it empty and "
                       "choose \u201cno e-mail\u201d to receive none."),
    )
    submit = SubmitField(_l("Save"))
