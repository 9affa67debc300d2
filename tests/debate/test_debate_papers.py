"""Position papers: structured fields, who may co-sign for an association, lists and filters."""

import re

import pytest
from debate_support import fresh, opening_post
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Paper, PaperSignature, Thread
from tribune.services import Invalid, Refused, debate


def test_publishing_a_persian_paper_cosigned_by_ones_association(
    client, make_user, make_section, make_association, make_member
):
    sara = make_user("sara")
    make_section("alternatives")
    hamburg = make_association()
    make_member(sara, hamburg)
    login(client, "sara")
    form = client.get("/papers/new?section=alternatives").get_data(as_text=True)
    assert re.search(r'<option selected value="alternatives"', form) and hamburg.name in form
    response = client.post(
        "/papers/new",
        data={
            "section": "alternatives",
            "title": "چرا جمهوری دمکراتیک لائیک؟",
            "position": "جمهوری دمکراتیک لائیک",
            "summary": "جدایی دین از دولت، آزادی بیان و برابری.",
            "language": "fa",
            "body": "**جدایی** کامل دین از دولت.",
            "associations": [str(hamburg.id)],
        },
    )
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert thread.kind == "paper" and thread.paper.position == "جمهوری دمکراتیک لائیک"
    assert [s.association_id for s in debate.signatures(thread)] == [hamburg.id]
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "جدایی دین از دولت، آزادی بیان و برابری." in html
    assert hamburg.name in html and "<strong>جدایی</strong>" in html
    assert 'href="/papers/?position=' in html


def test_only_confirmed_members_can_name_an_association(
    app, make_user, make_association, make_member, make_paper
):
    hamburg = make_association()
    outsider, stated, member = make_user("outsider"), make_user("stated"), make_user("member")
    make_member(stated, hamburg, confirmed=False)
    make_member(member, hamburg)
    with pytest.raises(Invalid) as refused:
        make_paper(author=outsider, associations=[hamburg])
    assert refused.value.field == "associations"
    with pytest.raises(Invalid):
        make_paper(author=stated, title="نوشته‌ی دوم", associations=[hamburg])
    assert db.session.scalar(select(db.func.count(Thread.id))) == 0
    paper = make_paper(author=member, associations=[hamburg])
    assert [s.association for s in debate.signatures(paper)] == [hamburg]


def test_another_member_cosigns_and_only_members_or_the_author_withdraw(
    app, make_user, make_association, make_member, make_paper
):
    hamburg, paris = make_association(), make_association("paris", "انجمن پاریس", "Paris")
    author, colleague, outsider = make_user("sara"), make_user("kaveh"), make_user("jonas")
    make_member(colleague, paris)
    paper = make_paper(author=author)
    with pytest.raises(Refused):
        debate.sign(outsider, paper, paris)
    with pytest.raises(Refused):
        debate.sign(author, paper, hamburg)
    signature = debate.sign(colleague, paper, paris)
    assert debate.sign(colleague, paper, paris).id == signature.id  # signing twice is one signature
    with pytest.raises(Refused):
        debate.withdraw(outsider, paper, signature)
    debate.withdraw(author, paper, signature)
    assert debate.signatures(paper) == [] and fresh(PaperSignature, signature.id).withdrawn_at
    again = debate.sign(colleague, paper, paris)
    assert again.id == signature.id and again.is_active


def test_signing_through_the_page(client, make_user, make_association, make_member, make_paper):
    paris = make_association("paris", "انجمن پاریس", "Paris")
    paper = make_paper(author=make_user("sara"))
    make_member(make_user("kaveh"), paris)
    login(client, "kaveh")
    page = client.get(f"/t/{paper.id}").get_data(as_text=True)
    assert 'name="association"' in page and "انجمن پاریس" in page
    client.post(f"/papers/{paper.id}/sign", data={"association": paris.id})
    assert [s.association_id for s in debate.signatures(paper)] == [paris.id]


def test_papers_belong_in_the_tribune(app, make_user, make_section, make_paper):
    agenda_section = make_section("women", "agenda", "زنان")
    with pytest.raises(Invalid):
        make_paper(section=agenda_section)


def test_summary_and_position_are_required(app, make_paper):
    with pytest.raises(Invalid) as error:
        make_paper(summary="کوتاه")
    assert error.value.field == "summary"
    with pytest.raises(Invalid) as error:
        make_paper(position=" ")
    assert error.value.field == "position"


def test_author_edits_summary_and_position(app, make_user, make_paper):
    author = make_user("sara")
    paper = make_paper(author=author)
    debate.edit_paper(author, paper, "خلاصه‌ی تازه‌ی این نوشته.", "سوسیالیسم")
    assert fresh(Paper, paper.id).position_key == debate.position_key("سوسیالیسم")
    assert fresh(Paper, paper.id).summary == "خلاصه‌ی تازه‌ی این نوشته."
    with pytest.raises(Refused):
        debate.edit_paper(make_user("other"), paper, "خلاصه‌ی دیگری برای نوشته.", "سوسیالیسم")


def test_position_spelling_variants_are_one_position():
    assert debate.position_key("سوسياليسم") == debate.position_key("سوسیالیسم ")
    assert debate.position_key("جمهوری  دمکراتیک") == debate.position_key("جمهوری دمکراتیک")


def _titles(html):
    return re.findall(r'<h3><a href="/t/\d+" dir="auto">([^<]+)</a>', html)


@pytest.fixture
def three_papers(make_user, make_section, make_association, make_member, make_paper):
    section = make_section()
    hamburg = make_association()
    paris = make_association("paris", "انجمن پاریس", "Paris")
    sara, kaveh, maryam = make_user("sara"), make_user("kaveh"), make_user("maryam")
    make_member(sara, hamburg)
    make_member(kaveh, paris)
    laic = make_paper(sara, section, "جمهوری لائیک", associations=[hamburg])
    socialist = make_paper(
        kaveh, section, "سوسیالیسم امروز", position="سوسیالیسم", associations=[paris]
    )
    # The same position typed with an Arabic yeh: grouped with the first.
    laic_too = make_paper(maryam, section, "لائیسیته و آزادی", position="جمهوري دمکراتيک لائيک")
    return laic, socialist, laic_too, hamburg, paris


def test_papers_filter_by_position_and_association(client, three_papers):
    laic, socialist, laic_too, hamburg, paris = three_papers
    everything = client.get("/papers/").get_data(as_text=True)
    assert set(_titles(everything)) == {"جمهوری لائیک", "سوسیالیسم امروز", "لائیسیته و آزادی"}
    key = laic.paper.position_key
    by_position = client.get(f"/papers/?position={key}").get_data(as_text=True)
    assert set(_titles(by_position)) == {"جمهوری لائیک", "لائیسیته و آزادی"}
    by_association = client.get("/papers/?association=paris").get_data(as_text=True)
    assert _titles(by_association) == ["سوسیالیسم امروز"]
    both = client.get(f"/papers/?position={key}&association=hamburg-solidarity").get_data(
        as_text=True
    )
    assert _titles(both) == ["جمهوری لائیک"]
    assert client.get("/papers/?association=nowhere").status_code == 404


def test_compare_shows_each_position_side_by_side(client, three_papers):
    html = client.get("/papers/compare").get_data(as_text=True)
    columns = re.findall(r'<section class="compare-column".*?</section>', html, re.S)
    assert len(columns) == 2
    laic_column = next(c for c in columns if "جمهوری لائیک" in c)
    assert "لائیسیته و آزادی" in laic_column and "سوسیالیسم امروز" not in laic_column
    client.post("/locale", data={"locale": "en"})
    english = client.get("/papers/compare?association=paris").get_data(as_text=True)
    assert "Compare the positions" in english
    assert _titles(english) == ["سوسیالیسم امروز"]


def test_paper_summary_shows_in_section_lists(client, three_papers):
    html = client.get("/tribune/alternatives/").get_data(as_text=True)
    assert "جدایی دین از دولت، آزادی و برابری." in html
    assert 'class="row-paper"' in html


def test_paper_list_queries_do_not_grow(client, three_papers, make_paper, count_queries):
    def measure():
        with count_queries() as counter:
            assert client.get("/papers/").status_code == 200
        return counter.count

    few = measure()
    laic = three_papers[0]
    for n in range(3):
        make_paper(laic.author, laic.section, f"نوشته‌ی {n}", position=f"دیدگاه {n}")
    assert measure() == few


def test_the_opening_post_of_a_paper_is_its_text(app, make_paper):
    paper = make_paper(body="متن کامل نوشته")
    assert opening_post(paper).body_source == "متن کامل نوشته"


def test_a_hidden_paper_shows_no_summary_to_readers(client, make_paper, make_user, make_moderator):
    from tribune.services import moderation

    paper = make_paper(summary="خلاصه‌ای که نباید دیده شود.")
    moderation.hide_post(make_moderator(make_user("mod")), opening_post(paper), "نقض قواعد")
    for url in (f"/t/{paper.id}", "/papers/", "/papers/compare", "/tribune/alternatives/"):
        assert "خلاصه‌ای که نباید دیده شود." not in client.get(url).get_data(as_text=True)
    login(client, "mod")
    assert "خلاصه‌ای که نباید دیده شود." in client.get(f"/t/{paper.id}").get_data(as_text=True)


def test_papers_list_newest_first_over_pages_and_hidden_ones_for_moderators_only(
    app, client, make_paper, make_user, make_moderator
):
    """Issue 14: the list is read from papers alone (ordered by the paper's copy of its
    thread's creation time), then its threads; what it shows must not change."""
    from datetime import UTC, datetime, timedelta

    from tribune.services import counters, moderation

    app.config["THREADS_PER_PAGE"] = 2
    start = datetime(2024, 3, 1, tzinfo=UTC)
    papers = []
    for n in range(5):
        paper = make_paper(title=f"نوشته {n}", position=f"دیدگاه {n % 2}")
        # Opened on different days, not in id order: the order is by time, then by id.
        opened = start + timedelta(days=(3 * n) % 5)
        paper.created_at = paper.paper.created_at = opened
        papers.append(paper)
    db.session.commit()
    newest_first = sorted(papers, key=lambda p: (p.created_at, p.id), reverse=True)
    hidden = newest_first[1]
    moderation.hide_post(make_moderator(make_user("mod")), opening_post(hidden), "نقض قواعد")
    assert counters.check() == []

    def listed(c):
        titles = []
        for page in (1, 2, 3):
            titles += _titles(c.get(f"/papers/?page={page}").get_data(as_text=True))
        return titles

    shown = [p.title for p in newest_first]
    assert listed(client) == [t for t in shown if t != hidden.title]
    assert client.get("/papers/?page=4").status_code == 404
    moderator = app.test_client()
    login(moderator, "mod")
    assert listed(moderator) == shown
    counts = client.get("/papers/").get_data(as_text=True)
    assert "دیدگاه 0" in counts and "دیدگاه 1" in counts


def test_check_finds_and_repairs_a_paper_listed_at_another_time_than_its_thread(app, make_paper):
    from sqlalchemy import text

    paper = make_paper()
    db.session.execute(text("UPDATE papers SET created_at = '2001-01-01 00:00:00.000000'"))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "papers.created_at" in result.output
    assert f"{paper.id}: stored" in result.output
    result = runner.invoke(args=["check", "--repair"])
    assert "Repaired" in result.output
    assert runner.invoke(args=["check"]).exit_code == 0
    db.session.expire_all()
    assert fresh(Paper, paper.id).created_at == fresh(Thread, paper.id).created_at
