"""Numbered lists written with Persian or Arabic-Indic digits are lists (issue 17)."""

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post
from tribune.services import rendering
from tribune.text.markup import render


def test_persian_numbered_lines_are_an_ordered_list():
    html = render("سه پایه:\n\n۱. جدایی دین از دولت\n۲. آزادی بیان\n۳. برابری\n")
    assert "<ol>" in html
    assert html.count("<li") == 3
    assert '<li dir="auto">جدایی دین از دولت</li>' in html
    # The marker is the list's number, not part of the item's text.
    assert "۱." not in html


def test_arabic_indic_digits_parentheses_and_a_start_number():
    html = render("٣) ثلاثة\n٤) أربعة")
    assert '<ol start="3">' in html and html.count("<li") == 2
    html = render("۱۲. دوازده\n۱۳. سیزده")
    assert '<ol start="12">' in html


def test_lists_in_quotes_and_nested_lists():
    html = render("> ۱. نقل\n> ۲. دوم")
    assert "<blockquote" in html and "<ol>" in html and html.count("<li") == 2
    html = render("۱. یک\n   ۱. یک یک\n   ۲. یک دو\n۲. دو")
    assert html.count("<ol") == 2 and html.count("<li") == 4


def test_digits_elsewhere_are_left_as_written():
    # Not at the start of a line, no space after the dot, or inside fenced code.
    assert render("سال ۱۳۸۹. سال خوبی بود") == '<p dir="auto">سال ۱۳۸۹. سال خوبی بود</p>\n'
    assert "<ol" not in render("۱.۵ درصد")
    html = render("```\n۱. کد\n۲. کد\n```\n\n۱. فهرست")
    assert "<code>۱. کد\n۲. کد\n</code>" in html
    assert html.count("<li") == 1
    html = render("~~~~\n۱. کد\n~~~\n۲. هنوز کد\n~~~~")
    assert "<ol" not in html and "۲. هنوز کد" in html
    # ASCII lists are as they were.
    assert render("1. one\n2. two").count("<li") == 2


def test_the_demo_paper_has_its_list(app):
    from tribune import demo

    demo.load()
    bodies = db.session.scalars(select(Post.body_html)).all()
    listed = [html for html in bodies if "<ol>" in html and "دولت هیچ دینی" in html]
    assert listed


def test_posts_rerender_turns_stored_paragraphs_into_lists(app, make_thread):
    thread = make_thread(body="۱. یک\n۲. دو")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert "<ol>" in post.body_html
    # What an older release stored: one paragraph.
    post.body_html = '<p dir="auto">۱. یک\n۲. دو</p>\n'
    db.session.commit()
    changed, total = rendering.rerender_all()
    assert changed == 1 and total >= 1
    db.session.refresh(post)
    assert "<ol>" in post.body_html
