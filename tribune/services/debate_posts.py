"""Replies that answer and quote other posts, and parallel translations of posts.

Quotes are stored apart from the reply's text (models.Quote), with the id of the quoted post,
and shown only to readers who may see that post: a post hidden by moderation never reaches
readers through someone else's quote, nor through the reply's history or the search index.
A quoted passage must be copied exactly from the post it is attributed to.

A translation records the original's revision count it was made from; once the original is
edited, the translation shows as possibly outdated until its translator updates it.
"""

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import LANGUAGES, Post, Quote, Translation
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, counters, notify, posting, rendering
from tribune.services.debate import as_id, clean_line, clean_text
from tribune.services.transaction import transaction
from tribune.text import markup

MAX_QUOTES = 5
PASSAGE_LIMIT = 3000


def quotable_text(post):
    """The words of a post as a reader sees them: what a quoted passage is checked against."""
    return markup.plain_excerpt(post.body_source, limit=len(post.body_source) + 1)


def _folded(text):
    # Selections and typed copies differ in line breaks and spacing only.
    return " ".join((text or "").split())


def _check_quotes(actor, quotes):
    """[(post, passage)] for the requested (post_id, passage) pairs; Invalid if one is wrong."""
    checked = []
    for post_id, passage in quotes:
        passage = (passage or "").replace("\r\n", "\n").strip()
        if not passage:
            # An emptied quote is a quote dropped (the form says so).
            continue
        post_id = as_id(post_id)
        post = db.session.get(Post, post_id) if post_id else None
        if post is None or post.is_hidden or not access.can_view_post(actor, post):
            raise Invalid(_l("That post cannot be quoted."), field="quotes")
        if len(passage) > PASSAGE_LIMIT:
            raise Invalid(
                _l("A quoted passage can have at most %(n)d characters.", n=PASSAGE_LIMIT),
                field="quotes",
            )
        if _folded(passage) not in _folded(quotable_text(post)):
            raise Invalid(
                _l("A quote must be copied exactly from the post it is attributed to."),
                field="quotes",
            )
        checked.append((post, passage))
    if len(checked) > MAX_QUOTES:
        raise Invalid(_l("A reply can quote at most %(n)d passages.", n=MAX_QUOTES), field="quotes")
    return checked


def _parent(actor, thread, reply_to_id, checked):
    """The post the reply answers: the one named, else the first quoted post of this thread."""
    if reply_to_id:
        parent_id = as_id(reply_to_id)
        parent = db.session.get(Post, parent_id) if parent_id else None
        if (
            parent is None
            or parent.thread_id != thread.id
            or parent.is_hidden
            or not access.can_view_post(actor, parent)
        ):
            raise Invalid(_l("The post you answer is not in this thread."), field="reply_to")
        return parent
    for quoted, _passage in checked:
        if quoted.thread_id == thread.id:
            return quoted
    return None


@transaction
def reply(actor, thread, body, language="fa", reply_to=None, quotes=()):
    """Reply to a thread, answering a post (`reply_to`, an id) and quoting passages.

    `quotes` is a sequence of (post_id, passage); quoted posts may be in any thread.
    """
    checked, parent = [], None
    # A reply the actor may not write is refused by posting.reply; check quotes only otherwise.
    if access.can_reply(actor, thread):
        checked = _check_quotes(actor, quotes)
        parent = _parent(actor, thread, reply_to, checked)

    def attach(post):
        post.reply_to_id = parent.id if parent is not None else None
        post.quote_count = len(checked)
        for position, (quoted, passage) in enumerate(checked):
            db.session.add(
                Quote(
                    post_id=post.id,
                    quoted_post_id=quoted.id,
                    position=position,
                    passage=passage,
                    quoted_revision=quoted.revision_count,
                    created_at=post.created_at,
                )
            )

    return posting.reply(actor, thread, body, language, extend=attach)


def quotes_of(posts):
    """{post_id: [Quote, ...]} for the posts that quote something, in one query (none if none)."""
    ids = [post.id for post in posts if post.quote_count]
    if not ids:
        return {}
    found = {}
    rows = db.session.scalars(
        select(Quote).where(Quote.post_id.in_(ids)).order_by(Quote.post_id, Quote.position)
    )
    for quote in rows:
        found.setdefault(quote.post_id, []).append(quote)
    return found


def translation_of(post, language):
    """The post's translation into `language`, or None."""
    return db.session.scalar(
        select(Translation).where(Translation.post_id == post.id, Translation.language == language)
    )


def translations_of(posts):
    """{post_id: [Translation, ...]} for posts that have translations, in one query (or none)."""
    ids = [post.id for post in posts if post.translation_count]
    if not ids:
        return {}
    found = {}
    rows = db.session.scalars(
        select(Translation)
        .where(Translation.post_id.in_(ids))
        .order_by(Translation.post_id, Translation.language)
    )
    for translation in rows:
        found.setdefault(translation.post_id, []).append(translation)
    return found


@transaction
def translate(actor, post, language, body, title=None):
    """Add the actor's translation of a post into another language, or update their own.

    Updating (even with unchanged text: the translator confirms it still matches) records the
    original's current revision, which clears the "possibly outdated" mark.
    """
    if post is None or not access.can_view_post(actor, post):
        raise NotFound()
    if not access.can_translate(actor, post):
        raise Refused(_l("This post can no longer be translated."))
    if language not in LANGUAGES:
        raise Invalid(_l("Choose one of the offered languages."), field="language")
    if language == post.language:
        raise Invalid(_l("Choose a language other than the original's."), field="language")
    body = clean_text(body, "body")
    opening = posting.is_opening_post(post)
    title = clean_line(title, "title", minimum=3, limit=300, required=False) if opening else ""
    existing = translation_of(post, language)
    if existing is not None and existing.translator_id != actor.id:
        raise Invalid(
            _l(
                "%(name)s has already translated this post into this language.",
                name=existing.translator.shown_name,
            ),
            field="language",
        )
    now = utcnow()
    translation = existing
    if translation is None:
        translation = Translation(
            post=post, language=language, translator_id=actor.id, created_at=now
        )
        db.session.add(translation)
        counters.add(post, Post.translation_count)
    else:
        translation.updated_at = now
    translation.title = title or None
    translation.body_source = body
    translation.body_html = rendering.render_post(body)
    translation.source_revision = post.revision_count
    if existing is None:
        notify.translation_written(actor, translation)
    db.session.commit()
    return translation
