"""The site's identity, rules and settings: stored in the database, edited by administrators,
cached in each worker.

What pages read, and its cache, is in services/site_cache.py; `current()` is that module's.
"""

from flask import current_app
from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import REGISTRATION_POLICIES, SiteSettings, SiteText
from tribune.models.base import utcnow
from tribune.models.site import MARKDOWN_TEXTS, PLAIN_TEXTS, SITE_TEXTS
from tribune.services import Invalid, NotFound
from tribune.services.moderation import clean_reason
from tribune.services.moderation_log import record
from tribune.services.names import refuse_direction_controls
from tribune.services.site_cache import SETTINGS_ID, current, forget
from tribune.services.transaction import act
from tribune.text import markup

LIMITS = {"name": 80, "tagline": 200, "about": 50_000, "rules": 50_000}
MAX_INVITATION_LIMIT = 1000


def _settings_for_update():
    """The settings row, created on the first write; its version raised in SQL."""
    settings = db.session.get(SiteSettings, SETTINGS_ID)
    if settings is None:
        settings = SiteSettings(id=SETTINGS_ID, version=1, registration="open")
        db.session.add(settings)
        db.session.flush()
    settings.version = SiteSettings.version + 1
    settings.updated_at = utcnow()
    return settings


def _require_admin(actor):
    if not access.can_administer(actor):
        raise NotFound()


def clean_text(key, value):
    """A site text as stored: plain texts on one line, Markdown texts with their newlines."""
    value = (value or "").replace("\r\n", "\n").strip()
    if key in PLAIN_TEXTS:
        value = " ".join(value.split())
        refuse_direction_controls(value, key)
    if len(value) > LIMITS[key]:
        raise Invalid(_l("At most %(n)d characters.", n=LIMITS[key]), field=key)
    return value


def _write_texts(actor, locale, values):
    """Store the given texts of one language; returns the keys whose text changed."""
    if locale not in current_app.config["LOCALES"]:
        raise Invalid(_l("Choose one of the interface languages."), field="locale")
    rows = {
        row.key: row
        for row in db.session.scalars(select(SiteText).where(SiteText.locale == locale))
    }
    changed = []
    for key in SITE_TEXTS:
        if key not in values:
            continue
        value = clean_text(key, values[key])
        row = rows.get(key)
        if (row.source if row else "") == value:
            continue
        if row is None:
            row = SiteText(key=key, locale=locale)
            db.session.add(row)
        row.source = value
        row.html = markup.render(value) if key in MARKDOWN_TEXTS and value else ""
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        changed.append(key)
    return changed


@act
def update_texts(actor, locale, values, reason):
    """Change the site's name, tagline, about text or rules in one interface language.

    `values` holds the texts to set ({"name": ..., "rules": ...}); an empty text removes it
    (the default language's, or the built-in one, is then shown)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    changed = _write_texts(actor, locale, values)
    if not changed:
        raise Invalid(_l("Nothing was changed."), field="reason")
    _settings_for_update()
    record(actor, None, "site.identity", "site", SETTINGS_ID, reason,
           details={"locale": locale, "changed": changed})
    db.session.commit()
    forget()
    return changed


def _clean_policy(registration, invitation_limit):
    if registration not in REGISTRATION_POLICIES:
        raise Invalid(_l("Choose how people join."), field="registration")
    if not isinstance(invitation_limit, int) or not 0 <= invitation_limit <= MAX_INVITATION_LIMIT:
        raise Invalid(_l("Between 0 (no limit) and %(n)d.", n=MAX_INVITATION_LIMIT),
                      field="invitation_limit")


@act
def set_registration(actor, registration, invitation_limit, reason):
    """Choose how people join: open, by approval, or by invitation (with an optional number of
    open invitations each member may hold)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    _clean_policy(registration, invitation_limit)
    before = current()
    if (before.registration, before.invitation_limit) == (registration, invitation_limit):
        raise Invalid(_l("Nothing was changed."), field="registration")
    settings = _settings_for_update()
    settings.registration = registration
    settings.invitation_limit = invitation_limit
    record(actor, None, "site.registration", "site", SETTINGS_ID, reason,
           details={"old": before.registration, "new": registration,
                    "invitation_limit": invitation_limit})
    db.session.commit()
    forget()
    return settings


@act
def set_up(actor, locale, name, tagline, reason):
    """The first setup: the default language, the site's name and tagline in it. Marks the
    setup done (the setup page then leads to the administration pages)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if locale not in current_app.config["LOCALES"]:
        raise Invalid(_l("Choose one of the interface languages."), field="locale")
    if not clean_text("name", name):
        raise Invalid(_l("Give the site a name."), field="name")
    changed = _write_texts(actor, locale, {"name": name, "tagline": tagline})
    settings = _settings_for_update()
    old_locale = settings.default_locale
    settings.default_locale = locale
    settings.setup_done_at = settings.setup_done_at or utcnow()
    record(actor, None, "site.identity", "site", SETTINGS_ID, reason,
           details={"locale": locale, "changed": changed, "default_locale": locale,
                    "old_default_locale": old_locale})
    db.session.commit()
    forget()
    return settings


def texts_for_editing(locale):
    """{key: source} of one language, as stored (empty where none)."""
    snapshot = current()
    return {key: snapshot.source(key, locale) for key in SITE_TEXTS}
