"""The public, append-only, hash-chained moderation log and its verification command."""

import pytest
from sqlalchemy import select, text

from tests.support import login
from tribune.extensions import db
from tribune.models import ModerationLogEntry, Post
from tribune.models.moderation import AppendOnlyError
from tribune.services import moderation, moderation_log, posting


@pytest.fixture
def acts(app, make_user, make_section, make_moderator):
    """A few acts, so the log has a chain: grant (1), pin (2), hide (3), lock (4)."""
    mina = make_moderator("mina")
    kaveh = make_user("kaveh")
    section = make_section("alternatives")
    thread = posting.open_thread(kaveh, section, "جمهوری لائیک", "متن نخست", "fa")
    reply = posting.reply(kaveh, thread, "متن پنهان شدنی", "fa")
    moderation.set_thread_flag(mina, thread, "pin", "a reference debate")
    moderation.hide_post(mina, reply, "insulting a participant")
    moderation.set_thread_flag(mina, thread, "lock", "cooling down")
    return mina, thread, reply


def verify(app):
    return app.test_cli_runner().invoke(args=["moderation", "verify-log"])


def test_entries_chain_by_hash(app, acts):
    entries = db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id)).all()
    assert [e.id for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == moderation_log.GENESIS
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
    assert all(moderation_log.compute_hash(e) == e.hash for e in entries)


def test_verify_log_passes_then_fails_after_a_direct_update(app, acts):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.output
    db.session.execute(text("UPDATE moderation_log SET reason='x' WHERE id=2"))
    db.session.commit()
    result = verify(app)
    assert result.exit_code != 0
    assert "entry 2" in result.output


def test_verify_log_notices_a_removed_entry(app, acts):
    db.session.execute(text("DELETE FROM moderation_log WHERE id=3"))
    db.session.commit()
    verdict = moderation_log.verify_chain()
    assert not verdict.ok and verdict.broken_id == 4


def test_verify_log_notices_a_rewritten_chain_link(app, acts):
    db.session.execute(text("UPDATE moderation_log SET prev_hash=:h WHERE id=3"),
                       {"h": "f" * 64})
    db.session.commit()
    verdict = moderation_log.verify_chain()
    assert verdict.broken_id == 3


def test_an_empty_log_verifies(app):
    result = verify(app)
    assert result.exit_code == 0 and "0 entries" in result.output


def test_the_orm_refuses_to_change_or_delete_entries(app, acts):
    entry = db.session.get(ModerationLogEntry, 2)
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ModerationLogEntry, 2))
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert moderation_log.verify_chain().ok


def test_public_log_shows_acts_with_reasons_but_never_hidden_content(client, acts):
    mina, thread, reply = acts
    html = client.get("/moderation/log").get_data(as_text=True)
    for reason in ("a reference debate", "insulting a participant", "cooling down"):
        assert reason in html
    assert "mina" in html
    assert "متن پنهان شدنی" not in html
    head = db.session.get(ModerationLogEntry, 4)
    assert head.hash in html


def test_public_log_hides_the_title_of_a_hidden_thread_from_readers(client, acts):
    mina, thread, reply = acts
    opening = db.session.scalar(select(db.func.min(Post.id)).where(Post.thread_id == thread.id))
    moderation.hide_post(mina, db.session.get(Post, opening), "spam thread")
    html = client.get("/moderation/log").get_data(as_text=True)
    assert "جمهوری لائیک" not in html
    moderator = client.application.test_client()
    login(moderator, "mina")
    assert "جمهوری لائیک" in moderator.get("/moderation/log").get_data(as_text=True)


def test_log_filters(client, acts, make_moderator, make_section, make_user):
    mina, thread, reply = acts
    omid = make_moderator("omid")
    strategy = make_section("strategy")
    other = posting.open_thread(make_user("sara"), strategy, "شعارها", "متن", "fa")
    moderation.set_thread_flag(omid, other, "pin", "slogans reference")

    def reasons(query):
        html = client.get(f"/moderation/log?{query}").get_data(as_text=True)
        return {r for r in ("a reference debate", "insulting a participant", "cooling down",
                            "slogans reference") if r in html}

    assert reasons("moderator=omid") == {"slogans reference"}
    assert reasons("moderator=nobody") == set()
    assert reasons("action=thread.lock") == {"cooling down"}
    assert reasons("section=strategy") == {"slogans reference"}
    assert reasons("section=alternatives") == {"a reference debate", "insulting a participant",
                                               "cooling down"}
    assert reasons(f"thread={other.id}") == {"slogans reference"}
    assert reasons("from=2000-01-01&to=2000-12-31") == set()
    assert len(reasons("from=2000-01-01")) == 4
    assert client.get("/moderation/log?action=nonsense&from=garbage").status_code == 200
