"""Rebuilding in several processes: the same index as one process, and nothing served changes
when a worker fails, dies or the rebuild is interrupted."""

import multiprocessing
import os
import signal
from datetime import datetime, timedelta

import pytest
from whoosh import index as whoosh_index

from tribune.extensions import db
from tribune.fulltext import bulk, documents, indexer, maintenance
from tribune.fulltext.analysis import build_schema, text_fields
from tribune.fulltext.bulk import bulk_writer
from tribune.models import Post, SearchState, Thread
from tribune.services import moderation, posting
from tribune.services import search as search_service

QUERIES = ["لائیک", "جمهوری", "election", "Wahlen", "lang:en", "area:tribune", "پاسخ"]


@pytest.fixture
def app_config(app_config):
    # The corpus is indexed once, by a rebuild, rather than commit by commit.
    app_config["SEARCH_INDEX_IN_REQUEST"] = False
    return app_config


@pytest.fixture
def corpus(app, make_user, make_section, make_moderator):
    """30 posts in four languages, a hidden one and a hidden thread among them, indexed."""
    sara, kaveh = make_user("sara"), make_user("kaveh")
    tribune, agenda = make_section(), make_section("meetings", area="agenda", title="نشست‌ها")
    bodies = {
        "fa": "پاسخ درباره‌ی جمهوری لائیک و می‌شود کتاب‌های تازه",
        "en": "A reply about the elections and a secular republic",
        "de": "Eine Antwort über die Wahlen und die laizistische Republik",
        "fr": "Une réponse sur les élections et la république laïque",
    }
    threads = []
    for n, lang in enumerate(["fa", "en", "de", "fr", "fa", "fa"]):
        section = agenda if n % 3 == 2 else tribune
        thread = posting.open_thread(
            sara, section, f"چرا جمهوری لائیک؟ {n}", f"**متن** نخست {n}", lang
        )
        threads.append(thread)
        for m in range(4):
            author = kaveh if m % 2 else sara
            posting.reply(author, thread, f"{bodies[lang]} {n}-{m}\n\n- یک\n- دو", lang)
    moderator = make_moderator()
    hidden = db.session.scalars(
        db.select(Post).where(Post.thread_id == threads[0].id).order_by(Post.id.desc())
    ).first()
    moderation.hide_post(moderator, hidden, "توهین به دیگران")
    db.session.get(Thread, threads[5].id).is_hidden = True  # a hidden thread, directly
    db.session.commit()
    rebuild(procs=1)  # the served index, which failed rebuilds must leave alone
    return threads


def rebuild(**options):
    return maintenance.rebuild(search_service.store(), search_service.new_session, **options)


def contents(ix):
    """Everything an index holds, keyed by post id: stored fields, field lengths, every posting
    (field, term, post id, weight, positions) and term statistics, the post ids in document
    order, and the number of segments."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        post_of = {docnum: fields["post_id"] for docnum, fields in reader.iter_docs()}
        stored = {post_of[docnum]: fields for docnum, fields in reader.iter_docs()}
        # whoosh answers None for a zero length where a segment stores the field's lengths, and
        # 0 where it stores none (a segment without stem_en documents, say): the same length.
        lengths = {
            (post_of[docnum], name): reader.doc_field_length(docnum, name) or 0
            for docnum in post_of
            for name in ix.schema.scorable_names()
        }
        postings = set()
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            postings.add((fieldname, text, "stats", stats, info.max_weight()))
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                positions = ()
                if matcher.supports("positions"):
                    positions = tuple(matcher.value_as("positions"))
                postings.add((fieldname, text, post_of[matcher.id()], matcher.weight(), positions))
                matcher.next()
        order = [int(post_of[docnum]) for docnum in sorted(post_of)]
        return stored, lengths, postings, order, len(reader.leaf_readers())


def index_contents():
    """`contents` of the served index."""
    ix = search_service.store().open_current()
    try:
        return contents(ix)
    finally:
        ix.close()


def hits(client, query):
    response = client.get("/api/v1/search", query_string={"q": query, "per_page": 50})
    assert response.status_code == 200, response.get_json()
    return [result["post_id"] for result in response.get_json()["results"]]


def state_id():
    return db.session.get(SearchState, indexer.STATE_NAME).last_change_id


def generations():
    return sorted(p.name for p in search_service.store().path.iterdir() if p.is_dir())


def test_several_processes_build_the_same_index_as_one(app, client, corpus):
    one = rebuild(procs=1)
    assert one.procs == 1
    stored, lengths, postings, order, segments = index_contents()
    answers = {query: hits(client, query) for query in QUERIES}
    visible = db.session.scalar(documents.source_query().with_only_columns(db.func.count(Post.id)))
    assert len(stored) == one.posts == visible == 24  # of 30: one hidden, five in a hidden thread
    assert segments == 1
    assert all(answers.values()), answers

    three = rebuild(procs=3, min_posts_per_proc=1)
    assert three.procs == 3 and three.posts == one.posts
    again = index_contents()
    assert again[:3] == (stored, lengths, postings)
    assert again[3] == order == sorted(order)  # document numbers follow post ids, as before
    assert again[4] == 3  # one segment per process
    assert {query: hits(client, query) for query in QUERIES} == answers
    assert state_id() == three.up_to
    assert not multiprocessing.active_children()


def test_id_ranges_split_the_visible_posts_evenly(app, corpus):
    with search_service.new_session() as session:
        ids = [row.id for row in session.execute(documents.source_query().order_by(Post.id))]
        ranges = documents.id_ranges(session, 3)
        assert documents.id_ranges(session, 4, min_size=10) == documents.id_ranges(session, 2)
        assert documents.id_ranges(session, 2, min_size=100) == [(1, None)]
    assert len(ranges) == 3 and ranges[0][0] == 1 and ranges[-1][1] is None
    counts = [
        sum(1 for i in ids if first <= i and (last is None or i <= last)) for first, last in ranges
    ]
    assert sum(counts) == len(ids) and max(counts) - min(counts) <= 1
    assert all(ranges[n][1] + 1 == ranges[n + 1][0] for n in range(2))


def test_posts_written_during_a_parallel_rebuild_reach_the_new_index(app, client, corpus):
    seen = []

    def during_build(count):
        if not seen:
            seen.append(count)
            posting.reply(corpus[1].author, corpus[1], "پاسخی هنگام بازسازی موازی", "fa")

    done = rebuild(procs=2, min_posts_per_proc=1, batch_size=2, progress=during_build)
    assert done.procs == 2 and done.applied_after >= 1
    assert len(hits(client, "موازی")) == 1
    assert index_contents()[3] == sorted(index_contents()[3])
    assert state_id() == done.up_to


def fail_in_worker(monkeypatch, action):
    """Make building the document of the third visible post do `action` in a worker only."""
    parent = os.getpid()
    with search_service.new_session() as session:
        target = session.execute(documents.source_query().order_by(Post.id)).all()[2].id
    build = documents.document

    def document(source, opening, associations):
        if source.id == target and os.getpid() != parent:
            action()
        return build(source, opening, associations)

    monkeypatch.setattr(documents, "document", document)


def assert_nothing_changed(client, served, state):
    store = search_service.store()
    assert store.current_name() == served
    assert generations() == [served]  # the unfinished generation is gone
    assert state_id() == state
    assert not multiprocessing.active_children()
    assert hits(client, "لائیک")  # still answering from the old generation


def test_a_failing_worker_leaves_the_served_index_alone(app, client, corpus, monkeypatch):
    served, state = search_service.store().current_name(), state_id()

    def boom():
        raise ValueError("boom")

    fail_in_worker(monkeypatch, boom)
    with pytest.raises(maintenance.WorkerFailed, match=r"process 1 of 2 .* ValueError: boom"):
        rebuild(procs=2, min_posts_per_proc=1)
    assert_nothing_changed(client, served, state)


def test_a_killed_worker_leaves_the_served_index_alone(app, client, corpus, monkeypatch):
    served, state = search_service.store().current_name(), state_id()
    fail_in_worker(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(maintenance.WorkerFailed, match="stopped unexpectedly.*SIGKILL"):
        rebuild(procs=2, min_posts_per_proc=1)
    assert_nothing_changed(client, served, state)


def test_an_interrupted_parallel_rebuild_stops_its_workers(app, client, corpus):
    served, state = search_service.store().current_name(), state_id()

    def interrupt(count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild(procs=2, min_posts_per_proc=1, batch_size=1, progress=interrupt)
    assert_nothing_changed(client, served, state)


def test_the_command_reports_a_failed_worker(app, client, corpus, monkeypatch):
    served, state = search_service.store().current_name(), state_id()
    monkeypatch.setattr(maintenance, "MIN_POSTS_PER_PROC", 1)

    def boom():
        raise ValueError("boom")

    fail_in_worker(monkeypatch, boom)
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--quiet", "--procs", "2"])
    assert result.exit_code == 1
    assert "search rebuild failed: indexing process 1 of 2" in result.output
    assert "ValueError: boom. The served index is unchanged." in result.output
    assert_nothing_changed(client, served, state)

    monkeypatch.undo()
    monkeypatch.setattr(maintenance, "MIN_POSTS_PER_PROC", 1)
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--quiet", "--procs", "2"])
    assert result.exit_code == 0, result.output
    assert "Indexed 24 posts" in result.output and "2 processes" in result.output


def test_the_bulk_writer_writes_what_whoosh_writes(tmp_path, monkeypatch):
    # A pool small enough to spill many runs, merged back from chunks of a few postings.
    monkeypatch.setattr(bulk, "RUN_CHUNK", 7)
    bodies = [
        ("fa", "می‌شود کتاب‌های تازه درباره‌ی جمهوری لائیک، و میشود گفت ای کاش"),
        ("en", "The elections of a secular republic, and its elected councils"),
        ("de", "Die Wahlen der laizistischen Republik und ihre gewählten Räte"),
        ("fr", "Les élections de la république laïque"),
        ("nl", "De verkiezingen van een seculiere republiek"),
    ]
    docs = [
        {
            "post_id": str(n),
            "thread_id": n // 3,
            "lang": lang,
            "created": datetime(2020, 1, 1) + timedelta(days=n),
            **text_fields(lang, f"عنوان {n}" if n % 3 == 0 else "", f"{body} {n}"),
        }
        for n, (lang, body) in enumerate(bodies * 8, start=1)
    ]
    built = []
    for name, make in [("whoosh", lambda ix: ix.writer()), ("bulk", lambda ix: bulk_writer(ix, 1))]:
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(tmp_path / name, build_schema())
        writer = make(ix)
        writer.pool.limit = 2_000  # bytes
        for doc in docs:
            writer.add_document(**doc)
        if name == "bulk":
            assert len(writer.pool.runs) > 5
        writer.commit()
        built.append(contents(ix))
        ix.close()
    assert built[0] == built[1]
