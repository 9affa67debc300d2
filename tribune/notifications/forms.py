"""Forms of the notification pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField


class WatchForm(FlaskForm):
    """Watch, mute or stop following one target; `next` is where to go back to."""

    kind = HiddenField()
    key = HiddenField()
    level = HiddenField()
    next = HiddenField()


class SettingsForm(FlaskForm):
    auto_watch = BooleanField(
        _l("Watch the threads I open or reply to"),
        description=_l("You are then told of every new reply there. You can stop or mute any "
                       "thread on its page."),
    )
    submit = SubmitField(_l("Save"))
