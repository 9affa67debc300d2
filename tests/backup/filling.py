"""An instance holding every kind of content, written through the real services: the demo, then
moderation acts, reports, a suspension, a reopened debate, an edit, a translation, a withdrawn
signature, a reset link, a participant with two-factor authentication, the site's own name and
rules, an invitation, watches, notifications with e-mail waiting in the outbox, and reading
state."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from tests.security.conftest import begin_two_factor, code_for
from tests.support import PASSWORD, login
from tribune import demo
from tribune.extensions import db
from tribune.models import Association, PaperSignature, Post, Section, Thread
from tribune.models.base import utcnow
from tribune.services import (
    accounts,
    debate,
    debate_associations,
    debate_closing,
    debate_posts,
    moderation,
    moderation_users,
    notify,
    posting,
    reading,
    registration,
    reports,
    resets,
    site,
    terms,
)


@dataclass
class Filled:
    """What a test needs to know about the filled instance."""

    secret: str  # leila's TOTP secret
    recovery_codes: list[str]
    hidden_post_id: int
    words: tuple[str, ...]  # search queries with answers


def fill(client):
    """Fill the instance of `client`'s app; return what tests check afterwards."""
    with accounts.posting_limits_waived():
        demo.load()
    admin = accounts.register("coordinator", PASSWORD, role="admin")
    mina = accounts.register("mina", PASSWORD, email="mina@example.org")
    leila = accounts.register("leila", PASSWORD, email="leila@example.org", display_name="لیلا")
    reza = accounts.register("reza", PASSWORD)
    now = utcnow()
    terms.grant_term(admin, mina, now - timedelta(days=1), now + timedelta(days=90), "rotation")
    old_term = terms.grant_term(
        admin, reza, now - timedelta(days=2), now + timedelta(days=30), "a short turn"
    )
    terms.end_term(admin, old_term, "handed over early")

    # The coalition's own site: its name, its rules, registration by invitation.
    site.set_up(admin, "fa", "تریبون همبستگی", "بولتن بحث آزاد", "first setup")
    site.update_texts(admin, "fa", {"rules": "**ادب** را نگه دارید."}, "rules written")
    site.set_registration(admin, "invitation", 5, "members invite")
    registration.create_invitation(leila, "for a friend")
    # Mina follows by e-mail: her notifications also wait in the outbox.
    notify.save_settings(mina, True, "immediate", "mina@example.org")

    sections = {s.slug: s for s in db.session.scalars(select(Section))}
    tribune_sections = [s for s in sections.values() if s.area == "tribune"]
    first = posting.open_thread(leila, tribune_sections[0], "کدام جمهوری؟", "متن نخست سارا", "fa")
    answer = debate_posts.reply(reza, first, "پاسخ رضا به سارا", "fa")
    debate_posts.reply(
        mina,
        first,
        "An answer quoting Reza.",
        "en",
        reply_to=answer.id,
        quotes=[(answer.id, "پاسخ رضا")],
    )
    # Mina took part (she watches the thread now) and is named: a notification, and its e-mail.
    posting.reply(leila, first, "@mina پاسخی به تو", "fa")
    posting.edit_post(
        leila, _opening(first), "متن ویرایش‌شده‌ی سارا", "fa", title="کدام جمهوری لائیک؟"
    )
    debate_posts.translate(reza, _opening(first), "de", "Saras bearbeiteter Text", title="Welche?")
    second = posting.open_thread(reza, tribune_sections[0], "Merge me", "A duplicate debate.", "en")
    moderation.merge_threads(mina, second, first, "the same question twice")
    third = posting.open_thread(reza, tribune_sections[0], "Spam thread", "buy now", "en")
    hidden = _opening(third)
    reports.file_report(leila, hidden, "spam")
    report = reports.file_report(leila, answer, "other", "not sure about this one")
    reports.handle_report(mina, report, "dismiss", "a fair answer")
    moderation.hide_post(mina, hidden, "advertising")
    moderation.set_thread_flag(mina, first, "pin", "the question of the month")
    moderation.set_thread_flag(mina, first, "lock", "cooling down")
    moderation.set_slow_mode(mina, first, 300, "one reply in ten minutes")
    moderation.move_thread(mina, first, tribune_sections[1], "belongs to strategy")
    moderation_users.restrict_user(mina, reza, "silence", 3, "heated replies")
    closed = db.session.scalar(select(Thread).where(Thread.closed_at.is_not(None)))
    debate_closing.reopen(mina, closed, "new facts came up")
    signature = db.session.scalar(select(PaperSignature).limit(1))
    paper = db.session.get(Thread, signature.thread_id)
    signer = signature.signed_by
    debate.withdraw(signer, paper, signature)
    resets.issue(reza, channel="admin")
    # A paper co-signed by two associations, through affiliations an administrator confirmed.
    two = db.session.scalars(select(Association).order_by(Association.id).limit(2)).all()
    for association in two:
        membership = debate_associations.state_affiliation(leila, association, public=True)
        debate_associations.confirm(admin, membership)
    debate.publish_paper(
        leila,
        tribune_sections[0],
        "دو امضا",
        "متن مقاله",
        "fa",
        "خلاصه‌ای از این مقاله",
        "لائیسیته",
        two,
    )

    # Reading state: what mina has seen of the first thread, and "everything read" for reza.
    reading.mark_seen(
        mina, first, db.session.scalars(select(Post).where(Post.thread_id == first.id)).all()
    )
    reading.mark_all_read(reza)

    login(client, "leila")
    secret = begin_two_factor(client)
    response = client.post(
        "/accounts/two-factor", data={"code": code_for(secret, utcnow()), "password": PASSWORD}
    )
    import re

    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10
    client.post("/accounts/logout")
    db.session.expire_all()
    return Filled(
        secret=secret,
        recovery_codes=codes,
        hidden_post_id=hidden.id,
        words=("جمهوری", "سارا", "Saras", "answer", "duplicate", "buy", "سوسیالیسم"),
    )


def _opening(thread):
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1)
    )
