"""The public, append-only, hash-chained moderation log and its verification command."""

import os
import re
import stat
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from tests.support import login
from tribune import config
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
    db.session.execute(text("UPDATE moderation_log SET prev_hash=:h WHERE id=3"), {"h": "f" * 64})
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
        return {
            r
            for r in (
                "a reference debate",
                "insulting a participant",
                "cooling down",
                "slogans reference",
            )
            if r in html
        }

    assert reasons("moderator=omid") == {"slogans reference"}
    assert reasons("moderator=nobody") == set()
    assert reasons("action=thread.lock") == {"cooling down"}
    assert reasons("section=strategy") == {"slogans reference"}
    assert reasons("section=alternatives") == {
        "a reference debate",
        "insulting a participant",
        "cooling down",
    }
    assert reasons(f"thread={other.id}") == {"slogans reference"}
    assert reasons("from=2000-01-01&to=2000-12-31") == set()
    assert len(reasons("from=2000-01-01")) == 4
    assert client.get("/moderation/log?action=nonsense&from=garbage").status_code == 200


# Truncation, recomputed hashes and the log key (issue 13).


def verify_expecting(app, head):
    return app.test_cli_runner().invoke(args=["moderation", "verify-log", "--expect-head", head])


def rewrite(entry_id, hasher, until=None, **changes):
    """What someone with write access to the database, but not the log key, can do: change an
    entry and recompute its hash and every later one (up to `until`), so the chain links up."""
    for name, value in changes.items():
        db.session.execute(
            text(f"UPDATE moderation_log SET {name} = :value WHERE id = :id"),
            {"value": value, "id": entry_id},
        )
    rows = db.session.execute(
        select(ModerationLogEntry.__table__).order_by(ModerationLogEntry.id)
    ).all()
    previous = moderation_log.GENESIS
    for row in rows:
        entry = SimpleNamespace(**row._mapping)
        if entry_id <= entry.id <= (until or entry.id):
            entry.prev_hash = previous
            entry.hash = hasher(entry)
            db.session.execute(
                text("UPDATE moderation_log SET prev_hash = :p, hash = :h WHERE id = :id"),
                {"p": entry.prev_hash, "h": entry.hash, "id": entry.id},
            )
        previous = entry.hash
    db.session.commit()


def test_removing_the_newest_entries_is_caught_against_a_noted_head(app, acts):
    count, head = moderation_log.head()
    assert count == 4
    result = verify_expecting(app, head)
    assert result.exit_code == 0 and "at entry 4" in result.output
    db.session.execute(text("DELETE FROM moderation_log WHERE id >= 3"))
    db.session.commit()
    # The shorter chain is intact on its own ...
    assert verify(app).exit_code == 0
    # ... but it no longer holds the head a member noted.
    result = verify_expecting(app, head)
    assert result.exit_code == 1
    assert f"no longer holds the head {head}" in result.output
    assert "It now has 2 entries" in result.output


def test_an_older_noted_head_is_still_found_after_new_acts(app, acts):
    mina, thread, reply = acts
    _, noted = moderation_log.head()
    moderation.set_thread_flag(mina, thread, "unlock", "calmer now")
    assert verify_expecting(app, noted).exit_code == 0
    assert verify_expecting(app, moderation_log.GENESIS).exit_code == 0
    assert verify_expecting(app, "ab" * 32).exit_code == 1


def test_recomputed_hashes_are_caught_without_the_log_key(app, acts):
    rewrite(2, moderation_log.legacy_hash, reason="a different reason")
    verdict = moderation_log.verify_chain()
    assert not verdict.ok and verdict.broken_id == 2 and "not keyed" in verdict.problem
    result = verify(app)
    assert result.exit_code == 1 and "entry 2" in result.output


def test_a_whole_log_rewritten_without_the_key_is_caught(app, acts):
    rewrite(1, moderation_log.legacy_hash, reason="rewritten from the start")
    assert moderation_log.verify_chain().broken_id == 1


def test_hashes_recomputed_with_another_key_are_caught(app, acts):
    rewrite(3, lambda e: moderation_log.compute_hash(e, b"a guessed key"), reason="softened")
    verdict = moderation_log.verify_chain()
    assert verdict.broken_id == 3 and "does not match" in verdict.problem


def test_the_same_rewrite_with_the_key_passes_the_chain_but_not_a_witness(app, acts):
    # Whoever holds the key can rewrite; a head noted before still shows it.
    _, noted = moderation_log.head()
    rewrite(2, moderation_log.compute_hash, reason="rewritten with the key")
    assert moderation_log.verify_chain().ok
    assert verify_expecting(app, noted).exit_code == 1


def test_entries_from_before_the_key_keep_verifying_once_recorded(app, acts):
    # A log written by an earlier release: every entry hashed with plain SHA-256.
    rewrite(1, moderation_log.legacy_hash)
    _, old_head = moderation_log.head()
    result = verify(app)
    assert result.exit_code == 1 and "key-log" in result.output
    runner = app.test_cli_runner()
    result = runner.invoke(args=["moderation", "key-log"])
    assert result.exit_code == 0 and "first 4 of 4" in result.output, result.output
    recorded = app.instance_path + "/log_plain_entries"
    assert stat.S_IMODE(os.stat(recorded).st_mode) == 0o600
    app.config["LOG_PLAIN_ENTRIES"] = config.instance_plain_entries(app.instance_path)
    assert app.config["LOG_PLAIN_ENTRIES"] == 4
    mina, thread, reply = acts
    moderation.set_thread_flag(mina, thread, "unpin", "no longer a reference")
    result = verify_expecting(app, old_head)
    assert result.exit_code == 0, result.output
    assert "The first 4 entries were written before the log had a key" in result.output
    newest = db.session.get(ModerationLogEntry, 5)
    assert newest.hash == moderation_log.compute_hash(newest)
    # The plain entries are covered by the keyed one after them: rewriting them (hashes
    # recomputed up to the last plain one) breaks the link to the first keyed entry.
    rewrite(2, moderation_log.legacy_hash, until=4, reason="a quieter reason")
    verdict = moderation_log.verify_chain()
    assert verdict.broken_id == 5 and "does not link" in verdict.problem
    # And key-log refuses to record a different number once one is recorded.
    result = runner.invoke(args=["moderation", "key-log"])
    assert result.exit_code != 0


def test_the_log_key_lives_outside_the_database(app, tmp_path):
    key_file = os.path.join(app.instance_path, "log_key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with open(key_file, encoding="ascii") as handle:
        assert handle.read().strip() == app.config["LOG_KEY"]
    assert app.config["LOG_KEY"] != app.config["SECRET_KEY"]
    from_env = config.from_environment({"TRIBUNE_LOG_KEY": "k" * 64})
    assert from_env == {"LOG_KEY": "k" * 64}


def test_the_public_log_and_its_head_show_the_head_and_the_count(client, acts):
    count, head = moderation_log.head()
    html = client.get("/moderation/log").get_data(as_text=True)
    assert head in html and "/moderation/log/head.json" in html
    assert re.search(r"<strong>[۰-۹0-9]+</strong>", html)
    data = client.get("/moderation/log/head.json").get_json()
    assert data == {"entries": count, "head": head}
    assert moderation_log.verify_chain(expect_head=data["head"]).witnessed_id == 4
