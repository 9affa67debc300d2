"""Who is told of what (issue 16): watches, and the notifications that posts and acts cause.

Notifications are written in the transaction of the event that causes them (the caller commits),
so an event and its notifications exist together or not at all. The few people told directly (a
reply's parent author, those quoted or @mentioned, the author of a translated or moderated post)
are written row by row; everyone watching is told by ONE `INSERT ... SELECT`, so a thread with a
thousand watchers costs one statement, not a thousand (bench/notify_bench.py measures it).

Rules, checked here when written and again when shown (notifications/queries.py):
- nothing hidden (a hidden post, a hidden or merged thread) notifies anyone;
- nobody is told of their own act; disabled, deleted, placeholder and suspended accounts are not
  told; a suspended author's posts stop notifying;
- a muted thread tells its muter nothing but moderation acts on their own posts;
- one post tells one person once, by its most specific reason (mention > quote > reply to me >
  watching).
"""

from sqlalchemy import and_, delete, func, insert, literal, or_, select, true, update

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import Membership, MembershipConfirmation, Paper, PaperSignature, Post, User
from tribune.models.base import UTCDateTime, utcnow
from tribune.models.debate import Quote
from tribune.models.follow import (
    MAIL_MODES,
    WATCH_KINDS,
    Notification,
    NotificationSettings,
    Watch,
)
from tribune.services import Invalid, NotFound, keys, mail, rendering
from tribune.services.keys import position_key
from tribune.services.transaction import transaction

# Moderation acts that tell the author of the post or thread they concern. A debate closed by a
# moderator tells its participants through the synthesis notification instead.
TOLD_MODERATION_ACTIONS = frozenset({
    "post.hide", "post.unhide", "thread.lock", "thread.unlock", "thread.move",
    "thread.retitle", "thread.merge", "thread.split", "thread.reopen",
})  # fmt: skip


# Told outside a post's own transaction step (a post's notifications are mailed together).
SEPARATE_MAIL_KINDS = frozenset({"translation", "moderation", "cosign"})


# Watching.


def watch_key(kind, target):
    """The (kind, key) a watch on `target` is stored under; Invalid for an unknown kind."""
    if kind not in WATCH_KINDS:
        raise Invalid("unknown kind of watch", field="kind")
    if kind == "space":
        return kind, str(target)
    if kind == "position":
        # Folded as papers are grouped (Persian spelling variants, case, spaces).
        return kind, position_key(str(target))
    return kind, str(target.id if hasattr(target, "id") else target)


def watch_level(user, kind, key):
    """"watch", "mute" or None: how `user` follows the target."""
    if not access.is_participant(user):
        return None
    return db.session.scalar(
        select(Watch.level).where(
            Watch.user_id == user.id, Watch.target_kind == kind, Watch.target_key == key
        )
    )


@transaction
def set_watch(actor, kind, key, level):
    """Watch ("watch"), mute (threads only, "mute") or stop following (None) a target."""
    if not access.is_participant(actor):
        raise NotFound()
    if level not in (None, "watch", "mute") or (level == "mute" and kind != "thread"):
        raise Invalid("unknown watch level", field="level")
    existing = db.session.scalar(
        select(Watch).where(
            Watch.user_id == actor.id, Watch.target_kind == kind, Watch.target_key == key
        )
    )
    if level is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(Watch(user_id=actor.id, target_kind=kind, target_key=key, level=level))
    else:
        existing.level = level
    db.session.commit()


def watches_of(user):
    """Everything the participant follows or mutes, newest first, with a label for each."""
    from tribune.models import Association, Section, Thread

    rows = db.session.scalars(
        select(Watch).where(Watch.user_id == user.id).order_by(Watch.id.desc()).limit(200)
    ).all()
    models = {"thread": Thread, "section": Section, "association": Association}
    labelled = []
    for row in rows:
        model = models.get(row.target_kind)
        target = db.session.get(model, int(row.target_key)) if model else row.target_key
        labelled.append((row, target))
    return labelled


def settings_of(user):
    """The participant's notification settings (defaults when never saved; not added)."""
    found = db.session.get(NotificationSettings, user.id)
    return found or NotificationSettings(user_id=user.id, auto_watch=True)


@transaction
def save_settings(actor, auto_watch, mail_mode=None, mail_address=None):
    """Change whether opening a thread or replying watches it and, when mail is on here, which
    e-mail the participant wants at which address (`mail_mode` None: leave mail as it is)."""
    if not access.is_participant(actor):
        raise NotFound()
    found = db.session.get(NotificationSettings, actor.id)
    if found is None:
        found = NotificationSettings(user_id=actor.id, mail_mode="off", digest_cursor=0)
        db.session.add(found)
    found.auto_watch = bool(auto_watch)
    if mail_mode is not None:
        if mail_mode not in MAIL_MODES:
            raise Invalid(_l("Choose one of the offered kinds of e-mail."), field="mail_mode")
        try:
            address = keys.normalise_email(mail_address)
        except Invalid as error:
            raise Invalid(error.message, field="mail_address") from None
        if mail_mode != "off" and address is None:
            raise Invalid(_l("Give the address to send these e-mails to."),
                          field="mail_address")  # fmt: skip
        if mail_mode != found.mail_mode or address != found.mail_address:
            # A digest covers what is new from now on, not the whole past.
            found.digest_at = utcnow()
            found.digest_cursor = db.session.scalar(
                select(func.max(Notification.id)).where(Notification.user_id == actor.id)
            ) or 0
        found.mail_mode = mail_mode
        found.mail_address = address
    db.session.commit()
    return found


@transaction
def unsubscribe(user):
    """Stop every e-mail to this participant (the one-click link in each message)."""
    found = db.session.get(NotificationSettings, user.id)
    if found is not None and found.mail_mode != "off":
        found.mail_mode = "off"
        db.session.commit()


def _auto_watch(actor, thread):
    """Watch a thread one opened or replied to, unless the setting is off or it is followed
    (or muted) already. Part of the caller's transaction."""
    key = str(thread.id)
    if not settings_of(actor).auto_watch or watch_level(actor, "thread", key) is not None:
        return
    db.session.add(Watch(user_id=actor.id, target_kind="thread", target_key=key, level="watch"))


# Who can be told.


def reachable_users(now):
    """SQL condition on User: accounts that are told anything at all."""
    return and_(
        User.is_disabled.is_(False),
        User.is_placeholder.is_(False),
        User.deleted_at.is_(None),
        or_(User.suspended_until.is_(None), User.suspended_until <= now),
    )


def _muters(thread_id):
    return select(Watch.user_id).where(
        Watch.target_kind == "thread",
        Watch.target_key == str(thread_id),
        Watch.level == "mute",
    )


def _publicly_visible(post, thread):
    """Whether every reader sees this post (otherwise it tells nobody)."""
    return not post.is_hidden and not thread.is_hidden and thread.merged_into_id is None


def _tell_each(rows, kind, group_key, now, *, thread=None, post=None, actor=None, reason="",
               association=None, told=None):
    """Write one notification per user id in `rows` who is reachable and not the actor."""
    told = set() if told is None else told
    ids = {uid for uid in rows if uid is not None and uid not in told}
    if actor is not None:
        ids.discard(actor.id)
    if not ids:
        return told
    query = select(User.id).where(User.id.in_(ids), reachable_users(now))
    if thread is not None and kind != "moderation":
        query = query.where(User.id.not_in(_muters(thread.id)))
    for user_id in db.session.scalars(query).all():
        db.session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                group_key=group_key,
                thread_id=thread.id if thread is not None else None,
                post_id=post.id if post is not None else None,
                actor_id=actor.id if actor is not None else None,
                reason=reason,
                association_id=association.id if association is not None else None,
                created_at=now,
            )
        )
        told.add(user_id)
    if kind in SEPARATE_MAIL_KINDS:
        db.session.flush()
        mail.queue_immediate(and_(Notification.group_key == group_key,
                                  Notification.created_at == now), now)  # fmt: skip
    return told


def _tell_watchers(targets, kind, group_key, now, thread, post, actor):
    """One INSERT ... SELECT: every reachable watcher of any of `targets` ((kind, key) pairs),
    not the actor, not muting the thread, not already told of this post."""
    matches = or_(*(and_(Watch.target_kind == k, Watch.target_key == v) for k, v in targets))
    already = select(Notification.user_id).where(Notification.post_id == post.id)
    chosen = (
        select(
            Watch.user_id,
            literal(kind),
            literal(group_key),
            literal(thread.id),
            literal(post.id),
            literal(actor.id),
            literal(""),
            literal(now, UTCDateTime),
        )
        .join(User, User.id == Watch.user_id)
        .where(
            matches,
            Watch.level == "watch",
            Watch.user_id != actor.id,
            Watch.user_id.not_in(_muters(thread.id)),
            Watch.user_id.not_in(already),
            reachable_users(now),
        )
    )
    if len(targets) > 1:
        # One watch per user and target (a unique constraint): only several targets can
        # name one user twice.
        chosen = chosen.distinct()
    columns = ["user_id", "kind", "group_key", "thread_id", "post_id", "actor_id", "reason",
               "created_at"]  # fmt: skip
    db.session.execute(insert(Notification).from_select(columns, chosen))


# Events.


def post_written(actor, post, opening):
    """Tell whom a new post concerns, and watch its thread for its author. Before the commit of
    posting.open_thread / posting.reply (quotes, parent and paper fields already attached)."""
    thread = post.thread
    _auto_watch(actor, thread)
    if not _publicly_visible(post, thread):
        return
    db.session.flush()
    now = post.created_at
    told = _tell_each(
        _mentioned_ids(post), "mention", f"post:{post.id}", now,
        thread=thread, post=post, actor=actor,
    )  # fmt: skip
    quoted = db.session.scalars(
        select(Post.author_id)
        .join(Quote, Quote.quoted_post_id == Post.id)
        .where(Quote.post_id == post.id, Post.is_hidden.is_(False))
    ).all()
    told = _tell_each(quoted, "quote", f"post:{post.id}", now,
                      thread=thread, post=post, actor=actor, told=told)  # fmt: skip
    if post.reply_to_id is not None:
        parent = db.session.get(Post, post.reply_to_id)
        if parent is not None and not parent.is_hidden:
            _tell_each([parent.author_id], "reply_to_me", f"post:{post.id}", now,
                       thread=thread, post=post, actor=actor, told=told)  # fmt: skip
    if opening:
        _tell_watchers(_opening_targets(thread), "new_thread", f"new_thread:{thread.id}", now,
                       thread, post, actor)  # fmt: skip
    else:
        _tell_watchers([("thread", str(thread.id))], "reply", f"reply:{thread.id}", now,
                       thread, post, actor)  # fmt: skip
    mail.queue_immediate(Notification.post_id == post.id, now)


def post_edited(actor, post, previous_source):
    """Tell those newly @mentioned by an edit (once: an edit never tells anyone twice)."""
    thread = post.thread
    if not _publicly_visible(post, thread):
        return
    before = set(rendering.mention_map(previous_source))
    names = [name for name in rendering.mention_map(post.body_source) if name not in before]
    if not names:
        return
    already = select(Notification.user_id).where(Notification.post_id == post.id)
    ids = db.session.scalars(
        select(User.id).where(User.username_key.in_(names), User.id.not_in(already))
    ).all()
    _tell_each(ids, "mention", f"post:{post.id}", utcnow(), thread=thread, post=post,
               actor=actor)  # fmt: skip


def _mentioned_ids(post):
    names = list(rendering.mention_map(post.body_source))
    if not names:
        return []
    return db.session.scalars(select(User.id).where(User.username_key.in_(names))).all()


def _opening_targets(thread):
    """Where watchers of a new thread are: its section, its space, and for a paper the position
    it defends and the associations co-signing it."""
    targets = [("section", str(thread.section_id)), ("space", thread.section.area)]
    paper = db.session.get(Paper, thread.id)
    if paper is not None:
        targets.append(("position", paper.position_key))
        signers = db.session.scalars(
            select(PaperSignature.association_id).where(
                PaperSignature.thread_id == thread.id, PaperSignature.withdrawn_at.is_(None)
            )
        ).all()
        targets.extend(("association", str(association_id)) for association_id in signers)
    return targets


def translation_written(actor, translation):
    """Tell a post's author that it was translated (a new translation, not an update)."""
    post = translation.post
    if not _publicly_visible(post, post.thread):
        return
    _tell_each([post.author_id], "translation", f"translation:{post.id}", utcnow(),
               thread=post.thread, post=post, actor=actor)  # fmt: skip


def debate_closed(actor, thread, event):
    """Tell everyone who took part (wrote a visible post) that the debate closed with a
    synthesis: one INSERT ... SELECT."""
    if thread.is_hidden or thread.merged_into_id is not None:
        return
    now = event.created_at
    authors = (
        select(
            Post.author_id,
            literal("synthesis"),
            literal(f"synthesis:{thread.id}"),
            literal(thread.id),
            literal(actor.id),
            literal(now, UTCDateTime),
        )
        .join(User, User.id == Post.author_id)
        .where(
            Post.thread_id == thread.id,
            Post.is_hidden.is_(False),
            Post.author_id != actor.id,
            Post.author_id.not_in(_muters(thread.id)),
            reachable_users(now),
        )
        .distinct()
    )
    columns = ["user_id", "kind", "group_key", "thread_id", "actor_id", "created_at"]
    db.session.execute(insert(Notification).from_select(columns, authors))
    mail.queue_immediate(
        and_(Notification.group_key == f"synthesis:{thread.id}", Notification.created_at == now),
        now,
    )


def moderation_recorded(actor, action, target_kind, target_id, reason, thread):
    """Tell the author of the post or thread a moderation act concerned, with its reason."""
    if action not in TOLD_MODERATION_ACTIONS:
        return
    post = None
    if target_kind == "post":
        post = db.session.get(Post, target_id)
        author_id = post.author_id if post is not None else None
        thread = post.thread if post is not None else thread
    elif target_kind == "thread" and thread is not None:
        author_id = thread.author_id
    else:
        return
    now = utcnow()
    _tell_each([author_id], "moderation", f"moderation:{now.timestamp()}:{target_id}", now,
               thread=thread, post=post, actor=actor, reason=reason)  # fmt: skip


def cosign_requested(actor, thread, association):
    """Ask the confirmed members of an association to co-sign a paper."""
    members = db.session.scalars(
        select(Membership.user_id)
        .join(MembershipConfirmation, MembershipConfirmation.membership_id == Membership.id)
        .where(Membership.association_id == association.id)
    ).all()
    return _tell_each(members, "cosign", f"cosign:{thread.id}:{association.id}", utcnow(),
                      thread=thread, actor=actor, association=association)  # fmt: skip


def cosign_asked(thread, association):
    """Whether the association was already asked to co-sign this paper."""
    key = f"cosign:{thread.id}:{association.id}"
    return db.session.scalar(select(Notification.id).where(Notification.group_key == key)
                             .limit(1)) is not None


# Reading.


@transaction
def mark_thread_seen(user, thread):
    """The participant saw the thread: its notifications are read."""
    if not access.is_participant(user):
        return
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.thread_id == thread.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    if result.rowcount:
        db.session.commit()


@transaction
def mark_read(user, group_keys=None):
    """Mark notifications read: those of the given groups, or all of them."""
    if not access.is_participant(user):
        raise NotFound()
    condition = Notification.group_key.in_(group_keys) if group_keys is not None else true()
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), condition)
        .values(read_at=utcnow())
    )
    db.session.commit()


def forget_user(user):
    """Remove what a deleted account was told and how: watches, notifications, reading state,
    mail settings (the address) and unsent mail. Does not commit."""
    from tribune.models import MailOutbox, ReadMark, ThreadRead

    for model in (Watch, Notification, NotificationSettings, ThreadRead, ReadMark):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(
        delete(MailOutbox).where(MailOutbox.user_id == user.id, MailOutbox.status != "sent")
    )
    # Sent mail keeps its row (the outbox's record) but not the address or the text.
    db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.user_id == user.id)
        .values(recipient="", message="")
    )
