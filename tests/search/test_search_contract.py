"""The index follows the database through the real services: commit, rollback, edit, hide, move,
rename, suspension. What a reader may not see never shows in results, snippets or totals."""

import re

from sqlalchemy import select

from tests.support import login
from tribune import fulltext
from tribune.extensions import db
from tribune.models import Post
from tribune.services import accounts, moderation, moderation_users, posting


def first_post():
    return db.session.scalar(select(Post).order_by(Post.id))


def test_commit_is_found_at_once(app, make_thread, api_ids):
    make_thread(body="آزادی بیان بی‌قید و شرط")
    assert api_ids("آزادی") == [first_post().id]


def test_a_post_written_through_the_web_is_found(app, client, make_user, make_section, api_ids):
    make_user("sara")
    section = make_section()
    login(client, "sara")
    response = client.post(
        f"/{section.area}/{section.slug}/new",
        data={"title": "شوراها و دمکراسی", "body": "دمکراسی شورایی در محل کار", "language": "fa"},
    )
    assert response.status_code == 302
    assert api_ids("شورایی") == [first_post().id]


def test_rollback_leaves_nothing_in_the_index(app, make_thread, api_ids):
    thread = make_thread(body="متن نخست")
    db.session.add(
        Post(
            thread=thread,
            author=thread.author,
            body_source="واژه‌ی گمشده",
            body_html="<p>x</p>",
            language="fa",
        )
    )
    db.session.flush()
    db.session.rollback()
    assert api_ids("گمشده") == []
    assert api_ids("نخست") == [first_post().id]


def test_edit_replaces_the_old_text(app, make_thread, api_ids):
    thread = make_thread(body="سوسیالیسم دولتی")
    post = first_post()
    posting.edit_post(thread.author, post, "سوسیالیسم شورایی", "fa")
    assert api_ids("دولتی") == []
    assert api_ids("شورایی") == [post.id]


def test_a_hidden_post_is_gone_for_readers_everywhere(app, client, make_thread, make_moderator):
    thread = make_thread(body="متن نخست درباره‌ی برابری")
    reply = posting.reply(thread.author, thread, "توهین و ناسزا درباره‌ی برابری")
    moderator = make_moderator()
    moderation.hide_post(moderator, reply, "توهین به دیگران")
    api = client.get("/api/v1/search", query_string={"q": "برابری"}).get_json()
    assert [r["post_id"] for r in api["results"]] == [first_post().id]
    assert api["total"] == 1
    assert client.get("/api/v1/search", query_string={"q": "ناسزا"}).get_json()["total"] == 0
    page = client.get("/search", query_string={"q": "برابری"}).get_data(as_text=True)
    assert "ناسزا" not in page and "توهین" not in page
    # Unhiding brings it back.
    moderation.unhide_post(moderator, reply, "گزارش نادرست بود")
    assert client.get("/api/v1/search", query_string={"q": "ناسزا"}).get_json()["total"] == 1


def test_a_hidden_opening_post_hides_its_thread_title_too(app, client, make_thread, make_moderator):
    thread = make_thread(title="عنوان ناپسند", body="متن ناپسند")
    posting.reply(thread.author, thread, "پاسخی معمولی")
    moderation.hide_post(make_moderator(), first_post(), "عنوان توهین‌آمیز")
    page = client.get("/search", query_string={"q": "معمولی"}).get_data(as_text=True)
    assert "ناپسند" not in page


def test_move_and_retitle_move_the_filters(app, make_thread, make_section, make_moderator, api_ids):
    thread = make_thread(body="برنامه‌ی هشت مارس")
    agenda = make_section(slug="women", area="agenda", title="زنان")
    post_id = first_post().id
    assert api_ids("مارس", area="tribune") == [post_id]
    moderator = make_moderator()
    moderation.move_thread(moderator, thread, agenda, "جای درست این بحث")
    assert api_ids("مارس", area="tribune") == []
    assert api_ids("مارس area:agenda section:women") == [post_id]
    moderation.retitle_thread(moderator, thread, "آکسیون هشت مارس", "عنوان روشن‌تر")
    assert api_ids("آکسیون") == [post_id]


def test_renaming_a_section_moves_its_filter(app, make_thread, api_ids):
    thread = make_thread(body="همبستگی بین‌المللی")
    thread.section.slug = "internationalism"
    db.session.commit()
    assert api_ids("همبستگی section:alternatives") == []
    assert api_ids("همبستگی section:internationalism") == [first_post().id]


def test_a_renamed_author_is_found_by_the_new_name(app, make_user, make_thread, api_ids):
    sara = make_user("sara")
    make_thread(author=sara, body="جمهوری لائیک")
    sara.username, sara.username_key = "sara2010", "sara2010"
    db.session.commit()
    assert api_ids("@sara") == []
    assert api_ids("author:sara2010") == [first_post().id]


def test_a_deleted_account_is_no_longer_findable_by_its_old_name(
    app, make_user, make_thread, api_ids
):
    from tests.support import PASSWORD

    sara = make_user("sara")
    make_thread(author=sara, body="جمهوری لائیک")
    accounts.delete_account(sara, PASSWORD)
    db.session.commit()
    assert api_ids("@sara") == []
    assert api_ids("لائیک") == [first_post().id]


def test_a_disabled_spam_account_disappears_with_its_posts(
    app, client, make_user, make_thread, make_moderator, api_ids
):
    spammer = make_user("spammer")
    thread = make_thread(body="بحث جدی درباره‌ی آینده")
    posting.reply(spammer, thread, "تبلیغ آینده‌ی ارزان")
    assert len(api_ids("آینده")) == 2
    moderation_users.disable_account(make_moderator(), spammer, "حساب تبلیغاتی")
    assert api_ids("آینده") == [first_post().id]
    assert api_ids("@spammer") == []
    assert "ارزان" not in client.get("/search?q=آینده").get_data(as_text=True)


def test_results_are_checked_against_the_database_even_if_the_index_lags(
    app, client, make_thread, api_ids
):
    """A post hidden while the indexer is off still never reaches a reader."""
    make_thread(body="متنی که پنهان می‌شود")
    post = first_post()
    app.config["SEARCH_INDEX_IN_REQUEST"] = False
    post.is_hidden = True
    db.session.commit()
    response = client.get("/api/v1/search", query_string={"q": "پنهان"}).get_json()
    assert response["results"] == []


def test_the_association_filter_follows_signatures(app, make_user, make_section, api_ids):
    from tribune.models import Association
    from tribune.models.base import utcnow
    from tribune.models.debate import Paper, PaperSignature

    sara = make_user("sara")
    thread = posting.open_thread(
        sara, make_section(), "بیانیه‌ی همگامی", "متن بیانیه", "fa", kind="paper"
    )
    hamburg = Association(slug="hamburg-solidarity", name="کانون همبستگی هامبورگ")
    paper = Paper(
        thread=thread, summary="خلاصه‌ی بیانیه", position="لائیسیته", position_key="لائیسیته"
    )
    db.session.add_all([hamburg, paper])
    db.session.commit()
    assert api_ids("association:hamburg-solidarity") == []
    signature = PaperSignature(paper=paper, association=hamburg, signed_by_id=sara.id)
    db.session.add(signature)
    db.session.commit()
    post_id = first_post().id
    assert api_ids("بیانیه association:hamburg-solidarity") == [post_id]
    assert api_ids("kind:paper") == [post_id]
    hamburg.slug = "hamburg"
    db.session.commit()
    assert api_ids("association:hamburg") == [post_id]
    signature.withdrawn_at = utcnow()
    db.session.commit()
    assert api_ids("association:hamburg") == []


# Zero hits, translations, threads rearranged, rebuilt: what every backend must answer alike


def test_a_search_with_no_hits_is_answered_kindly(app, client, make_thread, make_section):
    make_thread(body="جمهوری لائیک")
    make_section(slug="women", area="agenda", title="زنان")
    client.post("/locale", data={"locale": "en"})
    for query in ("secular republic", "referendum", "nothing*", '"no such phrase"'):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert "Nothing found" in html and "check the spelling" in html
    # A filter chosen in the form can be taken off in one click.
    html = client.get("/search", query_string={"q": "لائیک", "area": "agenda"}).get_data(
        as_text=True
    )
    assert "Nothing found" in html and 'class="filter-chip"' in html
    chip = re.search(r'class="filter-chip" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "area=" not in chip and "q=" in chip
    assert client.get(chip).status_code == 200
    assert "1 result" in client.get(chip).get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "referendum"})
    assert api.status_code == 200 and api.get_json()["total"] == 0


def test_every_example_of_the_help_page_runs(app, client, make_thread, make_section):
    from tribune.search.views import EXAMPLES

    make_thread(body="جمهوری لائیک")
    make_section(slug="women", area="agenda", title="زنان")
    for persian, latin, _meaning in EXAMPLES:
        for query in (persian, latin):
            response = client.get("/search", query_string={"q": query})
            assert response.status_code == 200, (query, response.status_code)


def test_a_german_reader_finds_a_post_by_its_german_translation(
    app, client, make_thread, make_user, api_ids
):
    from tribune.services import debate_posts

    make_thread(title="جدایی دین از دولت", body="جدایی کامل دین از دولت شرط دمکراسی است.")
    post = first_post()
    jonas = make_user("jonas")
    debate_posts.translate(
        jonas, post, "de", "Die vollständige Trennung von Religion und Staat.", "Trennung"
    )
    debate_posts.translate(jonas, post, "en", "Full separation of religion and state.")
    assert api_ids("Trennung") == [post.id]
    assert api_ids("Religionen") == [post.id]  # stemmed as German
    assert api_ids("separation") == [post.id]
    assert api_ids("Trennung lang:en") == []
    client.post("/locale", data={"locale": "de"})
    html = client.get("/search", query_string={"q": "Trennung"}).get_data(as_text=True)
    assert f'href="/p/{post.id}?read=de"' in html
    assert "<mark>Trennung</mark>" in html
    assert 'class="matched-in"' in html and "Deutsch" in html
    # The link opens the thread with the German translation shown.
    landing = client.get(f"/p/{post.id}?read=de")
    assert landing.status_code == 302 and "read=de" in landing.headers["Location"]
    # Editing the translation changes what is found; hiding the post hides its translations.
    debate_posts.translate(jonas, post, "de", "Die Laizität des Staates.", "Trennung")
    assert api_ids("Trennung") == [post.id]  # still its title in German
    assert api_ids("Laizität") == [post.id]
    assert api_ids("vollständige") == []
    moderation.hide_post(_moderator(make_user), post, "für den Test verborgen")
    assert api_ids("Laizität") == [] and api_ids("separation") == []


def _moderator(make_user):
    from datetime import timedelta

    from tribune.models.base import utcnow
    from tribune.services import terms

    admin = make_user("coordinator", role="admin")
    mina = make_user("mina")
    now = utcnow()
    terms.grant_term(admin, mina, now - timedelta(days=1), now + timedelta(days=9), "rotation")
    return mina


def test_merging_and_splitting_move_the_title_with_the_first_post(
    app, make_thread, make_user, make_moderator, api_ids
):
    older = make_thread(title="نخستین رشته", body="متن آغاز")
    newer = make_thread(author=make_user("kaveh"), section=older.section,
                        title="سرواژه‌ی ادغام", body="متن دوم")  # fmt: skip
    newer_opening = db.session.scalar(
        select(Post).where(Post.thread_id == newer.id).order_by(Post.id)
    )
    assert api_ids("ادغام") == [newer_opening.id]
    moderator = make_moderator()
    moderation.merge_threads(moderator, newer, older, "یک بحث در دو جا")
    # The merged thread's title went with it: its first post is a reply of the older one now.
    assert api_ids("ادغام") == []
    assert api_ids("دوم") == [newer_opening.id]
    reply = posting.reply(older.author, older, "پاسخی که جدا می‌شود")
    moderation.split_thread(
        moderator, older, [reply.id], "شاخه‌ی تازه", older.section, "بحث دیگری است"
    )
    assert api_ids("شاخه") == [reply.id]
    assert api_ids("نخستین") == [first_post().id]


def test_a_rebuild_finds_exactly_what_incremental_updates_found(
    app, client, make_thread, make_user, make_moderator, api_ids
):
    from tribune.services import debate_posts

    thread = make_thread(title="بازسازی نمایه", body="جمهوری لائیک و شوراها")
    replies = [posting.reply(thread.author, thread, f"پاسخ {n} درباره‌ی شوراها") for n in range(4)]
    debate_posts.translate(make_user("jonas"), replies[0], "de", "Antwort über die Räte")
    moderation.hide_post(make_moderator(), replies[1], "توهین")
    posting.edit_post(thread.author, replies[2], "پاسخ ویراسته درباره‌ی جمهوری", "fa")
    queries = ["شوراها", "جمهوری", "Räte", "بازسازی", "پاسخ", "@sara", "ویراسته"]
    before = {query: sorted(api_ids(query)) for query in queries}
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    assert {query: sorted(api_ids(query)) for query in queries} == before
    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output


def test_totals_paging_and_grouping_count_only_what_readers_see(
    app, client, make_thread, make_moderator
):
    thread = make_thread(body="همبستگی نخست")
    replies = [posting.reply(thread.author, thread, f"همبستگی {n}") for n in range(12)]
    moderator = make_moderator()
    for reply in replies[:3]:
        moderation.hide_post(moderator, reply, "تکراری")
    body = client.get("/api/v1/search", query_string={"q": "همبستگی", "per_page": 5}).get_json()
    assert body["total"] == 10 and body["has_next"] is True
    seen = []
    for page in (1, 2):
        response = client.get(
            "/api/v1/search", query_string={"q": "همبستگی", "per_page": 5, "page": page}
        ).get_json()
        seen += [result["post_id"] for result in response["results"]]
    assert len(seen) == len(set(seen)) == 10
    assert not {reply.id for reply in replies[:3]} & set(seen)
    html = client.get("/search", query_string={"q": "همبستگی"}).get_data(as_text=True)
    assert html.count('class="result-title"') == 2  # one thread: its best two posts
    assert "۸" in html  # "8 more in this thread", in Persian digits


def test_flask_check_covers_search_and_repairs_it(app, make_thread, api_ids):
    from sqlalchemy import text

    thread = make_thread(body="متن نخست درباره‌ی همبستگی")
    reply = posting.reply(thread.author, thread, "پاسخی درباره‌ی همبستگی")
    # A thread marked hidden behind the services' back: a stored value that is wrong, and
    # search data that no longer matches what readers may see (for an index that holds it).
    db.session.execute(text("UPDATE threads SET is_hidden = :yes"), {"yes": True})
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "threads.is_hidden" in result.output
    if fulltext.current().name == "whoosh":
        # The index still holds the posts readers may no longer see.
        assert "search: the index has drifted" in result.output
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1 and "Repaired" in result.output
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert sorted(api_ids("همبستگی")) == [first_post().id, reply.id]
