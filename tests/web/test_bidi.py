"""Names that cannot spoof: direction controls are refused in names and titles, and every name a
participant wrote is isolated where pages show it among others.

U+202E (right-to-left override) in a title makes «gnp.exe» show as «exe.png» and can reorder the
rest of a list line; the same goes for embeddings, isolates and direction marks. New names are
refused with a field message. Names stored before (or imported) are still shown safely: every
one sits in <bdi>, in an element with a dir attribute, or, where markup is impossible (a page's
<title>, an <option>), between FSI and PDI.
"""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select, text

from tests.robustness.test_crawl import crawl
from tests.support import PASSWORD, login
from tribune import demo
from tribune.extensions import db
from tribune.models import Association, Section, Thread
from tribune.services import (
    Invalid,
    accounts,
    agenda_commemorations,
    debate_associations,
    debate_posts,
    posting,
    reports,
)
from tribune.services import debate as debate_service
from tribune.text.bidi import DIRECTION_CONTROLS, FSI, PDI, direction_controls

RLO = "\u202e"


@pytest.mark.parametrize("control", sorted(DIRECTION_CONTROLS))
def test_every_direction_control_is_found(control):
    assert direction_controls(f"ab{control}cd") == [f"U+{ord(control):04X}"]
    # Persian needs ZWNJ; it is no direction control.
    assert direction_controls("می\u200cشود") == []


def test_names_and_titles_with_direction_controls_are_refused(app, make_user, make_section):
    sara = make_user("sara")
    section = make_section("alternatives")
    thread = posting.open_thread(sara, section, "عنوان درست", "متن", "fa")
    attempts = {
        "title": lambda: posting.open_thread(sara, section, f"gnp{RLO}.exe", "متن", "fa"),
        "display_name": lambda: accounts.update_profile(sara, f"سارا{RLO}", "", None),
        "name": lambda: debate_associations.create_association(
            make_user("amir", role="admin"), "kanoon-x", f"کانون{RLO} هامبورگ", "هامبورگ", "آلمان"
        ),
        "position": lambda: debate_service.publish_paper(
            sara, section, "طرحی تازه", "متن", "fa", "خلاصه‌ای کوتاه و روشن", "\u2067سوسیالیسم"
        ),
        "city": lambda: debate_service.clean_line("Köln\u200f", "city"),
    }
    for field, attempt in attempts.items():
        with pytest.raises(Invalid) as refused:
            attempt()
        assert refused.value.field == field
        assert "U+" in str(refused.value.message)
    with pytest.raises(Invalid) as refused:
        accounts.register("kaveh", PASSWORD, display_name="\u202akaveh")
    assert refused.value.field == "display_name"
    # Usernames allow Latin letters, digits and .-_ only: a control is refused there too.
    with pytest.raises(Invalid):
        accounts.register(f"kav{RLO}eh", PASSWORD)
    db.session.rollback()
    assert db.session.get(Thread, thread.id).title == "عنوان درست"


def test_the_refusal_is_a_field_message_on_the_page(client, make_user, make_section):
    make_user("sara")
    make_section("alternatives")
    login(client)
    client.post("/locale", data={"locale": "en"})
    response = client.post(
        "/tribune/alternatives/new",
        data={"title": f"a{RLO}bcdef", "body": "text", "language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "invisible text-direction characters (U+202E)" in html
    response = client.post(
        "/accounts/settings",
        data={"profile-display_name": f"Sara{RLO}", "profile-submit": "1", "profile-locale": ""},
    )
    assert "U+202E" in response.get_data(as_text=True)


class Isolation(HTMLParser):
    """Finds text holding a marker that no <bdi>, [dir] element or FSI...PDI isolates."""

    ROOT = "html"
    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr"}

    def __init__(self, marker):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.stack = []
        self.bare = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        isolating = tag == "bdi" or (tag != self.ROOT and any(n == "dir" for n, _ in attrs))
        self.stack.append((tag, isolating))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.marker not in data:
            return
        if any(isolating for _, isolating in self.stack):
            return
        inner = data.strip()
        if inner.startswith(FSI) and inner.endswith(PDI):
            return
        # Text between FSI and PDI inside a longer string (a page title with a site name).
        start = data.find(self.marker)
        if data.rfind(FSI, 0, start) > data.rfind(PDI, 0, start) and PDI in data[start:]:
            return
        self.bare.append(("/".join(tag for tag, _ in self.stack), data.strip()[:80]))


def spoofed(value):
    return f"SPOOF{RLO}{value}"


def store_spoofed_names():
    """Names as an older release (or an import) may have stored them, directly in the rows."""
    char = "char" if db.engine.dialect.name == "sqlite" else "chr"
    for table, column in (
        ("threads", "title"),
        ("moderation_log", "reason"),
        ("reports", "details"),
        ("moderator_terms", "handover_note"),
    ):
        db.session.execute(
            text(f"UPDATE {table} SET {column} = 'SPOOF' || {char}(8238) || {column}")
        )
    for model, column in (
        (Association, "name"),
        (Association, "city"),
        (Section, "title"),
    ):
        for row in db.session.scalars(select(model)):
            setattr(row, column, spoofed(getattr(row, column)))
    from tribune.models import Action, Commemoration, Paper, User

    for user in db.session.scalars(select(User)):
        user.display_name = spoofed(user.display_name or user.username)
    for paper in db.session.scalars(select(Paper)):
        paper.position = spoofed(paper.position)
    for action in db.session.scalars(select(Action)):
        action.city = spoofed(action.city)
        action.place = spoofed(action.place or "x")
    for commemoration in db.session.scalars(select(Commemoration)):
        commemoration.title = spoofed(commemoration.title)
    db.session.commit()


@pytest.mark.parametrize("role", ["reader", "moderator"])
def test_every_name_in_every_page_is_isolated(app, make_moderator, role):
    demo.load()
    moderator = make_moderator("mina")
    first = db.session.scalar(select(Thread).order_by(Thread.id))
    from tribune.services import moderation

    moderation.set_thread_flag(moderator, first, "pin", "a reference debate")
    reply = posting.reply(accounts.find_by_username("sara"), first, "پاسخ", "fa")
    reports.file_report(accounts.find_by_username("kaveh"), reply, "other", "why it matters")
    store_spoofed_names()
    client = app.test_client()
    if role == "moderator":
        login(client, "mina")
    pages, bare = 0, []
    for path, status in crawl(client).items():
        if status != 200:
            continue
        response = client.get(path)
        if not response.content_type.startswith("text/html"):
            continue
        pages += 1
        parser = Isolation("SPOOF" + RLO)
        parser.feed(response.get_data(as_text=True))
        bare += [(path, *found) for found in parser.bare]
    assert pages >= 20
    assert not bare, "\n".join(map(repr, sorted(set(bare))))


def test_translation_titles_are_refused_too(app, make_user, make_thread):
    thread = make_thread()
    opening = db.session.get(Thread, thread.id).last_post_id
    from tribune.models import Post

    with pytest.raises(Invalid) as refused:
        debate_posts.translate(
            make_user("claire"), db.session.get(Post, opening), "en", "A text", title=f"T{RLO}itle"
        )
    assert refused.value.field == "title"
    with pytest.raises(Invalid) as refused:
        agenda_commemorations.add(make_user("amir", role="admin"), f"Day{RLO}", "gregorian", 3, 8)
    assert refused.value.field == "title"
