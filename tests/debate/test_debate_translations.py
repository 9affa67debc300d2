"""Parallel translations: any participant adds one, readers switch or read side by side, and an
edit of the original marks them possibly outdated until their translator updates them."""

import re

import pytest
from debate_support import fresh, opening_post
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Post, Translation
from tribune.services import Invalid, NotFound, debate_posts, moderation, posting

GERMAN = "Die vollständige Trennung von Religion und Staat."


@pytest.fixture
def paper(make_paper, make_user):
    return make_paper(author=make_user("sara"), body="جدایی کامل دین از دولت.")


def test_a_participant_adds_a_german_translation_through_the_form(client, paper, make_user):
    make_user("jonas")
    original = opening_post(paper)
    login(client, "jonas")
    form = client.get(f"/papers/posts/{original.id}/translate").get_data(as_text=True)
    assert 'value="fa"' not in re.search(r'<select[^>]*name="language".*?</select>', form, re.S)[0]
    response = client.post(
        f"/papers/posts/{original.id}/translate",
        data={"language": "de", "title": "Warum eine laizistische Republik?", "body": GERMAN},
    )
    assert response.status_code == 302 and "read=de" in response.headers["Location"]
    translation = db.session.scalar(select(Translation))
    assert (translation.language, translation.translator.username) == ("de", "jonas")
    assert translation.source_revision == 0 and fresh(Post, original.id).translation_count == 1

    page = client.get(f"/t/{paper.id}").get_data(as_text=True)
    assert "جدایی کامل دین از دولت." in page and GERMAN not in page  # the original first
    assert f"/t/{paper.id}?read=de#p{original.id}" in page
    german = client.get(f"/t/{paper.id}?read=de").get_data(as_text=True)
    assert GERMAN in german and "jonas" in german.lower()
    assert "Warum eine laizistische Republik?" in german
    assert 'lang="de"' in german
    side = client.get(f"/t/{paper.id}?read=de&side=1").get_data(as_text=True)
    assert GERMAN in side and "جدایی کامل دین از دولت." in side and 'class="side-by-side"' in side


def test_editing_the_original_marks_the_translation_outdated_until_its_translator_updates(
    client, paper, make_user
):
    jonas = make_user("jonas")
    original = opening_post(paper)
    translation = debate_posts.translate(jonas, original, "de", GERMAN)
    assert not translation.is_outdated()
    assert "possibly outdated" not in client.get(f"/t/{paper.id}").get_data(as_text=True)

    posting.edit_post(paper.author, original, "جدایی کامل دین از دولت، و برابری.", "fa")
    assert fresh(Translation, translation.id).is_outdated()
    assert "possibly outdated" in client.get(f"/t/{paper.id}?read=de").get_data(as_text=True)

    # Someone else cannot take it over or clear the mark.
    with pytest.raises(Invalid):
        debate_posts.translate(make_user("kaveh"), original, "de", "Andere Übersetzung.")
    assert fresh(Translation, translation.id).is_outdated()

    # The translator updates it (even unchanged: they confirm it still matches).
    updated = debate_posts.translate(jonas, original, "de", GERMAN + " Und Gleichheit.")
    assert not updated.is_outdated() and updated.source_revision == 1 and updated.updated_at
    assert "possibly outdated" not in client.get(f"/t/{paper.id}?read=de").get_data(as_text=True)
    posting.edit_post(paper.author, original, "نسخه‌ی سوم.", "fa")
    debate_posts.translate(jonas, original, "de", GERMAN + " Und Gleichheit.")
    assert not fresh(Translation, translation.id).is_outdated()
    assert fresh(Post, original.id).translation_count == 1


def test_a_title_only_edit_also_marks_the_translated_title_outdated(app, paper, make_user):
    original = opening_post(paper)
    translation = debate_posts.translate(
        make_user("jonas"), original, "de", GERMAN, title="Ein Titel"
    )
    posting.edit_post(paper.author, original, original.body_source, "fa", title="عنوانی دیگر")
    assert fresh(Translation, translation.id).is_outdated()


def test_the_language_of_the_original_is_refused(app, paper, make_user):
    with pytest.raises(Invalid) as error:
        debate_posts.translate(make_user("jonas"), opening_post(paper), "fa", "همان")
    assert error.value.field == "language"
    with pytest.raises(Invalid):
        debate_posts.translate(make_user("kaveh"), opening_post(paper), "xx", "?")


def test_anyone_may_translate_any_post_and_several_languages_coexist(client, paper, make_user):
    reply = debate_posts.reply(make_user("kaveh"), paper, "پاسخی کوتاه.")
    debate_posts.translate(make_user("claire"), reply, "fr", "Une courte réponse.")
    debate_posts.translate(make_user("jonas"), reply, "de", "Eine kurze Antwort.")
    debate_posts.translate(paper.author, opening_post(paper), "en", "Full separation.")
    html = client.get(f"/t/{paper.id}").get_data(as_text=True)
    bar = re.search(r'<nav class="reading-bar".*?</nav>', html, re.S)[0]
    assert "Deutsch" in bar and "Français" in bar and "English" in bar
    french = client.get(f"/t/{paper.id}?read=fr").get_data(as_text=True)
    assert "Une courte réponse." in french
    # Posts without a French translation show their original.
    assert "Full separation." not in french and "جدایی کامل دین از دولت." in french


def test_translations_are_searchable_through_their_post(app, client, paper, make_user):
    original = opening_post(paper)
    debate_posts.translate(make_user("jonas"), original, "de", GERMAN)
    body = client.get("/api/v1/search", query_string={"q": "Trennung"}).get_json()
    assert [r["post_id"] for r in body["results"]] == [original.id]
    assert body["results"][0]["matched_translation"] == "de"


def test_hidden_posts_are_neither_translated_nor_shown_translated(
    client, paper, make_user, make_moderator
):
    moderator = make_moderator(make_user("mod"))
    reply = debate_posts.reply(make_user("kaveh"), paper, "متنی که پنهان می‌شود.")
    debate_posts.translate(make_user("jonas"), reply, "de", "Ein Text, der verborgen wird.")
    moderation.hide_post(moderator, reply, "نقض قواعد")
    for url in (f"/t/{paper.id}?read=de", f"/t/{paper.id}?read=de&side=1"):
        assert "Ein Text, der verborgen wird." not in client.get(url).get_data(as_text=True)
    # For those who may not see it, it does not exist.
    with pytest.raises(NotFound):
        debate_posts.translate(make_user("claire"), fresh(Post, reply.id), "fr", "Un texte.")
    login(client, "jonas")
    assert client.get(f"/papers/posts/{reply.id}/translate").status_code == 404


def test_readers_need_an_account_to_translate(client, paper):
    original = opening_post(paper)
    assert client.get(f"/papers/posts/{original.id}/translate").status_code == 302
    assert (
        "Translate"
        not in client.get(f"/t/{paper.id}").get_data(as_text=True).split('class="post-actions"')[1]
    )


def test_the_reading_language_is_kept_across_the_pages_of_a_thread(client, paper, make_user):
    author = make_user("kaveh")
    for n in range(6):  # POSTS_PER_PAGE is 5 in tests: two pages
        posting.reply(author, paper, f"پاسخ شماره {n}", "fa")
    page = client.get(f"/t/{paper.id}?read=de&side=1").get_data(as_text=True)
    assert f'href="/t/{paper.id}?page=2&amp;read=de&amp;side=1"' in page
    plain = client.get(f"/t/{paper.id}").get_data(as_text=True)
    assert f'href="/t/{paper.id}?page=2"' in plain
