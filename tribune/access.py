"""The one place that decides who may do what to which object.

Every view and service asks here. Each predicate takes the acting user (possibly anonymous) and
the object, and answers True or False; `require` turns a False into NotFound, so that a reader
cannot tell "forbidden" from "does not exist".

Roles: a reader has no account; a participant has an active one; a moderator is a participant
holding a moderator term in force *now*; an administrator (role "admin") grants terms.
Administrators administer and do not moderate unless they hold a term themselves, so that every
moderation act is done, and logged, under a term (issue 4).
"""

from datetime import timedelta

from flask import g, has_request_context
from sqlalchemy import and_, func, or_, select, true, union

from tribune.extensions import db
from tribune.models import ModeratorTerm, Notification, Post, Thread, User
from tribune.models.base import utcnow
from tribune.services import NotFound


def is_participant(user):
    """A logged-in, active account (not disabled, not suspended)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def anyone(user):
    """Every reader, with an account or without."""
    return True


def is_logged_in(user):
    """Logged in, whatever the account's state (the page itself says what it may do)."""
    return bool(user is not None and user.is_authenticated)


def is_admin(user):
    """An administrator."""
    return is_participant(user) and has_admin_role(user)


def has_admin_role(user):
    """The account carries administrator rights, even while it cannot use them (disabled,
    suspended): such an account is handed over, never deleted or restricted by moderation."""
    return user.role == "admin"


def current_term(user, at=None):
    """The moderator term the user holds at `at` (now by default), or None.

    Within a request the answer is remembered, so pages that ask once per post query once.
    """
    if not is_participant(user):
        return None
    if at is not None or not has_request_context():
        return _term_at(user.id, at or utcnow())
    cache = g.setdefault("tribune_terms", {})
    if user.id not in cache:
        cache[user.id] = _term_at(user.id, utcnow())
    return cache[user.id]


def _term_at(user_id, at):
    return db.session.scalar(
        select(ModeratorTerm)
        .where(
            ModeratorTerm.user_id == user_id,
            ModeratorTerm.starts_at <= at,
            ModeratorTerm.ends_at > at,
        )
        .order_by(ModeratorTerm.starts_at)
        .limit(1)
    )


def forget_terms():
    """Drop the remembered terms of this request (after a term is granted or ended)."""
    if has_request_context():
        g.pop("tribune_terms", None)


def can_moderate(user, section=None, at=None):
    """Whether the user holds moderation powers: a term in force (terms cover every section)."""
    return current_term(user, at) is not None


def is_staff(user):
    """An administrator or a moderator in term: who must use two-factor authentication, and who
    is spared the posting limits of new accounts."""
    return is_admin(user) or can_moderate(user)


def restriction_barrier(actor, user):
    """Why moderation may not suspend or silence `user`'s account, or None when it may: never
    one's own, an archived author's placeholder, a moderator in term's (an administrator ends
    the term instead) or an administrator's. The reasons are named so the service can say which.
    """
    if user.id == actor.id:
        return "self"
    if user.is_placeholder:
        return "placeholder"
    if can_moderate(user):
        return "moderator"
    if has_admin_role(user):
        return "admin"
    return None


def can_view_thread(user, thread):
    """Threads are public to every reader (a hidden thread shows a placeholder title)."""
    return thread is not None


def can_view_thread_title(user, thread):
    """A hidden thread's title is for moderators; readers see a placeholder."""
    return thread is not None and (not thread.is_hidden or can_moderate(user))


def can_view_post(user, post):
    """Hidden posts are for moderators only; readers see a placeholder."""
    if post is None:
        return False
    return not post.is_hidden or can_moderate(user)


def visible_posts_clause(user=None):
    """The SQL condition for posts `user` may read: one rule for lists, search, feeds, export."""
    return true() if can_moderate(user) else Post.is_hidden.is_(False)


def visible_threads_clause(user=None):
    """The SQL condition for threads listed to `user`: merged threads never; hidden ones only to
    moderators. Counts (Section.thread_count) follow the readers' rule, `user=None`."""
    clause = Thread.merged_into_id.is_(None)
    if not can_moderate(user):
        clause = clause & Thread.is_hidden.is_(False)
    return clause


def hidden_post_ids():
    """The ids of the posts readers may not see: the complement of visible_posts_clause(None)
    and visible_threads_clause(None), for a query that starts from another table (search's
    rows) and keeps the visible by excluding these few (partial indexes find them)."""
    return union(
        select(Post.id).where(~visible_posts_clause(None)),
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(~visible_threads_clause(None)),
    )


def visible_notifications_clause(now=None):
    """The SQL condition on Notification for those still shown to their reader (listed, counted,
    mailed): not about a post or thread hidden or merged since, nor from an author suspended or
    disabled since; the rule is applied when reading, whatever happened after the writing."""
    now = now or utcnow()
    hidden_post = select(Post.id).where(Post.id == Notification.post_id, Post.is_hidden.is_(True))
    unseen_thread = select(Thread.id).where(
        Thread.id == Notification.thread_id,
        or_(Thread.is_hidden.is_(True), Thread.merged_into_id.is_not(None)),
    )
    # A moderation act is told even though (because) it hid the post or thread; its actor is a
    # moderator whatever their state since.
    return or_(
        Notification.kind == "moderation",
        and_(
            ~hidden_post.exists(),
            ~unseen_thread.exists(),
            or_(Notification.actor_id.is_(None), _notification_actor_ok(now)),
        ),
    )


def _notification_actor_ok(now):
    return (
        select(User.id)
        .where(
            User.id == Notification.actor_id,
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
            User.is_disabled.is_(False),
        )
        .exists()
    )


def may_write(user):
    """A participant who is not silenced: may post, reply, edit and report."""
    return is_participant(user) and not user.is_silenced


def is_read_only_section(section):
    """An archived (or merged) section keeps its threads readable and takes nothing new."""
    return section is not None and section.archived_at is not None


def can_open_thread(user, section):
    """Any participant may open a thread in any open section: no voice is privileged."""
    return may_write(user) and section is not None and not is_read_only_section(section)


def can_reply(user, thread):
    """Participants may reply to open threads; moderators may reply to locked or hidden ones."""
    if not may_write(user) or thread.merged_into_id is not None:
        return False
    if is_closed(thread) or is_read_only_section(thread.section):
        # Closed with a synthesis, or in an archived section: read-only for everyone,
        # moderators too, until reopened or brought back.
        return False
    if thread.is_locked or thread.is_hidden:
        return can_moderate(user)
    return True


def can_edit_post(user, post):
    """Authors edit their own posts while the thread is open; moderators never rewrite others."""
    if not may_write(user) or post.author_id != user.id:
        return False
    thread = post.thread
    return (
        not thread.is_locked
        and not post.is_hidden
        and not is_closed(thread)
        and not is_read_only_section(thread.section)
    )


def can_report(user, post):
    """A participant may report someone else's visible post."""
    return (
        may_write(user)
        and post is not None
        and post.author_id != user.id
        and not post.is_hidden
    )


def write_refusal(user):
    """Why a logged-in account may not write now, as a message; None when nothing restricts it."""
    from flask_babel import gettext as _

    from tribune.i18n import current_locale, display_timezone
    from tribune.text.calendars import format_datetime

    if is_participant(user) and user.is_silenced:
        until = format_datetime(user.silenced_until, current_locale(), tz=display_timezone())
        return _("Your account is read-only until %(until)s.", until=until)
    return None


def slow_mode_wait(user, thread, at=None):
    """Seconds the user must still wait before replying in a slow-mode thread (0: may reply)."""
    interval = thread.slow_mode_seconds or 0
    if not interval or not is_participant(user) or can_moderate(user):
        return 0
    last = db.session.scalar(
        select(func.max(Post.created_at)).where(
            Post.thread_id == thread.id, Post.author_id == user.id
        )
    )
    if last is None:
        return 0
    remaining = last + timedelta(seconds=interval) - (at or utcnow())
    return max(0, int(remaining.total_seconds() + 0.999))


# Debates and the agenda (issue 3): papers, signatures, translations, syntheses, actions.


def is_closed(thread):
    """Whether a debate was closed with a synthesis (and not reopened): it is then read-only."""
    return thread is not None and thread.closed_at is not None


def is_own_thread(user, thread):
    """The user opened the thread: closing or reopening it is then theirs, not moderation."""
    return thread.author_id == user.id


def can_close_debate(user, thread):
    """The thread's author or a moderator may close an open debate with a synthesis."""
    if not may_write(user) or thread is None or thread.merged_into_id is not None:
        return False
    if is_closed(thread):
        return False
    return thread.author_id == user.id or can_moderate(user, thread.section)


def can_reopen_debate(user, thread, closing=None):
    """Moderators may reopen a closed debate; its author may reopen a closure of their own.

    `closing` is the close event in force; an author cannot undo a moderator's synthesis.
    """
    if not may_write(user) or not is_closed(thread):
        return False
    if can_moderate(user, thread.section):
        return True
    return thread.author_id == user.id and closing is not None and closing.actor_id == user.id


def can_translate(user, post):
    """Any participant may translate a visible post of an open debate."""
    if not may_write(user) or post is None or post.is_hidden:
        return False
    thread = post.thread
    return not is_closed(thread) and thread.merged_into_id is None


def can_edit_translation(user, translation):
    """Only its translator updates a translation, while the debate is open."""
    return (
        translation is not None
        and can_translate(user, translation.post)
        and translation.translator_id == user.id
    )


def confirmed_membership(user, association):
    """The user's confirmed membership of the association, or None."""
    if not is_participant(user) or association is None:
        return None
    for membership in user.memberships:
        if membership.association_id == association.id and membership.confirmation is not None:
            return membership
    return None


def can_sign_for(user, association):
    """An association can be named as signatory only by its confirmed members."""
    return may_write(user) and confirmed_membership(user, association) is not None


def can_sign_paper(user, thread, association):
    """A member may name their association as co-signatory of an open paper."""
    return (
        thread is not None
        and thread.paper is not None
        and not is_closed(thread)
        and can_sign_for(user, association)
    )


def can_withdraw_signature(user, signature, thread):
    """The member who signed for the association (even after leaving it: the act was theirs),
    the association's other confirmed members, or the paper's author may withdraw a
    co-signature while the debate is open."""
    if not may_write(user) or is_closed(thread) or not signature.is_active:
        return False
    return (
        signature.signed_by_id == user.id
        or thread.author_id == user.id
        or can_sign_for(user, signature.association)
    )


def can_request_signature(user, thread):
    """A paper's author may ask associations to co-sign it while the debate is open (and the
    paper not hidden): whoever may edit its fields."""
    return can_edit_paper(user, thread) and not thread.is_hidden


def can_edit_paper(user, thread):
    """The author edits a paper's summary and position while the debate is open."""
    return (
        may_write(user)
        and thread is not None
        and thread.paper is not None
        and thread.author_id == user.id
        and not is_closed(thread)
    )


def can_edit_action(user, thread):
    """The organiser (the thread's author) changes an action's time, place or status."""
    return (
        may_write(user)
        and thread is not None
        and thread.action is not None
        and thread.author_id == user.id
        and not is_closed(thread)
    )


def can_link_threads(user, debate, action):
    """Either thread's author, or a moderator, may relate a debate and an action."""
    if not may_write(user) or debate is None or action is None:
        return False
    if user.id in (debate.author_id, action.author_id):
        return True
    return can_moderate(user, debate.section)


def can_relate(user, thread):
    """Whether the user may relate this debate or action to a thread of the other space."""
    if not may_write(user) or thread is None:
        return False
    if thread.kind != "action" and thread.section.area != "tribune":
        return False
    return thread.author_id == user.id or can_moderate(user, thread.section)


def can_add_commemoration(user):
    """Any participant may enter a commemoration in the agenda."""
    return may_write(user)


def can_edit_commemoration(user, commemoration):
    """Who entered a commemoration, or a moderator, may change or retire it."""
    if not may_write(user) or commemoration is None:
        return False
    return commemoration.created_by_id == user.id or can_moderate(user, commemoration.section)


def can_confirm_member(user, membership):
    """A confirmed member of the association, or an administrator, confirms someone else."""
    if not is_participant(user) or membership is None or membership.user_id == user.id:
        return False
    return is_admin(user) or confirmed_membership(user, membership.association) is not None


def can_see_pending_members(user, association):
    """Stated affiliations awaiting confirmation are shown to those who may confirm them."""
    return is_admin(user) or confirmed_membership(user, association) is not None


def can_create_association(user):
    """Associations join the coalition through an administrator."""
    return is_admin(user)


# The site itself (issue 19): administration pages, registration, invitations.


def can_administer(user):
    """The administration area (sections, identity and rules, registration, people) is for
    administrators only; every route of the admin blueprint asks this one question."""
    return is_admin(user)


def can_change_admin_role(user, person):
    """An administrator grants or ends another account's administrator rights, never their own
    (so the last administrator cannot lock the site out by mistake, nor anyone crown themself)."""
    return (
        is_admin(user)
        and person is not None
        and person.id != user.id
        and not person.is_placeholder
        and person.deleted_at is None
    )


def can_see_inviter(user):
    """Who invited whom is for administrators only: a member's circle is nobody else's business."""
    return is_admin(user)


def can_invite(user, policy):
    """Under registration by invitation, any participant in good standing invites; under the
    other policies invitations are not needed and not offered."""
    return policy == "invitation" and may_write(user)


def can_decide_applications(user):
    """Applications (registration by approval) are decided by moderators in term, or by an
    administrator while no moderator holds a term."""
    return can_moderate(user) or is_admin(user)


def require(allowed):
    """Raise NotFound unless allowed."""
    if not allowed:
        raise NotFound()
