"""Names shown in lists (titles, display names, association names, places) hold no direction
controls: they are refused with a field message, not silently changed (tribune/text/bidi.py)."""


from tribune.i18n import lazy_gettext as _l
from tribune.services import Invalid
from tribune.text.bidi import direction_controls


def refuse_direction_controls(text, field):
    """Raise Invalid on `field` if `text` holds bidirectional control characters; return it."""
    found = direction_controls(text)
    if found:
        raise Invalid(
            _l(
                "Remove the invisible text-direction characters (%(found)s): in a list they can "
                "make a name read as something else.",
                found=", ".join(found),
            ),
            field=field,
        )
    return text
