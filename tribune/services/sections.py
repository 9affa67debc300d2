"""Sections and working groups: administrators create, edit, order, archive and merge them.

Each act is administration (no moderator term), has a written reason and writes one entry in
the public moderation log in the same transaction (`@act`, moderation_log.record). A slug is
given once, at creation, and never changes: it is part of every permanent address of the
section. Archiving makes a section read-only and takes it out of the navigation; its address
and its threads' addresses keep working. Merging moves every thread into another section of
the same space through the same path as a moderator's move (so search follows), and leaves the
emptied section archived, pointing to the one that received its threads.
"""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import AREAS, Section, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused
from tribune.services.moderation import clean_reason, place_thread, recount_section
from tribune.services.moderation_log import record
from tribune.services.names import refuse_direction_controls
from tribune.services.transaction import act

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
# Words the addresses of a space already use after /<area>/.
RESERVED_SLUGS = frozenset({"archive", "new", "feed", "papers"})
MAX_TITLE = 200
MAX_DESCRIPTION = 2000


@dataclass
class SectionTexts:
    """A section's title and description in one interface language."""

    title: str = ""
    description: str = ""


def _require_admin(actor):
    if not access.is_admin(actor):
        raise NotFound()


def default_locale():
    """The language every section must have a title in: the site's default language."""
    from tribune.services import site

    return site.current().default_locale


def clean_slug(slug):
    """A new slug: a-z, 0-9, '-' or '_', not reserved, not used by any section (archived too)."""
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise Invalid(
            _l("A short name for the address: a-z, 0-9, '-' or '_', like women."), field="slug"
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(_l("This name is used by the site's own addresses."), field="slug")
    if db.session.scalar(select(Section.id).where(Section.slug == slug)) is not None:
        raise Invalid(_l("A section already has this address; addresses never change."),
                      field="slug")
    return slug


def clean_texts(texts, default):
    """{locale: SectionTexts} cleaned: bounded, no direction controls, the default language's
    title required. Returns {locale: {"title", "description"}} of the languages given."""
    cleaned = {}
    for locale in current_app.config["LOCALES"]:
        given = (texts or {}).get(locale) or SectionTexts()
        title = " ".join((given.title or "").split())
        description = (given.description or "").replace("\r\n", "\n").strip()
        field = f"title_{locale}"
        if len(title) > MAX_TITLE:
            raise Invalid(_l("At most %(n)d characters.", n=MAX_TITLE), field=field)
        if len(description) > MAX_DESCRIPTION:
            raise Invalid(_l("At most %(n)d characters.", n=MAX_DESCRIPTION),
                          field=f"description_{locale}")
        refuse_direction_controls(title, field)
        refuse_direction_controls(description, f"description_{locale}")
        if description and not title:
            raise Invalid(_l("Give a title in this language too."), field=field)
        if title:
            cleaned[locale] = {"title": title, "description": description}
    if default not in cleaned:
        raise Invalid(_l("The title in the site's default language is required."),
                      field=f"title_{default}")
    return cleaned


def _apply_texts(section, cleaned, default):
    section.title = cleaned[default]["title"]
    section.description = cleaned[default]["description"]
    # Every language given, the default one too, so a later change of the site's default
    # language loses nothing (Section.localized falls back to title).
    section.translations = cleaned


def texts_of(section):
    """{locale: SectionTexts} as stored, for the edit form. Sections made before issue 19 hold
    only their original text in title/description: it stands for the default language."""
    texts = {
        locale: SectionTexts(value.get("title", ""), value.get("description", ""))
        for locale, value in (section.translations or {}).items()
    }
    texts.setdefault(default_locale(), SectionTexts(section.title, section.description or ""))
    return texts


def build(area, slug, texts, *, position=None, default=None):
    """A new section added to the session, not committed: for the service below and for
    operator commands (the demo loader, archive import) that commit with their own work."""
    if area not in AREAS:
        raise Invalid(_l("Choose the tribune or the agenda."), field="area")
    default = default or default_locale()
    slug = clean_slug(slug)
    cleaned = clean_texts(texts, default)
    if position is None:
        position = (
            db.session.scalar(
                select(func.coalesce(func.max(Section.position), -1)).where(Section.area == area)
            )
            + 1
        )
    section = Section(area=area, slug=slug, position=position, created_at=utcnow())
    _apply_texts(section, cleaned, default)
    db.session.add(section)
    db.session.flush()
    return section


def restore(fields):
    """A section as an archive file describes it (checked by archive_fields.check_section:
    its texts, translations and position kept as they were), added to the session, not
    committed: archive import commits it with everything else it brings."""
    section = Section(**fields)
    db.session.add(section)
    return section


@act
def create_section(actor, area, slug, texts, reason):
    """Create a section (a working group, in the agenda) at the end of its space's list."""
    _require_admin(actor)
    reason = clean_reason(reason)
    section = build(area, slug, texts)
    record(actor, None, "section.create", "section", section.id, reason, section=section,
           details={"area": area, "slug": section.slug, "title": section.title})
    db.session.commit()
    return section


@act
def edit_section(actor, section, texts, reason):
    """Change a section's titles and descriptions (never its slug or space)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    default = default_locale()
    cleaned = clean_texts(texts, default)
    if cleaned == (section.translations or {}) and section.title == cleaned[default]["title"]:
        raise Invalid(_l("Nothing was changed."), field=f"title_{default}")
    details = {"old": section.title, "new": cleaned[default]["title"]}
    _apply_texts(section, cleaned, default)
    record(actor, None, "section.edit", "section", section.id, reason, section=section,
           details=details)
    db.session.commit()
    return section


def ordered(area, include_archived=True):
    """A space's sections in their order (archived ones last when included)."""
    query = select(Section).where(Section.area == area)
    if not include_archived:
        query = query.where(Section.archived_at.is_(None))
    query = query.order_by(Section.archived_at.is_not(None), Section.position, Section.id)
    return db.session.scalars(query).all()


@act
def reorder(actor, area, section_ids, reason):
    """Put a space's open sections in the order of `section_ids` (every one of them, once)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    siblings = ordered(area, include_archived=False) if area in AREAS else []
    by_id = {section.id: section for section in siblings}
    if sorted(section_ids) != sorted(by_id) or not siblings:
        raise Invalid(_l("Give each section of this space one place."), field="order")
    before = [section.slug for section in siblings]
    after = [by_id[section_id].slug for section_id in section_ids]
    if before == after:
        raise Invalid(_l("Nothing was changed."), field="order")
    # Renumbered from 0, so equal or gapped positions left by older data cannot hide a move.
    for position, section_id in enumerate(section_ids):
        by_id[section_id].position = position
    record(actor, None, "section.order", "area", AREAS.index(area), reason,
           details={"area": area, "old": before, "new": after})
    db.session.commit()
    return [by_id[section_id] for section_id in section_ids]


@act
def archive_section(actor, section, reason):
    """Archive a section: read-only, out of the navigation, every address still working."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if section.is_archived:
        raise Refused(_l("This section is already archived."))
    section.archived_at = utcnow()
    record(actor, None, "section.archive", "section", section.id, reason, section=section)
    db.session.commit()
    return section


@act
def unarchive_section(actor, section, reason):
    """Bring an archived section back (not one that was merged: its threads are elsewhere)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if not section.is_archived:
        raise Refused(_l("This section is not archived."))
    if section.merged_into_id is not None:
        raise Refused(_l("This section was merged into another; its threads are there."))
    section.archived_at = None
    section.position = len(ordered(section.area, include_archived=False))
    record(actor, None, "section.unarchive", "section", section.id, reason, section=section)
    db.session.commit()
    return section


@act
def merge_sections(actor, source, target, reason):
    """Move every thread of `source` into `target` (same space); `source` is archived and its
    address leads to `target`. Each thread moves as a moderator's move does, so search, counts
    and permalinks follow."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if target is None or target.id == source.id:
        raise Invalid(_l("Choose another section to merge into."), field="target")
    if source.merged_into_id is not None:
        raise Refused(_l("This section was already merged into another."))
    if target.area != source.area:
        raise Invalid(_l("Merge sections of the same space only."), field="target")
    if target.is_archived:
        raise Invalid(_l("Choose a section that is not archived."), field="target")
    threads = db.session.scalars(
        select(Thread).where(Thread.section_id == source.id).order_by(Thread.id)
    ).all()
    for thread in threads:
        place_thread(thread, target)
    source.merged_into_id = target.id
    source.archived_at = source.archived_at or utcnow()
    db.session.flush()
    recount_section(source)
    recount_section(target)
    details = {
        "from": f"{source.area}/{source.slug}",
        "to": f"{target.area}/{target.slug}",
        "thread_ids": [thread.id for thread in threads],
    }
    record(actor, None, "section.merge", "section", source.id, reason, section=source,
           related_section=target, details=details)
    db.session.commit()
    return target


def open_sections(area=None):
    """Sections one can post in (not archived), for choosing where a thread goes."""
    query = select(Section).where(Section.archived_at.is_(None))
    if area:
        query = query.where(Section.area == area)
    return db.session.scalars(
        query.order_by(Section.area.desc(), Section.position, Section.id)
    ).all()
