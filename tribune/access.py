"""The one place that decides who may do what to which object.

Every view and service asks here. Each predicate takes the acting user (possibly anonymous) and
the object, and answers True or False; `require` turns a False into NotFound, so that a reader
cannot tell "forbidden" from "does not exist".
"""

from tribune.services import NotFound


def is_participant(user):
    """A logged-in, active account."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user):
    """An administrator."""
    return is_participant(user) and user.role == "admin"


def can_moderate(user, section=None):
    """Whether the user holds moderation powers now. Administrators do; terms come later."""
    return is_admin(user)


def can_view_thread(user, thread):
    """Threads are public to every reader."""
    return thread is not None


def can_view_post(user, post):
    """Hidden posts are for moderators only; readers see a placeholder."""
    if post is None:
        return False
    return not post.is_hidden or can_moderate(user)


def can_open_thread(user, section):
    """Any participant may open a thread in any section: no voice is privileged."""
    return is_participant(user) and section is not None


def can_reply(user, thread):
    """Participants may reply to threads that are not locked (moderators may reply anyway)."""
    if not is_participant(user):
        return False
    return not thread.is_locked or can_moderate(user)


def can_edit_post(user, post):
    """Authors edit their own posts while the thread is open; moderators never rewrite others."""
    if not is_participant(user) or post.author_id != user.id:
        return False
    return not post.thread.is_locked and not post.is_hidden


def require(allowed):
    """Raise NotFound unless allowed."""
    if not allowed:
        raise NotFound()
