"""What the thread page shows of debates: paper fields, synthesis, related threads, quotes,
translations, and the reply form prefilled for a quote.

The forum's thread view calls `context()` once; each part queries only when the thread or the
posts on the page say there is something (closure_count, link_count, quote_count,
translation_count), so a plain discussion costs no query more than before.
"""

from dataclasses import dataclass, field

from flask_login import current_user
from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.models import LANGUAGES, Post
from tribune.papers import queries
from tribune.services import agenda, debate, debate_closing, debate_posts
from tribune.services.debate import as_id


@dataclass
class DebatePage:
    """The debate parts of one thread page."""

    thread: object
    reading: str | None = None
    side_by_side: bool = False
    signatures: list = field(default_factory=list)
    # Every act on the co-signatures (models.PaperSignatureEvent), shown once one was withdrawn.
    signature_history: list = field(default_factory=list)
    sign_choices: list = field(default_factory=list)
    ask_choices: list = field(default_factory=list)
    closing: object = None
    history: list = field(default_factory=list)
    links: list = field(default_factory=list)
    quotes: dict = field(default_factory=dict)
    translations: dict = field(default_factory=dict)
    parents: dict = field(default_factory=dict)
    opening_post_id: int | None = None

    def parent_of(self, post):
        """The post this one answers, or None."""
        return self.parents.get(post.reply_to_id)

    def translations_for(self, post):
        return self.translations.get(post.id, [])

    def translation_for(self, post, language):
        for translation in self.translations_for(post):
            if translation.language == language:
                return translation
        return None

    @property
    def signatures_withdrawn(self):
        """Whether any co-signature of the paper was ever withdrawn (the history is then shown)."""
        return any(event.kind == "withdraw" for event in self.signature_history)

    @property
    def languages_on_page(self):
        """Languages some post on this page is translated into, in the offered order."""
        found = {t.language for items in self.translations.values() for t in items}
        return [code for code in LANGUAGES if code in found]

    @property
    def title_translation(self):
        """The opening post's translation into the reading language, when it has a title."""
        if not self.reading or self.opening_post_id is None:
            return None
        translation = self.translation_for_id(self.opening_post_id, self.reading)
        return translation if translation is not None and translation.title else None

    def translation_for_id(self, post_id, language):
        for translation in self.translations.get(post_id, []):
            if translation.language == language:
                return translation
        return None

    def related(self):
        """The threads of the other space related to this one, as (link, thread) pairs."""
        if self.thread.kind == "action":
            return [(link, link.debate) for link in self.links]
        return [(link, link.action) for link in self.links]


def context(thread, posts, form, args, page_number=1):
    """The `debate` object the thread template reads, and the reply form prefilled on request."""
    reading = args.get("read")
    page = DebatePage(
        thread=thread,
        reading=reading if reading in LANGUAGES else None,
        side_by_side=args.get("side") == "1",
    )
    if page_number == 1 and posts:
        page.opening_post_id = posts[0].id
    if thread.paper is not None:
        page.signatures = queries.signatures_of([thread]).get(thread.id, [])
        page.sign_choices = _sign_choices(thread, page.signatures)
        page.signature_history = debate.history(thread)
        if access.can_request_signature(current_user, thread):
            signed = {signature.association_id for signature in page.signatures}
            page.ask_choices = [a for a in queries.associations() if a.id not in signed]
    page.history = debate_closing.history(thread)
    page.closing = debate_closing.current_closing(thread, page.history)
    page.links = agenda.links_of(thread)
    page.quotes = debate_posts.quotes_of(posts)
    page.translations = debate_posts.translations_of(posts)
    page.parents = _parents(posts)
    if form is not None:
        prefill_reply(form, thread, args)
    return page


def _parents(posts):
    """{post_id: Post} of the posts answered on this page; one query for those not on it."""
    parents = {post.id: post for post in posts}
    missing = {post.reply_to_id for post in posts if post.reply_to_id} - parents.keys()
    if missing:
        parents.update(
            (post.id, post) for post in db.session.scalars(select(Post).where(Post.id.in_(missing)))
        )
    return parents


def _sign_choices(thread, signatures):
    """The associations the reader may still name as co-signatories of this paper."""
    if not access.is_participant(current_user) or access.is_closed(thread):
        return []
    signed = {signature.association_id for signature in signatures}
    return [
        membership.association
        for membership in current_user.memberships
        if membership.confirmation is not None
        and membership.association_id not in signed
        and access.can_sign_paper(current_user, thread, membership.association)
    ]


def prefill_reply(form, thread, args):
    """Without JavaScript, "Quote" and "Reply" links prefill the form through the address."""
    if not access.can_reply(current_user, thread):
        return
    answered = _visible_post(args.get("reply_to"))
    if answered is not None and answered.thread_id == thread.id:
        form.reply_to.data = answered.id
    quoted = _visible_post(args.get("quote"))
    if quoted is not None and not any(entry.post_id.data == quoted.id for entry in form.quotes):
        form.quotes.append_entry(
            {"post_id": quoted.id, "passage": debate_posts.quotable_text(quoted)}
        )
        if quoted.thread_id == thread.id and not form.reply_to.data:
            form.reply_to.data = quoted.id


def _visible_post(raw):
    post_id = as_id(raw)
    if post_id is None:
        return None
    post = db.session.get(Post, post_id)
    if post is None or post.is_hidden or not access.can_view_post(current_user, post):
        return None
    return post


def quoted_authors(form):
    """{post_id: Post} for the quote entries of a reply form, to label them."""
    ids = {entry.post_id.data for entry in form.quotes if entry.post_id.data}
    posts = {}
    for post_id in ids:
        post = _visible_post(post_id)
        if post is not None:
            posts[post_id] = post
    return posts
