"""The site's settings and texts as pages read them, cached in each worker.

The cache (docs/decisions/0302-site-settings-cache.md): each worker keeps one snapshot of the
settings and texts with the version it was read at. The first time a request needs them it reads
the version alone (one primary-key lookup); only when it moved does it read everything again.
Every write (services/site.py) raises the version in SQL, in the same transaction, so an edit
shows on every worker at their next request, with no TTL to wait out and no message bus.

Kept apart from the writes, which are moderation-logged acts, so that what only reads the site's
name or language (e-mails, the interface language) sits below the services that write.
"""

import threading
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context
from flask_babel import force_locale
from sqlalchemy import select

from tribune.extensions import db
from tribune.i18n import gettext as _
from tribune.models import SiteSettings, SiteText

SETTINGS_ID = 1


@dataclass(frozen=True)
class Snapshot:
    """What pages need of the site, as read at `version` (0: nothing stored yet)."""

    version: int
    default_locale: str
    registration: str = "open"
    invitation_limit: int = 0
    setup_done: bool = False
    # {key: {locale: (source, html)}}
    texts: dict = field(default_factory=dict)

    def source(self, key, locale):
        """The stored text of `key` in exactly `locale`, or ""."""
        return self.texts.get(key, {}).get(locale, ("", ""))[0]

    def _pick(self, key, locale):
        by_locale = self.texts.get(key, {})
        return by_locale.get(locale) or by_locale.get(self.default_locale)

    def name(self, locale):
        """The site's name in `locale`, else in the default language, else the built-in one."""
        found = self._pick("name", locale)
        if found:
            return found[0]
        with force_locale(locale):
            return _("Tribune")

    def tagline(self, locale):
        found = self._pick("tagline", locale)
        if found:
            return found[0]
        if self.texts.get("name"):
            # A coalition that named its site did not write the built-in tagline.
            return ""
        with force_locale(locale):
            return _("free tribune of the coalition")

    def html(self, key, locale):
        """The sanitized HTML of the about text or rules in `locale` (or the default
        language), or None; rendered on save by the posts' pipeline (text/markup.py)."""
        found = self._pick(key, locale)
        return found[1] if found and found[0] else None

    def has_rules(self):
        return any(source for source, _html in self.texts.get("rules", {}).values())


_lock = threading.Lock()


def _cache():
    return current_app.extensions.setdefault("tribune_site", {"snapshot": None})


def _stored_version():
    return db.session.scalar(select(SiteSettings.version).where(SiteSettings.id == SETTINGS_ID))


def _load(version):
    default = current_app.config["DEFAULT_LOCALE"]
    settings = db.session.get(SiteSettings, SETTINGS_ID) if version else None
    if settings is None:
        # Nothing stored yet (a fresh site): the configured defaults, with no further query.
        return Snapshot(version=0, default_locale=default)
    texts = {}
    for row in db.session.scalars(select(SiteText)):
        if row.source:
            texts.setdefault(row.key, {})[row.locale] = (row.source, row.html)
    return Snapshot(
        version=settings.version,
        default_locale=settings.default_locale or default,
        registration=settings.registration,
        invitation_limit=settings.invitation_limit,
        setup_done=settings.setup_done_at is not None,
        texts=texts,
    )


def current():
    """The site's settings and texts, checked against the stored version once per request."""
    if has_request_context() and "tribune_site" in g:
        return g.tribune_site
    version = _stored_version() or 0
    cache = _cache()
    snapshot = cache["snapshot"]
    if snapshot is None or snapshot.version != version:
        snapshot = _load(version)
        with _lock:
            cache["snapshot"] = snapshot
    if has_request_context():
        g.tribune_site = snapshot
    return snapshot


def forget():
    """Drop this request's snapshot, after a write raised the stored version."""
    if has_request_context():
        g.pop("tribune_site", None)
