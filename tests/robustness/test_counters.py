"""Stored counters stay true: after every kind of change, under concurrency, and `flask check`.

The concurrency test runs real threads, each with its own application context, session and
database connection, replying to the same few threads, opening threads in one section and
editing one post at the same moment; on SQLite (writers queue on the busy timeout) and on
PostgreSQL when the suite runs there. Nothing in it depends on how fast the machine is.
"""

import threading

from sqlalchemy import func, select, text

from tribune import demo
from tribune.extensions import db
from tribune.models import Post, PostRevision, Section, Thread
from tribune.services import accounts, agenda, counters, debate_posts, moderation, posting

WORKERS = 8
REPLIES_EACH = 12
JOIN_TIMEOUT = 300  # seconds: a hang fails the test instead of the suite


def test_every_change_leaves_every_counter_true(app, make_moderator, make_user):
    demo.load()
    assert counters.check() == []
    moderator = make_moderator("mina")
    sara = make_user("sara-check")
    threads = db.session.scalars(select(Thread).order_by(Thread.id)).all()
    first, second = threads[0], threads[1]
    quoted = db.session.get(Post, first.last_post_id)
    passage = quoted.body_source.split()[0]
    reply = debate_posts.reply(sara, first, "پاسخ تازه", "fa", quotes=[(quoted.id, passage)])
    posting.edit_post(sara, reply, "پاسخ ویرایش‌شده", "fa")
    debate_posts.translate(sara, reply, "en", "An answer, edited")
    moderation.hide_post(moderator, reply, "spam in the reply")
    moderation.unhide_post(moderator, reply, "a mistake, shown again")
    opening = db.session.scalar(select(Post).where(Post.thread_id == second.id).order_by(Post.id))
    moderation.hide_post(moderator, opening, "abuse in the opening post")
    split_ids = [
        p.id
        for p in db.session.scalars(
            select(Post).where(Post.thread_id == first.id).order_by(Post.id.desc()).limit(2)
        )
    ]
    new = moderation.split_thread(moderator, first, split_ids, "یک رشته‌ی جدا", None, "off topic")
    other_section = db.session.scalar(select(Section).where(Section.id != first.section_id))
    moderation.move_thread(moderator, new, other_section, "belongs elsewhere")
    moderation.merge_threads(moderator, new, first, "the same question twice")
    action = db.session.scalar(select(Thread).where(Thread.kind == "action"))
    tribune_thread = db.session.scalar(
        select(Thread).join(Section).where(Section.area == "tribune", Thread.link_count == 0)
    )
    relation = agenda.link(moderator, tribune_thread, action)
    agenda.unlink(moderator, relation)
    assert counters.check() == []


def test_check_names_what_is_wrong_and_repairs_it(app, make_thread):
    thread = make_thread()
    posting.reply(thread.author, thread, "پاسخ", "fa")
    db.session.execute(text("UPDATE threads SET reply_count = 40"))
    db.session.execute(text("UPDATE sections SET thread_count = 0"))
    db.session.execute(text("UPDATE posts SET revision_count = 2"))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    for name in ("threads.reply_count", "sections.thread_count", "posts.revision_count"):
        assert name in result.output
    assert f"{thread.id}: stored 40, should be 1" in result.output
    assert db.session.scalar(select(Thread.reply_count)) == 40  # a check alone changes nothing
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1 and "Repaired" in result.output
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "match the rows" in result.output
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 1


def _run_at_once(app, jobs):
    """Run every job in its own thread and app context, all released together; re-raise."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait(timeout=JOIN_TIMEOUT)
                job()
            except BaseException as error:  # reported to the test below
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(JOIN_TIMEOUT)
    assert not any(worker.is_alive() for worker in workers), "a worker hung"
    assert errors == []


def test_concurrent_replies_openings_and_edits_all_count(app, make_user, make_section):
    section = make_section("concurrency")
    people = [make_user(f"writer{n}") for n in range(WORKERS)]
    targets = [
        posting.open_thread(people[0], section, f"رشته‌ی {n}", "آغاز", "fa").id for n in range(3)
    ]
    edited = db.session.scalar(select(Post.id).where(Post.thread_id == targets[0]))
    section_id = section.id
    db.session.remove()

    def writer(index):
        def job():
            me = accounts.find_by_username(f"writer{index}")
            for n in range(REPLIES_EACH):
                thread = db.session.get(Thread, targets[(index + n) % len(targets)])
                posting.reply(me, thread, f"پاسخ {index}-{n}", "fa")
            posting.open_thread(me, db.session.get(Section, section_id), "هم‌زمان", "متن", "fa")
            if index < 2:
                # Two browsers of the post's author edit it at the same time.
                author = accounts.find_by_username("writer0")
                for n in range(REPLIES_EACH):
                    post = db.session.get(Post, edited)
                    posting.edit_post(author, post, f"نسخه‌ی {index}-{n}", "fa")

        return job

    _run_at_once(app, [writer(index) for index in range(WORKERS)])

    db.session.expire_all()
    for thread_id in targets:
        thread = db.session.get(Thread, thread_id)
        posts = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread_id))
        assert thread.reply_count == posts - 1
        last = db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread_id))
        assert thread.last_post_id == last
    assert sum(db.session.get(Thread, t).reply_count for t in targets) == WORKERS * REPLIES_EACH
    assert db.session.get(Section, section_id).thread_count == len(targets) + WORKERS
    numbers = db.session.scalars(
        select(PostRevision.number)
        .where(PostRevision.post_id == edited)
        .order_by(PostRevision.number)
    ).all()
    assert numbers == list(range(1, 2 * REPLIES_EACH + 1))
    assert db.session.get(Post, edited).revision_count == 2 * REPLIES_EACH
    assert counters.check() == []
