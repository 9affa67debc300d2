"""The folded forms under which names are unique or grouped: usernames, e-mail addresses and
position labels. Pure functions on text, below every service that stores or compares them."""

import re

from tribune.i18n import lazy_gettext as _l
from tribune.services import Invalid
from tribune.text.persian import fold_zwnj, normalize

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
POSITION_LIMIT = 120


def username_key(username):
    """The case-folded form under which a username is unique."""
    return username.strip().casefold()


def normalise_email(email):
    """A stripped, lower-cased e-mail address, or None; Invalid if malformed."""
    email = (email or "").strip()
    if not email:
        return None
    if not EMAIL_RE.match(email):
        raise Invalid(_l("This does not look like an e-mail address."), field="email")
    return email.lower()


def position_key(label):
    """The folded form of a position label, under which papers are grouped and filtered."""
    return " ".join(fold_zwnj(normalize(label)).split())[:POSITION_LIMIT]
