"""Moderator terms: powers begin and end with the term; admins grant terms but do not moderate."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support import login
from tribune import access
from tribune.extensions import db
from tribune.models import ModerationLogEntry, ModeratorTerm
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, moderation, terms


def test_powers_follow_the_term_exactly(app, make_user, make_moderator):
    start = datetime(2031, 3, 21, tzinfo=UTC)
    end = datetime(2031, 9, 21, tzinfo=UTC)
    mina = make_moderator("mina", starts_at=start, ends_at=end)
    assert not access.can_moderate(mina, at=start - timedelta(seconds=1))
    assert access.can_moderate(mina, at=start)
    assert access.can_moderate(mina, at=end - timedelta(seconds=1))
    assert not access.can_moderate(mina, at=end)
    # Now (before 2031) the term has not begun: no power yet.
    assert not access.can_moderate(mina)


def test_a_term_in_the_future_gives_no_power_to_act(app, make_user, make_moderator, make_thread):
    mina = make_moderator("mina", starts_at=utcnow() + timedelta(days=3))
    thread = make_thread(author=make_user("kaveh"))
    with pytest.raises(NotFound):
        moderation.set_thread_flag(mina, thread, "lock", "heated")
    assert db.session.scalar(select(db.func.count()).select_from(ModerationLogEntry)) == 1  # grant


def test_an_ended_term_gives_no_power(app, make_user, make_moderator, make_thread):
    mina = make_moderator("mina")
    term = access.current_term(mina)
    thread = make_thread(author=make_user("kaveh"))
    moderation.set_thread_flag(mina, thread, "lock", "heated debate")
    admin = db.session.get(type(mina), term.granted_by_id)
    terms.end_term(admin, term, "rotation: the next association takes over")
    assert not access.can_moderate(mina)
    with pytest.raises(NotFound):
        moderation.set_thread_flag(mina, thread, "unlock", "calm again")
    assert term.ended_early_at is not None and term.ends_at <= utcnow()


def test_an_administrator_without_a_term_does_not_moderate(app, make_user, make_thread):
    admin = make_user("coordinator", role="admin")
    assert access.is_admin(admin) and not access.can_moderate(admin)
    thread = make_thread(author=make_user("kaveh"))
    with pytest.raises(NotFound):
        moderation.set_thread_flag(admin, thread, "lock", "heated")


def test_an_administrator_with_a_term_moderates_under_it(app, make_user, make_moderator):
    make_user("coordinator", role="admin")
    admin = make_moderator("coordinator")
    assert access.can_moderate(admin)


def test_only_administrators_grant_terms(app, make_user, make_moderator):
    mina = make_moderator("mina")
    sara = make_user("sara")
    now = utcnow()
    with pytest.raises(NotFound):
        terms.grant_term(mina, sara, now, now + timedelta(days=30), "I choose my successor")


@pytest.mark.parametrize(
    "start_offset,end_offset,field",
    [
        (0, -1, "ends_at"),  # ends before it starts
        (-10, -1, "ends_at"),  # wholly in the past
        (0, 401, "ends_at"),  # longer than a term may be
    ],
)
def test_term_rules(app, make_user, start_offset, end_offset, field):
    admin = make_user("coordinator", role="admin")
    sara = make_user("sara")
    now = utcnow()
    with pytest.raises(Invalid) as error:
        terms.grant_term(
            admin, sara, now + timedelta(days=start_offset), now + timedelta(days=end_offset), "x y"
        )
    assert error.value.field == field
    assert db.session.scalar(select(db.func.count()).select_from(ModeratorTerm)) == 0


def test_overlapping_terms_are_refused_and_log_nothing(app, make_user, make_moderator):
    mina = make_moderator("mina")
    admin = db.session.scalar(select(type(mina)).where(type(mina).role == "admin"))
    entries = db.session.scalar(select(db.func.count()).select_from(ModerationLogEntry))
    now = utcnow()
    with pytest.raises(Invalid):
        terms.grant_term(admin, mina, now, now + timedelta(days=10), "a second term")
    assert db.session.scalar(select(db.func.count()).select_from(ModerationLogEntry)) == entries


def test_granting_and_ending_are_logged_without_a_term(app, make_user, make_moderator):
    mina = make_moderator("mina")
    term = access.current_term(mina)
    admin = db.session.get(type(mina), term.granted_by_id)
    with pytest.raises(Invalid):
        terms.end_term(admin, term, "")
    terms.end_term(admin, term, "stepped down")
    with pytest.raises(Refused):
        terms.end_term(admin, term, "again")
    entries = db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id)).all()
    assert [e.action for e in entries] == ["term.grant", "term.end"]
    assert all(e.term_id is None and e.actor_id == admin.id for e in entries)
    assert entries[0].details["username"] == "mina"


def test_moderators_page_lists_current_and_past_terms(client, make_user, make_moderator):
    make_moderator("mina")
    omid = make_moderator("omid")
    term = access.current_term(omid)
    terms.end_term(db.session.get(type(omid), term.granted_by_id), term, "rotation")
    html = client.get("/moderation/moderators").get_data(as_text=True)
    now_part, _, past_part = html.partition("<h2>")[2].partition("</table>")
    assert "mina" in now_part and "omid" not in now_part
    assert "omid" in past_part


def test_admin_grants_a_term_through_the_form(client, make_user):
    make_user("coordinator", role="admin")
    sara = make_user("sara")
    login(client, "coordinator")
    today = utcnow().date()
    response = client.post(
        "/moderation/terms",
        data={
            "username": "sara",
            "association": "",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=180)).isoformat(),
            "reason": "rotation: Hamburg's turn",
        },
    )
    assert response.status_code == 302
    term = db.session.scalar(select(ModeratorTerm))
    assert term.user_id == sara.id
    assert term.starts_at == datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    assert access.can_moderate(sara)


def test_term_form_errors_stay_on_the_page(client, make_user):
    make_user("coordinator", role="admin")
    make_user("sara")
    login(client, "coordinator")
    today = utcnow().date()
    response = client.post(
        "/moderation/terms",
        data={
            "username": "sara",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=3)).isoformat(),
            "reason": "rotation",
        },
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_handover_note_reaches_the_next_moderators(client, make_user, make_moderator):
    make_moderator("mina")
    login(client, "mina")
    response = client.post("/moderation/handover", data={"note": "Thread 12 needs watching."})
    assert response.status_code == 302
    make_moderator("omid")
    other = client.application.test_client()
    login(other, "omid")
    assert "Thread 12 needs watching." in other.get("/moderation/").get_data(as_text=True)
    # Not public.
    assert "Thread 12" not in client.application.test_client().get(
        "/moderation/moderators"
    ).get_data(as_text=True)


def test_cli_grants_a_term(app, make_user):
    make_user("coordinator", role="admin")
    sara = make_user("sara")
    result = app.test_cli_runner().invoke(
        args=["moderation", "grant-term", "sara", "--by", "coordinator", "--reason", "first"]
    )
    assert result.exit_code == 0, result.output
    assert access.can_moderate(sara)
    refused = app.test_cli_runner().invoke(
        args=["moderation", "grant-term", "sara", "--by", "sara", "--reason", "myself"]
    )
    assert refused.exit_code != 0
