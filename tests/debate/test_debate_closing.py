"""Closing a debate with a synthesis: who may, read-only afterwards, reopening recorded."""

import pytest
from debate_support import fresh, opening_post

from tests.support import login
from tribune.extensions import db
from tribune.models import ClosureEvent, Thread
from tribune.services import (
    Invalid,
    NotFound,
    Refused,
    debate,
    debate_closing,
    debate_posts,
    posting,
)

AGREED = "در آکسیون‌ها شعار مشترک «نه به جمهوری اسلامی» است."
DISPUTED = "شعار «سرنگون باد» هنوز مورد اختلاف است."


@pytest.fixture
def thread(make_paper, make_user):
    return make_paper(author=make_user("sara"))


def test_a_moderator_closes_with_a_synthesis_shown_on_top(
    client, thread, make_user, make_moderator
):
    make_moderator(make_user("mod"))
    login(client, "mod")
    form = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"/papers/threads/{thread.id}/close" in form
    response = client.post(
        f"/papers/threads/{thread.id}/close", data={"agreed": AGREED, "disputed": DISPUTED}
    )
    assert response.status_code == 302
    assert fresh(Thread, thread.id).closed_at is not None
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.index('class="synthesis"') < html.index('class="posts"')
    assert AGREED in html and DISPUTED in html
    # Nothing was removed.
    assert opening_post(thread).body_source in html or "جدایی کامل" in html


def test_the_author_may_close_their_debate_but_others_may_not(app, thread, make_user):
    with pytest.raises(NotFound):
        debate_closing.close(make_user("kaveh"), thread, AGREED, "")
    event = debate_closing.close(thread.author, thread, AGREED, "")
    assert event.kind == "close" and event.agreed_html.startswith("<p")
    with pytest.raises(Refused):
        debate_closing.close(thread.author, thread, AGREED, "")


def test_a_synthesis_needs_some_text(app, thread):
    with pytest.raises(Invalid):
        debate_closing.close(thread.author, thread, " ", "")


def test_a_closed_debate_is_read_only_for_everyone(
    client, thread, make_user, make_moderator, make_association, make_member
):
    moderator = make_moderator(make_user("mod"))
    kaveh = make_user("kaveh")
    paris = make_association("paris", "انجمن پاریس", "Paris")
    make_member(kaveh, paris)
    original = opening_post(thread)
    reply = debate_posts.reply(kaveh, thread, "پاسخی پیش از بستن.")
    debate_closing.close(moderator, thread, AGREED, DISPUTED)

    for actor in (kaveh, moderator, thread.author):
        with pytest.raises(Refused):
            posting.reply(actor, thread, "پاسخ تازه", "fa")
    with pytest.raises(Refused):
        posting.edit_post(thread.author, original, "متن دیگر", "fa")
    with pytest.raises(Refused):
        posting.edit_post(kaveh, reply, "متن دیگر", "fa")
    with pytest.raises(Refused):
        debate_posts.translate(kaveh, original, "de", "Übersetzung")
    with pytest.raises(Refused):
        debate.sign(kaveh, thread, paris)
    with pytest.raises(Refused):
        debate.edit_paper(thread.author, thread, "خلاصه‌ای تازه برای نوشته.", "سوسیالیسم")

    login(client, "kaveh")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'action="/t/{thread.id}/reply"' not in html
    assert "/translate" not in html and f"/p/{reply.id}/edit" not in html
    response = client.post(f"/t/{thread.id}/reply", data={"body": "پاسخ", "language": "fa"})
    assert response.status_code == 400
    assert client.get(f"/p/{reply.id}/edit").status_code == 404
    assert client.get(f"/papers/posts/{original.id}/translate").status_code == 404


def test_reopening_is_recorded_and_the_synthesis_stays_in_the_history(
    client, thread, make_user, make_moderator
):
    moderator = make_moderator(make_user("mod"))
    debate_closing.close(moderator, thread, AGREED, DISPUTED)
    # The author cannot undo a moderator's synthesis; a moderator can reopen, with a reason.
    with pytest.raises(NotFound):
        debate_closing.reopen(thread.author, thread, "بحث ادامه دارد")
    with pytest.raises(Invalid):
        debate_closing.reopen(moderator, thread, "")
    login(client, "mod")
    client.post(f"/papers/threads/{thread.id}/reopen", data={"reason": "استدلال تازه‌ای رسیده"})
    thread = fresh(Thread, thread.id)
    assert thread.closed_at is None and thread.closure_count == 2
    kinds = [e.kind for e in db.session.scalars(db.select(ClosureEvent).order_by(ClosureEvent.id))]
    assert kinds == ["close", "reopen"]
    posting.reply(thread.author, thread, "دوباره باز است.", "fa")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'class="synthesis"' not in html
    assert "History of closing and reopening" in html
    assert AGREED in html and "استدلال تازه‌ای رسیده" in html


def test_the_author_reopens_their_own_closure(app, thread):
    debate_closing.close(thread.author, thread, AGREED, "")
    debate_closing.reopen(thread.author, thread, "یک نکته مانده است")
    assert fresh(Thread, thread.id).closed_at is None


def test_closed_debates_are_marked_in_lists(client, thread):
    debate_closing.close(thread.author, thread, AGREED, "")
    html = client.get(f"/tribune/{thread.section.slug}/").get_data(as_text=True)
    assert "closed with a synthesis" in html


def _log():
    from tribune.models import ModerationLogEntry

    return db.session.scalars(db.select(ModerationLogEntry).order_by(ModerationLogEntry.id)).all()


def test_a_moderator_closing_or_reopening_anothers_debate_is_in_the_moderation_log(
    client, thread, make_user, make_moderator
):
    from tribune.services import moderation_log

    moderator = make_moderator(make_user("mod"))
    before = len(_log())
    event = debate_closing.close(moderator, thread, AGREED, DISPUTED)
    entry = _log()[-1]
    assert len(_log()) == before + 1
    assert (entry.action, entry.target_id, entry.actor_id) == (
        "thread.close",
        thread.id,
        moderator.id,
    )
    assert entry.term_id is not None and entry.reason == AGREED
    assert entry.details == {"closure_event": event.id}
    debate_closing.reopen(moderator, thread, "استدلال تازه‌ای رسیده")
    assert [e.action for e in _log()[before:]] == ["thread.close", "thread.reopen"]
    assert _log()[-1].reason == "استدلال تازه‌ای رسیده"
    assert moderation_log.verify_chain().broken_id is None
    # Public: the log page names the act.
    page = client.get("/moderation/log").get_data(as_text=True)
    assert "استدلال تازه‌ای رسیده" in page


def test_an_author_closing_their_own_debate_is_not_moderation(app, thread):
    before = len(_log())
    debate_closing.close(thread.author, thread, AGREED, "")
    debate_closing.reopen(thread.author, thread, "یک نکته مانده است")
    assert len(_log()) == before
