"""Reports: participants report posts; only moderators see the queue and who reported."""

import pytest
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import ModerationLogEntry, Report
from tribune.services import Refused, moderation, posting, reports


@pytest.fixture
def reported(app, make_user, make_section, make_moderator):
    mina = make_moderator("mina")
    kaveh = make_user("kaveh")
    make_user("sara")
    thread = posting.open_thread(kaveh, make_section("alternatives"), "بدیل", "متن نخست", "fa")
    reply = posting.reply(kaveh, thread, "توهین", "fa")
    return mina, thread, reply


def test_a_participant_reports_a_post_through_the_form(client, reported):
    mina, thread, reply = reported
    login(client, "sara")
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"/moderation/report/{reply.id}" in page
    response = client.post(
        f"/moderation/report/{reply.id}", data={"reason": "abuse", "details": "insults"}
    )
    assert response.status_code == 302
    report = db.session.scalar(select(Report))
    assert (report.reason, report.details, report.state) == ("abuse", "insults", "open")
    # A second report of the same post by the same person is refused kindly.
    response = client.post(f"/moderation/report/{reply.id}", data={"reason": "spam"})
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(Report.id))) == 1
    # Filing a report is not a moderation act: the public log does not mention it.
    assert (
        db.session.scalar(
            select(ModerationLogEntry).where(ModerationLogEntry.action.like("report.%"))
        )
        is None
    )


def test_other_needs_details(client, reported):
    mina, thread, reply = reported
    login(client, "sara")
    response = client.post(f"/moderation/report/{reply.id}", data={"reason": "other"})
    assert response.status_code == 400
    assert db.session.scalar(select(Report.id)) is None


def test_reporter_is_visible_to_moderators_only(app, reported, make_user):
    mina, thread, reply = reported
    reports.file_report(
        db.session.scalar(select(type(mina)).where(type(mina).username == "sara")),
        reply,
        "abuse",
        "insults",
    )
    moderator = app.test_client()
    login(moderator, "mina")
    queue = moderator.get("/moderation/reports").get_data(as_text=True)
    assert "sara" in queue and "insults" in queue
    for who in (None, "sara", "kaveh"):
        other = app.test_client()
        if who:
            login(other, who)
        assert other.get("/moderation/reports").status_code == 404
        assert other.get(f"/moderation/posts/{reply.id}").status_code == 404
        assert "insults" not in other.get(f"/t/{thread.id}").get_data(as_text=True)
    moderation_log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert "sara" not in moderation_log


def test_resolve_and_dismiss_with_a_note(client, reported, make_user):
    mina, thread, reply = reported
    sara = db.session.scalar(select(type(mina)).where(type(mina).username == "sara"))
    first = reports.file_report(sara, reply, "abuse", "")
    second = reports.file_report(make_user("omid"), reply, "spam", "")
    login(client, "mina")
    response = client.post(
        f"/moderation/reports/{first.id}",
        data={"decision": "dismiss", "note": "a harsh argument, not abuse"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, first.id).state == "dismissed"
    with pytest.raises(Refused):
        reports.handle_report(mina, db.session.get(Report, first.id), "resolve", "again")
    entry = db.session.scalar(
        select(ModerationLogEntry).where(ModerationLogEntry.action == "report.dismiss")
    )
    assert entry.target_id == reply.id and entry.reason == "a harsh argument, not abuse"
    assert "sara" not in str(entry.details) and sara.id not in entry.details.values()
    # Hiding the post resolves its remaining open reports within the same act.
    moderation.hide_post(mina, reply, "insult after all")
    db.session.expire_all()
    assert db.session.get(Report, second.id).state == "resolved"
    resolved = client.get("/moderation/reports?state=resolved").get_data(as_text=True)
    assert "insult after all" in resolved


def test_the_queue_is_oldest_first(client, reported, make_user):
    mina, thread, reply = reported
    other = posting.reply(make_user("omid"), thread, "دومی", "fa")
    sara = db.session.scalar(select(type(mina)).where(type(mina).username == "sara"))
    reports.file_report(sara, reply, "abuse", "first report")
    reports.file_report(sara, other, "spam", "second report")
    login(client, "mina")
    html = client.get("/moderation/reports").get_data(as_text=True)
    assert html.index("first report") < html.index("second report")
