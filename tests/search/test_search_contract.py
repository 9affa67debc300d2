"""The index follows the database through the real services: commit, rollback, edit, hide, move,
rename, suspension. What a reader may not see never shows in results, snippets or totals."""

import pytest
from sqlalchemy import select

from tests.support import login
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
