"""Mixed-direction fragments isolated at their source, and one helper for digits in messages
(issue 17)."""

from tribune.fulltext import highlight
from tribune.text import calendars
from tribune.text.bidi import isolated_words, place


def test_a_place_is_one_isolated_phrase_with_the_comma_of_its_script():
    assert place("Hamburg", "Germany") == "<bdi>Hamburg, Germany</bdi>"
    assert place("هامبورگ", "آلمان") == "<bdi>هامبورگ، آلمان</bdi>"
    assert place("Hamburg", "") == "<bdi>Hamburg</bdi>"
    assert place("", None) == ""
    assert place("<b>", "x") == "<bdi>&lt;b&gt;, x</bdi>"


def test_each_word_of_a_query_is_isolated_in_typed_order():
    assert isolated_words("area:agenda ۸ مارس") == (
        "<bdi>area:agenda</bdi> <bdi>۸</bdi> <bdi>مارس</bdi>"
    )
    assert isolated_words("<x> y") == "<bdi>&lt;x&gt;</bdi> <bdi>y</bdi>"


def test_numbers_in_messages_take_the_readers_digits_and_nothing_else_does():
    assert calendars.format_message("Use at least %(n)d characters.", {"n": 12}, "fa") == (
        "Use at least ۱۲ characters."
    )
    assert calendars.format_message("At most %(n)d.", {"n": 12000}, "en") == "At most 12,000."
    # Text variables keep their digits (a username is not a number), and %s stays %s.
    assert (
        calendars.format_message(
            "%(name)s: %(num)d of %(n)s", {"name": "sara2", "num": 3, "n": "7"}, "fa"
        )
        == "sara2: ۳ of 7"
    )
    # A boolean is no number.
    assert calendars.format_message("%(flag)s", {"flag": True}, "fa") == "True"


def test_a_mention_in_a_snippet_is_isolated_with_its_mark():
    text = "من با @sara موافقم و @kaveh هم، نه با x@y.org"
    spans = [(7, 11, "sara")]
    html = str(highlight._render(text, [(0, len(text))], spans))
    assert "<bdi>@<mark>sara</mark></bdi>" in html
    assert "<bdi>@kaveh</bdi>" in html
    # An address is no mention.
    assert "x@y.org" in html and "<bdi>@y" not in html
    # A match that straddles the mention's edge is held inside it: elements stay nested.
    html = str(highlight._render("با @sara2 و", [(0, 11)], [(4, 11, "sara2 و")]))
    assert html.count("<bdi>") == 1 and html.index("</mark>") < html.index("</bdi>")
