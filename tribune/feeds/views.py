"""The Atom feeds: a space, a section, a thread, a position, an association, the agenda's coming
actions, the moderation log and any search. Each follows the readers' visibility rule whoever
asks (a feed reader has no account): nothing hidden, nothing merged away, ever."""

from flask import abort, current_app, request, url_for
from markupsafe import escape
from sqlalchemy import func, select

from tribune import access
from tribune.agenda import queries as agenda_queries
from tribune.extensions import db, limiter
from tribune.feeds import bp
from tribune.feeds.atom import Entry, Feed, absolute, respond
from tribune.forum import queries as forum_queries
from tribune.i18n import current_locale
from tribune.i18n import gettext as _
from tribune.models import AREAS, ModerationLogEntry, Post, Section, Thread
from tribune.moderation.labels import action_label
from tribune.papers import queries as paper_queries
from tribune.search import criteria as criteria_args
from tribune.services import search as search_service
from tribune.services import site
from tribune.text import calendars

# Entries per feed: what a feed reader that polls now and then needs, bounded.
LIMIT = 30


def _post_entry(post, title):
    return Entry(
        url=absolute(url_for("forum.permalink", post_id=post.id)),
        title=title,
        updated=post.edited_at or post.created_at,
        published=post.created_at,
        author=str(post.author.shown_name),
        html=post.body_html,
        language=post.language,
    )


def _opening_entries(threads):
    """One entry per thread: its opening post (if readers may see it)."""
    openings = agenda_queries.opening_posts(threads)
    entries = []
    for thread in threads:
        post = openings.get(thread.id)
        if post is not None and not post.is_hidden:
            entries.append(_post_entry(post, thread.title))
    return entries


def _newest_threads(query):
    return db.session.scalars(
        query.where(access.visible_threads_clause(None))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(LIMIT)
    ).all()


def _feed(endpoint_path, page_path, title, entries, subtitle=""):
    return respond(
        Feed(
            url=absolute(endpoint_path),
            page_url=absolute(page_path),
            title=f"{title} · {site.current().name(current_locale())}",
            subtitle=subtitle,
            language=current_locale(),
            entries=entries,
        )
    )


@bp.route("/feeds/<area>.atom")
def space(area):
    """The newest threads of a space."""
    if area not in AREAS:
        abort(404)
    threads = _newest_threads(select(Thread).join(Thread.section).where(Section.area == area))
    title = _("Tribune") if area == "tribune" else _("Agenda")
    return _feed(request.path, url_for("forum.area", area=area), title, _opening_entries(threads))


@bp.route("/feeds/<area>/<slug>.atom")
def section(area, slug):
    """The newest threads of a section."""
    found = forum_queries.section_by_slug(area, slug)
    if found is None:
        abort(404)
    threads = _newest_threads(select(Thread).where(Thread.section_id == found.id))
    return _feed(
        request.path,
        url_for("forum.section", area=area, slug=slug),
        found.localized("title", current_locale()),
        _opening_entries(threads),
    )


@bp.route("/feeds/t/<int:thread_id>.atom")
def thread(thread_id):
    """The newest posts of a thread; an edited post comes again with its new date."""
    found = db.session.get(Thread, thread_id)
    if found is None or not access.can_view_thread_title(None, found):
        abort(404)
    if found.merged_into_id is not None:
        abort(404)
    posts = db.session.scalars(
        select(Post)
        .where(Post.thread_id == found.id, access.visible_posts_clause(None))
        .order_by(Post.id.desc())
        .limit(LIMIT)
    ).all()
    first_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == found.id))
    reply_title = _("Re: %(title)s", title=found.title)
    entries = [_post_entry(p, found.title if p.id == first_id else reply_title) for p in posts]
    return _feed(request.path, url_for("forum.thread", thread_id=found.id), found.title, entries)


@bp.route("/feeds/position/<key>.atom")
def position(key):
    """The newest papers defending a position."""
    # A position no paper has defended has no feed: a 404, as for an unknown association
    # (the key was echoed into the feed, and control characters in it broke the XML: a 500).
    label = paper_queries.label_of(key)
    if label is None:
        abort(404)
    threads = db.session.scalars(_papers_query(position_key=key)).all()
    title = _("Papers defending %(position)s", position=label)
    return _feed(request.path, url_for("papers.index", position=key), title,
                 _opening_entries(threads))  # fmt: skip


@bp.route("/feeds/association/<slug>.atom")
def association(slug):
    """The newest papers an association co-signs."""
    found = paper_queries.association_by_slug(slug)
    if found is None:
        abort(404)
    threads = db.session.scalars(_papers_query(association=found)).all()
    title = _("Papers signed by %(name)s", name=found.name)
    return _feed(request.path, url_for("associations.show", slug=slug), title,
                 _opening_entries(threads))  # fmt: skip


def _papers_query(position_key=None, association=None):
    return (
        paper_queries.papers_query(None, position_key=position_key, association=association)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(LIMIT)
    )


@bp.route("/feeds/actions.atom")
def agenda():
    """The agenda's coming actions, soonest first; a changed time or place updates the entry."""
    threads = agenda_queries.coming(None, limit=LIMIT)
    openings = agenda_queries.opening_posts(threads)
    locale = current_locale()
    entries = []
    for found in threads:
        action = found.action
        post = openings.get(found.id)
        when = calendars.format_datetime(action.local_start, locale, tz=action.zone)
        place = ", ".join(part for part in (action.place, action.city) if part)
        head = escape(_("When: %(when)s · Where: %(where)s", when=when, where=place))
        if action.is_cancelled:
            head = escape(_("Cancelled")) + " · " + head
        body = post.body_html if post is not None and not post.is_hidden else ""
        changed = max(filter(None, (action.updated_at, action.created_at,
                                    post.edited_at if post is not None else None)))  # fmt: skip
        entries.append(
            Entry(
                url=absolute(url_for("forum.thread", thread_id=found.id)),
                title=found.title,
                updated=changed,
                published=action.created_at,
                author=str(found.author.shown_name),
                html=f'<p dir="auto">{head}</p>{body}',
                language=found.language,
            )
        )
    return _feed(request.path, url_for("agenda.index"), _("Coming actions"), entries)


@bp.route("/feeds/moderation.atom")
def moderation_log():
    """The public moderation log: every act with its public reason."""
    rows = db.session.scalars(
        select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc()).limit(LIMIT)
    ).all()
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_({r.thread_id for r in rows if r.thread_id}))
    )}  # fmt: skip
    entries = []
    for row in rows:
        concerned = threads.get(row.thread_id)
        label = action_label(row.action)
        html = f'<p dir="auto">{escape(row.reason)}</p>'
        if concerned is not None and access.can_view_thread_title(None, concerned):
            link = absolute(url_for("forum.thread", thread_id=concerned.id))
            html += f'<p><a href="{escape(link)}" dir="auto">{escape(concerned.title)}</a></p>'
            title = f"{label}: {concerned.title}"
        else:
            title = label
        entries.append(
            Entry(
                url=absolute(url_for("moderation.log", _anchor=f"e{row.id}")),
                title=title,
                updated=row.created_at,
                published=row.created_at,
                author=str(row.actor.shown_name) if row.actor else _("Moderation"),
                html=html,
                language=current_locale(),
            )
        )
    return _feed(request.path, url_for("moderation.log"), _("Moderation log"), entries)


@bp.route("/search.atom")
@limiter.limit(lambda: current_app.config["SEARCH_RATE_LIMIT"])
def search():
    """Any search, with the search page's words and filters, newest matches first."""
    args = request.args.copy()
    args.setdefault("sort", "newest")
    args.pop("page", None)
    try:
        criteria = criteria_args.from_args(
            args,
            per_page_default=LIMIT,
            per_page_max=current_app.config["SEARCH_API_MAX_PER_PAGE"],
        )
    except criteria_args.BadParameter:
        abort(400)
    entries = []
    if not criteria.is_blank:
        try:
            outcome = search_service.run(criteria)
        except search_service.QuerySyntaxError:
            abort(400)
        except search_service.SearchUnavailable as problem:
            current_app.logger.error("search unavailable: %s", problem)
            abort(503)
        for result in outcome.results:
            thread_title = result.post.thread.title
            entries.append(_post_entry(result.post, thread_title))
    page = url_for("search.index", **request.args)
    title = _("Search: %(query)s", query=criteria.q or "…")
    return _feed(request.full_path.rstrip("?"), page, title, entries)
