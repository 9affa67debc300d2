"""The posts of a thread page as HTML, built in Python rather than by a Jinja macro (issue 14).

A thread page shows up to 50 posts. As a macro, each post made about sixteen template calls
(links, labels, dates, access checks), and Jinja's call machinery, not the work inside, was a
third of the page (docs/decisions/0207). Here everything the posts of one page share is worked
out once (labels in the reader's language, link patterns, what the reader may do) and each post
is one f-string of escaped parts. The debate parts of a post (replies, quotes, translations)
stay in their template macro, papers/_post.html `debate_body`, called only for posts that have
some. tests/web/test_thread_markup.py holds the markup this writes.
"""

from flask import url_for
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from tribune import access
from tribune.i18n import PAGE_TRANSLATIONS, text_direction, time_element
from tribune.text import calendars

# A stand-in post id, replaced in the address url_for builds for it: one url_for per endpoint
# and page instead of one per post.
_SAMPLE_ID = 2**31 - 1


class _IdLinks:
    """`url_for(endpoint, post_id=...)`, escaped, from one url_for call per endpoint."""

    def __init__(self):
        self.patterns = {}

    def __call__(self, endpoint, post_id):
        pattern = self.patterns.get(endpoint)
        if pattern is None:
            sample = url_for(endpoint, post_id=_SAMPLE_ID)
            head, _sample, tail = sample.rpartition(str(_SAMPLE_ID))
            pattern = self.patterns[endpoint] = (escape(head), escape(tail))
        return f"{pattern[0]}{int(post_id)}{pattern[1]}"


class PostArticles:
    """Renders each post of one thread page as its <article>; made once per page."""

    def __init__(self, context, debate, can_reply, debate_body):
        gettext = context[PAGE_TRANSLATIONS].ugettext
        self.lang = context["page_lang"]
        self.dates = context["page_dates"]
        self.tz = context["page_tz"]
        self.debate = debate
        self.debate_body = debate_body
        self.can_reply = can_reply
        self.user = current_user
        self.signed_in = current_user.is_authenticated
        self.moderator = access.can_moderate(current_user)
        # The page's own link helpers (template globals), wherever they are defined.
        self.post_link = context["post_link"]
        self.profile_link = context["profile_link"]
        self.absolute_link = context["absolute_link"]
        self.thread_link = context["thread_link"]
        self.link = _IdLinks()
        self.label = {
            "edited": escape(gettext("edited")),
            "permanent": escape(gettext("Permanent link")),
            "copy": escape(gettext("Copy link")),
            "reply": escape(gettext("Reply")),
            "quote": escape(gettext("Quote")),
            "translate": escape(gettext("Translate")),
            "edit": escape(gettext("Edit")),
            "report": escape(gettext("Report")),
            "moderate": escape(gettext("Moderate")),
        }
        # The project's own catalogue: its placeholder is filled by Markup's %, which escapes.
        self.hidden = Markup(gettext("Hidden by moderation: %(reason)s"))  # noqa: S704  # nosec B704

    def when(self, moment):
        return time_element(moment, self.dates, self.tz, True)

    def __call__(self, post, number):
        label = self.label
        author = post.author
        link = self.post_link(post.id)
        edited = ""
        if post.revision_count:
            edited = (
                f'<a class="meta edited" href="{self.link("forum.history", post.id)}">'
                f"{label['edited']} {self.when(post.edited_at)}</a> "
            )
        head = (
            f'<header class="post-head">'
            f'<a class="author" href="{escape(self.profile_link(author.username))}">'
            f"<bdi>{escape(author.shown_name)}</bdi></a> "
            f'<span class="meta">{self.when(post.created_at)}</span> {edited}'
            f'<a class="post-number meta" href="{link}" title="{label["permanent"]}">'
            f"#{escape(calendars.format_number(number, self.lang))}</a> "
            f'<span class="print-only print-link" dir="ltr">'
            f"{escape(self.absolute_link(link))}</span>"
            f"</header>"
        )
        return Markup(  # noqa: S704  # nosec B704: every part is escaped or already markup
            f'<article class="post{" post-hidden" if post.is_hidden else ""}" id="p{post.id}"'
            f' lang="{escape(post.language)}">{head}{self.body(post)}{self.actions(post, link)}'
            f"</article>"
        )

    def body(self, post):
        placeholder = ""
        if post.is_hidden:
            reason = self.hidden % {"reason": post.hidden_reason}
            placeholder = f'<p class="placeholder">{reason}</p>'
            if not self.moderator:
                return placeholder
        debate = self.debate
        if post.reply_to_id or post.quote_count or post.translation_count or debate.reading:
            return f"{placeholder}{self.debate_body(post)}"
        return (
            f'{placeholder}<div class="post-body" dir="{text_direction(post.language)}"'
            f" data-quotable>{post.body_html}</div>"
        )

    def actions(self, post, link):
        label = self.label
        parts = [f'<a class="copy-link" href="{link}" data-copy-link>{label["copy"]}</a>']
        user = self.user
        if not post.is_hidden:
            if self.can_reply:
                reply = escape(self.thread_link(post, "reply-heading", reply_to=post.id))
                quote = escape(self.thread_link(post, "reply-heading", quote=post.id))
                parts.append(
                    f'<a class="reply-link" href="{reply}" data-reply-to="{post.id}">'
                    f"{label['reply']}</a>"
                )
                parts.append(
                    f'<a class="quote-link" href="{quote}" data-quote="{post.id}" rel="nofollow">'
                    f"{label['quote']}</a>"
                )
            if self.signed_in and access.can_translate(user, post):
                parts.append(
                    f'<a href="{self.link("papers.translate", post.id)}" rel="nofollow">'
                    f"{label['translate']}</a>"
                )
        if self.signed_in:
            if access.can_edit_post(user, post):
                parts.append(f'<a href="{self.link("forum.edit", post.id)}">{label["edit"]}</a>')
            if access.can_report(user, post):
                report = self.link("moderation.report_post", post.id)
                parts.append(f'<a href="{report}" rel="nofollow">{label["report"]}</a>')
            if self.moderator:
                parts.append(
                    f'<a class="mod-link" href="{self.link("moderation.post", post.id)}">'
                    f"{label['moderate']}</a>"
                )
        return f'<footer class="post-actions">{" ".join(parts)}</footer>'


@pass_context
def post_articles(context, debate, can_reply, debate_body):
    """The thread template's renderer of its posts (see PostArticles)."""
    return PostArticles(context, debate, can_reply, debate_body)
