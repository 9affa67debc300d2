"""The administration area (issue 19), through the HTTP surface: who reaches it, sections,
the site's identity and rules, registration policies and invitations."""

import re

import pytest
from sqlalchemy import select

from tests.support import PASSWORD, login
from tribune import fulltext
from tribune.extensions import db
from tribune.models import Association, Invitation, ModerationLogEntry, Section, Thread, User
from tribune.services import registration, sections, site
from tribune.services.moderation_log import verify_chain
from tribune.services.sections import SectionTexts

ADMIN_GETS = (
    "/admin/",
    "/admin/setup",
    "/admin/sections/",
    "/admin/sections/new",
    "/admin/sections/{section}/edit",
    "/admin/sections/{section}/merge",
    "/admin/site",
    "/admin/registration",
    "/admin/people/",
    "/admin/people/{person}",
    "/admin/associations/",
    "/admin/associations/{association}",
)
ADMIN_POSTS = (
    "/admin/setup",
    "/admin/sections/new",
    "/admin/sections/{section}/edit",
    "/admin/sections/{section}/merge",
    "/admin/sections/{section}/archive",
    "/admin/sections/order",
    "/admin/site",
    "/admin/registration",
    "/admin/people/{person}/admin",
    "/admin/people/{person}/reset-link",
    "/admin/associations/{association}",
    "/admin/associations/{association}/merge",
)


@pytest.fixture
def people(app, make_user, make_moderator, make_section):
    """An administrator, a moderator in term, a participant; one section."""
    admin = make_user("leila", role="admin")
    make_moderator("mina")
    make_user("kaveh")
    db.session.add(Association(slug="hamburg", name="کانون هامبورگ", city="Hamburg"))
    db.session.add(Association(slug="hamburg-2", name="کانون همبورگ"))
    db.session.commit()
    return admin, make_section("alternatives")


def _urls(paths, section):
    association = db.session.scalar(select(Association).order_by(Association.id))
    return [path.format(section=section.id, person="kaveh", association=association.id)
            for path in paths]


@pytest.mark.parametrize("who", [None, "kaveh", "mina"])
def test_no_admin_page_is_reachable_by_a_non_administrator(app, people, who):
    _admin, section = people
    client = app.test_client()
    if who:
        assert login(client, who).status_code == 302
    for url in _urls(ADMIN_GETS, section):
        assert client.get(url).status_code == 404, url
    for url in _urls(ADMIN_POSTS, section):
        assert client.post(url, data={"reason": "trying"}).status_code == 404, url
    # Nothing was written by any of those attempts.
    assert db.session.scalar(select(ModerationLogEntry).where(
        ModerationLogEntry.action.like("section.%"))) is None


def test_every_admin_page_answers_an_administrator_in_both_directions(app, people):
    _admin, section = people
    client = app.test_client()
    login(client, "leila")
    for locale, direction in (("fa", "rtl"), ("en", "ltr")):
        client.post("/locale", data={"locale": locale, "next": "/"})
        for url in _urls(ADMIN_GETS, section):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'dir="{direction}"' in response.get_data(as_text=True)[:200], url


def test_the_admin_area_is_in_the_route_table(app):
    # Every admin route is one this test file knows, so a new page cannot skip the role test.
    names = {"section_id": "{section}", "username": "{person}",
             "association_id": "{association}"}
    rules = {
        re.sub(r"<(?:int:)?(\w+)>", lambda m: names[m.group(1)], rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
    }
    assert rules <= set(ADMIN_GETS) | set(ADMIN_POSTS), rules - set(ADMIN_GETS) - set(ADMIN_POSTS)


# Sections


def _new_section(client, area, slug, title_fa, title_en="", reason="a space for this debate"):
    return client.post(
        "/admin/sections/new",
        data={"area": area, "slug": slug, "title_fa": title_fa, "title_en": title_en,
              "reason": reason},
    )


def test_admin_creates_a_section_in_each_space_and_the_log_says_why(app, people):
    client = app.test_client()
    login(client, "leila")
    created = _new_section(client, "tribune", "secularism", "لائیسیته", "Secularism")
    assert created.status_code == 302
    assert _new_section(client, "agenda", "prisoners", "کارگروه زندانیان").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "لائیسیته" in html and "کارگروه زندانیان" in html
    client.post("/locale", data={"locale": "en", "next": "/"})
    assert "Secularism" in client.get("/tribune/").get_data(as_text=True)
    log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert log.count("a space for this debate") == 2
    assert verify_chain().ok


def test_a_section_needs_its_default_language_title_and_a_fresh_slug(app, people):
    client = app.test_client()
    login(client, "leila")
    missing = _new_section(client, "tribune", "economy", "", "Economy")
    assert missing.status_code == 400
    assert "default language" in missing.get_data(as_text=True) or "پیش‌فرض" in missing.get_data(
        as_text=True
    )
    for slug in ("alternatives", "Bad Slug", "archive", "x" * 81):
        response = _new_section(client, "tribune", slug, "عنوان")
        assert response.status_code == 400, slug
    # A reason is required: nothing without it.
    assert _new_section(client, "tribune", "economy", "اقتصاد", reason="").status_code == 400
    assert db.session.scalar(select(Section).where(Section.slug == "economy")) is None


def test_editing_a_section_never_changes_its_address(app, people):
    _admin, section = people
    client = app.test_client()
    login(client, "leila")
    response = client.post(
        f"/admin/sections/{section.id}/edit",
        data={"slug": "renamed", "area": "agenda", "title_fa": "بدیل‌ها و راه‌ها",
              "title_en": "Alternatives", "reason": "clearer title"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (section.slug, section.area, section.title) == ("alternatives", "tribune",
                                                           "بدیل‌ها و راه‌ها")
    assert client.get("/tribune/alternatives/").status_code == 200


def test_archived_section_is_read_only_out_of_navigation_and_still_there(
    app, people, make_thread, make_user
):
    admin, section = people
    thread = make_thread(section=section)
    client = app.test_client()
    login(client, "leila")
    assert client.post(f"/admin/sections/{section.id}/archive",
                       data={"archive-reason": "the debate moved on"}).status_code == 302
    reader = app.test_client()
    cards = reader.get("/tribune/").get_data(as_text=True).split('class="section-cards"')[1]
    assert "/tribune/alternatives/" not in cards.split("</ul>")[0]
    assert reader.get("/tribune/alternatives/").status_code == 200
    assert reader.get(f"/t/{thread.id}").status_code == 200
    kaveh = app.test_client()
    login(kaveh, "kaveh")
    assert kaveh.get("/tribune/alternatives/new").status_code == 404
    assert kaveh.post(f"/t/{thread.id}/reply", data={"body": "هنوز", "language": "fa"}
                      ).status_code in (400, 404)
    db.session.expire_all()
    assert thread.reply_count == 0
    # Brought back, it takes posts again.
    client.post(f"/admin/sections/{section.id}/archive",
                data={"archive-reason": "the debate is back", "undo": "1"})
    assert kaveh.get("/tribune/alternatives/new").status_code == 200


def test_merging_sections_moves_threads_and_search_follows(app, people, make_thread):
    _admin, source = people
    target = sections.build("tribune", "strategy", {"fa": SectionTexts("استراتژی")})
    db.session.commit()
    thread = make_thread(section=source, title="شعار سرنگونی", body="درباره‌ی شعار سرنگونی")
    client = app.test_client()
    login(client, "leila")
    response = client.post(f"/admin/sections/{source.id}/merge",
                           data={"target": target.id, "reason": "two sections for one debate"})
    assert response.status_code == 302
    db.session.expire_all()
    assert thread.section_id == target.id
    assert (source.thread_count, target.thread_count) == (0, 1)
    # The old address leads to the section that received the threads.
    assert client.get("/tribune/alternatives/").headers["Location"].endswith("/tribune/strategy/")
    # Search finds the thread under its new section, not the old one.
    backend = fulltext.current()
    backend.settle()
    found = app.test_client().get("/search?q=سرنگونی section:strategy").get_data(as_text=True)
    post_link = f"/p/{thread.last_post_id}"
    assert post_link in found
    gone = app.test_client().get("/search?q=سرنگونی section:alternatives").get_data(as_text=True)
    assert post_link not in gone
    entry = db.session.scalar(select(ModerationLogEntry).where(
        ModerationLogEntry.action == "section.merge"))
    assert entry.details["thread_ids"] == [thread.id] and entry.term_id is None


def test_reordering_sections(app, people):
    _admin, first = people
    second = sections.build("tribune", "strategy", {"fa": SectionTexts("استراتژی")})
    db.session.commit()
    client = app.test_client()
    login(client, "leila")
    response = client.post("/admin/sections/order", data={
        "space": "tribune", f"place-{first.id}": "2", f"place-{second.id}": "1",
        "tribune-reason": "strategy first"})
    assert response.status_code == 302
    html = client.get("/tribune/").get_data(as_text=True)
    assert html.index("/tribune/strategy/") < html.index("/tribune/alternatives/")
    assert "strategy first" in client.get("/moderation/log").get_data(as_text=True)


def test_moderators_cannot_move_a_thread_into_an_archived_section(
    app, people, make_thread
):
    admin, section = people
    other = sections.build("tribune", "old", {"fa": SectionTexts("قدیمی")})
    db.session.commit()
    sections.archive_section(admin, other, "closed down")
    assert other not in sections.open_sections("tribune")
    from tribune.services import Invalid, moderation
    mina = db.session.scalar(select(User).where(User.username == "mina"))
    with pytest.raises(Invalid):
        moderation.move_thread(mina, make_thread(section=section), other, "tidy")


# Identity and rules


def test_site_name_and_rules_show_everywhere_at_once(app, people):
    client = app.test_client()
    reader = app.test_client()
    assert "تریبون" in reader.get("/").get_data(as_text=True)
    login(client, "leila")
    response = client.post("/admin/site?locale=fa", data={
        "name": "همبستگی هامبورگ", "tagline": "بولتن", "about": "",
        "rules": "**احترام** <script>x</script>", "reason": "our own name"})
    assert response.status_code == 302
    home = reader.get("/").get_data(as_text=True)
    assert "<title>" in home and "همبستگی هامبورگ" in home.split("</title>")[0]
    assert 'class="brand"' in home and "همبستگی هامبورگ" in home
    rules = reader.get("/rules").get_data(as_text=True)
    assert "<strong>احترام</strong>" in rules and "<script>x" not in rules
    assert site.current().name("en") == "همبستگی هامبورگ"  # falls back to the default language


def test_site_texts_per_language_fall_back_to_the_default(app, people):
    admin, _section = people
    site.update_texts(admin, "fa", {"name": "همبستگی"}, "name")
    site.update_texts(admin, "en", {"name": "Solidarity"}, "english name")
    client = app.test_client()
    client.post("/locale", data={"locale": "en", "next": "/"})
    assert "Solidarity" in client.get("/").get_data(as_text=True)
    client.post("/locale", data={"locale": "de", "next": "/"})
    assert "همبستگی" in client.get("/").get_data(as_text=True)


def test_edit_seen_by_another_worker(app, app_config, people):
    """Two applications on one database stand for two workers: the version counter carries
    the edit to the other one's next request."""
    from tribune import create_app

    admin, _section = people
    other = create_app(app_config)
    with other.app_context():
        assert "تریبون" in other.test_client().get("/").get_data(as_text=True)
    site.update_texts(admin, "fa", {"name": "نام تازه"}, "renamed")
    with other.app_context():
        assert "نام تازه" in other.test_client().get("/").get_data(as_text=True)
        db.session.remove()


def test_report_form_links_to_the_rules(app, people, make_thread):
    admin, section = people
    thread = make_thread(section=section)
    site.update_texts(admin, "fa", {"rules": "قاعده"}, "rules")
    post_id = thread.last_post_id
    client = app.test_client()
    login(client, "kaveh")
    html = client.get(f"/moderation/report/{post_id}").get_data(as_text=True)
    assert 'href="/rules"' in html


# Registration


def _register(client, username="dara", url="/accounts/register", **extra):
    data = {"username": username, "password": PASSWORD, **extra}
    return client.post(url, data=data)


def test_open_registration_requires_accepting_the_rules_when_there_are_some(app, people):
    admin, _section = people
    site.update_texts(admin, "fa", {"rules": "۱. احترام"}, "rules")
    client = app.test_client()
    page = client.get("/accounts/register").get_data(as_text=True)
    # «۱. احترام» is a numbered list now (issue 17): its item is shown, the number by CSS.
    assert ">احترام</li>" in page
    refused = _register(client)
    assert refused.status_code == 200
    assert 'id="accept_rules"' in refused.get_data(as_text=True)
    assert registration.accounts.find_by_username("dara") is None
    assert _register(client, accept_rules="y").status_code == 302
    assert registration.accounts.find_by_username("dara") is not None


def test_invitation_registration_end_to_end(app, people):
    admin, _section = people
    site.set_registration(admin, "invitation", 1, "members invite")
    stranger = app.test_client()
    assert "username" not in stranger.get("/accounts/register").get_data(as_text=True)
    assert _register(stranger).status_code == 200
    assert registration.accounts.find_by_username("dara") is None

    kaveh = app.test_client()
    login(kaveh, "kaveh")
    page = kaveh.post("/accounts/invitations", data={"note": "for Dara"}).get_data(as_text=True)
    link = re.search(r'value="(http[^"]+invitation=[^"]+)"', page).group(1)
    path = link.split("//", 1)[1].split("/", 1)[1]
    # The limit: one open invitation at a time.
    refused = kaveh.post("/accounts/invitations", data={"note": "another"})
    assert refused.status_code == 400
    assert db.session.scalar(select(db.func.count(Invitation.id))) == 1
    # The code itself is not stored.
    code = path.split("invitation=")[1]
    assert db.session.scalar(select(Invitation.code_hash)) != code

    newcomer = app.test_client()
    assert _register(newcomer, url="/" + path).status_code == 302
    dara = registration.accounts.find_by_username("dara")
    assert dara.invited_by_id == registration.accounts.find_by_username("kaveh").id
    # Used once: the link opens nothing more.
    assert _register(app.test_client(), "dara2", url="/" + path).status_code == 404
    assert registration.accounts.find_by_username("dara2") is None
    # Who invited whom is not on the public profile.
    assert "kaveh" not in app.test_client().get("/accounts/u/dara").get_data(as_text=True)


def test_withdrawn_invitation_stops_working(app, people):
    admin, _section = people
    site.set_registration(admin, "invitation", 0, "members invite")
    kaveh = registration.accounts.find_by_username("kaveh")
    invitation, code = registration.create_invitation(kaveh)
    client = app.test_client()
    login(client, "kaveh")
    assert client.post(f"/accounts/invitations/{invitation.id}/withdraw").status_code == 302
    assert app.test_client().get(f"/accounts/register?invitation={code}").status_code == 404
    # Someone else's invitation cannot be withdrawn by a participant.
    other, _code = registration.create_invitation(admin)
    assert client.post(f"/accounts/invitations/{other.id}/withdraw").status_code == 404


def test_invitations_are_not_offered_under_open_registration(app, people):
    client = app.test_client()
    login(client, "kaveh")
    assert client.get("/accounts/invitations").status_code == 404


def test_approval_registration_leaves_the_account_pending(app, people):
    admin, _section = people
    site.set_registration(admin, "approval", 0, "moderators admit")
    client = app.test_client()
    assert _register(client, application="").status_code == 200
    response = _register(client, application="member of the Hamburg association")
    assert response.status_code == 200
    dara = registration.accounts.find_by_username("dara")
    assert dara.approval == "pending" and not dara.is_active
    answer = login(app.test_client(), "dara")
    assert answer.status_code == 200
    assert "moderators" in answer.get_data(as_text=True) or "ناظر" in answer.get_data(
        as_text=True
    )


def test_registration_policy_change_is_logged_with_its_reason(app, people):
    client = app.test_client()
    login(client, "leila")
    response = client.post("/admin/registration", data={
        "registration": "invitation", "invitation_limit": "3", "reason": "we are watched"})
    assert response.status_code == 302
    assert site.current().registration == "invitation"
    assert "we are watched" in app.test_client().get("/moderation/log").get_data(as_text=True)
    bad = client.post("/admin/registration", data={
        "registration": "everyone", "invitation_limit": "3", "reason": "x" * 5})
    assert bad.status_code == 400


def test_first_admin_command_leads_to_setup(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "leila", "--admin", "--password", "a long enough passphrase"]
    )
    assert result.exit_code == 0 and "/admin/setup" in result.output
    client = app.test_client()
    login(client, "leila", "a long enough passphrase")
    assert 'href="/admin/setup"' in client.get("/").get_data(as_text=True)
    response = client.post("/admin/setup", data={
        "locale": "en", "name": "Solidarity Hamburg", "tagline": "", "reason": "first setup"})
    assert response.status_code == 302
    assert site.current().setup_done and site.current().default_locale == "en"
    # A reader with no language chosen now gets English.
    assert 'lang="en"' in app.test_client().get("/").get_data(as_text=True)[:100]
    assert db.session.scalar(select(db.func.count(Thread.id))) == 0


def test_moderators_work_the_application_queue_and_the_applicant_learns_the_outcome(
    app, people, make_user
):
    admin, _section = people
    site.set_registration(admin, "approval", 0, "moderators admit")
    for name in ("dara", "omid"):
        _register(app.test_client(), name, application="member of the Hamburg association")
    participant = app.test_client()
    login(participant, "kaveh")
    assert participant.get("/moderation/applications").status_code == 404
    mina = app.test_client()
    login(mina, "mina")
    queue = mina.get("/moderation/applications").get_data(as_text=True)
    assert "dara" in queue and "Hamburg association" in queue
    dara = registration.accounts.find_by_username("dara")
    omid = registration.accounts.find_by_username("omid")
    assert mina.post(f"/moderation/applications/{dara.id}",
                     data={"decide-reason": "vouched for by kaveh", "decision": "admit"}
                     ).status_code == 302
    assert mina.post(f"/moderation/applications/{omid.id}",
                     data={"decide-reason": "nobody knows this person", "decision": "decline"}
                     ).status_code == 302
    # Deciding twice changes nothing.
    mina.post(f"/moderation/applications/{omid.id}",
              data={"decide-reason": "second thoughts", "decision": "admit"})
    db.session.expire_all()
    assert dara.approval is None and omid.approval == "declined"
    assert login(app.test_client(), "dara").status_code == 302
    refused = login(app.test_client(), "omid").get_data(as_text=True)
    assert "nobody knows this person" in refused
    log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert "vouched for by kaveh" in log and "nobody knows this person" not in log
    assert "omid" not in log


def test_an_applicant_with_an_address_is_told_the_outcome_by_mail(app, people):
    admin, _section = people
    sent = []
    app.config.update(MAIL_TRANSPORT=sent.append, PUBLIC_URL="https://forum.example.org")
    site.set_registration(admin, "approval", 0, "moderators admit")
    _register(app.test_client(), "dara", email="dara@example.org",
              application="member of the Hamburg association")
    dara = registration.accounts.find_by_username("dara")
    registration.decide_application(admin, dara, True, "welcome")
    assert len(sent) == 1 and sent[0]["To"] == "dara@example.org"
    assert "dara" in sent[0].get_content()


# People and associations


def test_people_list_filters_and_never_shows_addresses(app, people, make_user):
    make_user("omid", email="omid@example.org")
    client = app.test_client()
    login(client, "leila")
    everyone = client.get("/admin/people/").get_data(as_text=True)
    assert "omid" in everyone and "@example.org" not in everyone
    admins = client.get("/admin/people/?role=admin").get_data(as_text=True)
    assert "/admin/people/leila" in admins and "/admin/people/omid" not in admins
    moderators = client.get("/admin/people/?role=moderator").get_data(as_text=True)
    assert "/admin/people/mina" in moderators and "/admin/people/kaveh" not in moderators
    # Never logged in: counts as unseen for any number of weeks; leila just logged in.
    unseen = client.get("/admin/people/?seen_weeks=2").get_data(as_text=True)
    assert "/admin/people/omid" in unseen and "/admin/people/leila" not in unseen
    # Bad filter values are ignored, not errors.
    assert client.get("/admin/people/?role=x&state=y&seen_weeks=-3&page=1").status_code == 200
    assert "@example.org" not in client.get("/admin/people/omid").get_data(as_text=True)


def test_admin_rights_granted_and_ended_by_another_never_by_oneself(app, people):
    admin, _section = people
    client = app.test_client()
    login(client, "leila")
    assert client.post("/admin/people/kaveh/admin",
                       data={"grant": "1", "admin-reason": "rotation of coordination"}
                       ).status_code == 302
    kaveh = registration.accounts.find_by_username("kaveh")
    assert kaveh.role == "admin"
    # leila cannot end her own rights; kaveh can.
    client.post("/admin/people/leila/admin", data={"grant": "0", "admin-reason": "leaving"})
    db.session.expire_all()
    assert admin.role == "admin"
    other = app.test_client()
    login(other, "kaveh")
    assert other.post("/admin/people/leila/admin",
                      data={"grant": "0", "admin-reason": "her term of coordination ended"}
                      ).status_code == 302
    db.session.expire_all()
    assert admin.role == "participant"
    # leila is no administrator any more: the area is gone for her.
    assert client.get("/admin/").status_code == 404
    log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert "rotation of coordination" in log and "her term of coordination ended" in log
    assert verify_chain().ok


def test_admin_makes_a_reset_link_for_an_account(app, people):
    client = app.test_client()
    login(client, "leila")
    page = client.post("/admin/people/kaveh/reset-link").get_data(as_text=True)
    link = re.search(r'value="(http[^"]+/accounts/reset/[^"]+)"', page)
    assert link, page[-2000:]
    path = "/" + link.group(1).split("//", 1)[1].split("/", 1)[1]
    holder = app.test_client()
    landing = holder.get(path, follow_redirects=True)
    assert landing.status_code == 200 and 'name="new_password"' in landing.get_data(as_text=True)


def test_associations_renamed_and_merged_with_their_signatures_and_members(
    app, people, make_user
):
    from tribune.models import Membership, PaperSignature
    from tribune.services import debate, debate_associations

    admin, section = people
    first, duplicate = db.session.scalars(select(Association).order_by(Association.id)).all()
    kaveh = registration.accounts.find_by_username("kaveh")
    sara = make_user("sara")
    for person, association in ((kaveh, duplicate), (sara, duplicate), (sara, first)):
        membership = debate_associations.state_affiliation(person, association)
        debate_associations.confirm(admin, membership)
    paper = debate.publish_paper(kaveh, section, "طرح جمهوری", "متن طرح", "fa",
                                 "خلاصه‌ای از این طرح برای خوانندگان", "موضع ما",
                                 associations=[duplicate])
    client = app.test_client()
    login(client, "leila")
    assert client.post(f"/admin/associations/{first.id}", data={
        "name": "کانون هامبورگ", "city": "Hamburg", "country": "Deutschland",
        "reason": "the country was missing"}).status_code == 302
    response = client.post(f"/admin/associations/{duplicate.id}/merge", data={
        "merge-target": first.id, "merge-reason": "the same association twice"})
    assert response.status_code == 302
    db.session.expire_all()
    signature = db.session.scalar(select(PaperSignature).where(
        PaperSignature.thread_id == paper.id))
    assert signature.association_id == first.id
    members = db.session.scalars(select(Membership.user_id).where(
        Membership.association_id == first.id)).all()
    assert sorted(members) == sorted([kaveh.id, sara.id])
    assert db.session.scalar(select(db.func.count(Membership.id)).where(
        Membership.association_id == duplicate.id)) == 0
    log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert "the country was missing" in log and "the same association twice" in log
    # Search follows the signature: the paper is found under the association it moved to.
    fulltext.current().settle()
    found = app.test_client().get("/search?q=association:hamburg").get_data(as_text=True)
    assert f"/p/{paper.last_post_id}" in found


def test_hostile_site_texts_are_refused_or_escaped(app, people):
    client = app.test_client()
    login(client, "leila")
    spoof = client.post("/admin/site?locale=fa", data={
        "name": "نام\u202eسایت", "reason": "spoofing"})
    assert spoof.status_code == 400
    huge = client.post("/admin/site?locale=fa", data={"name": "x" * 81, "reason": "too long"})
    assert huge.status_code == 400
    assert client.post("/admin/site?locale=fa", data={
        "name": "<script>alert(1)</script>", "reason": "testing escaping"}).status_code == 302
    home = app.test_client().get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in home and "&lt;script&gt;alert(1)" in home
    # An unknown language is not a language of the site: the form falls back to the reader's.
    assert client.get("/admin/site?locale=xx").status_code == 200


def test_a_section_from_before_keeps_its_text_in_the_edit_form(app, people):
    _admin, _section = people
    old = Section(area="agenda", slug="women", title="کارگروه زنان", description="شرح")
    db.session.add(old)
    db.session.commit()
    client = app.test_client()
    login(client, "leila")
    form = client.get(f"/admin/sections/{old.id}/edit").get_data(as_text=True)
    assert 'value="کارگروه زنان"' in form and "شرح</textarea>" in form


def test_an_archive_cannot_import_a_section_its_addresses_would_hide(app, people, tmp_path):
    import json

    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps({
        "area": "tribune", "section": "archive", "kind": "discussion", "title": "قدیمی",
        "posts": [{"author": "kaveh", "created_at": "2010-03-28T10:00:00Z", "body": "متن"}],
    }, ensure_ascii=False) + "\n", "utf-8")
    result = app.test_cli_runner().invoke(args=["archive", "import", str(path)])
    assert result.exit_code != 0 and "section" in result.output and "archive" in result.output
    assert db.session.scalar(select(Section).where(Section.slug == "archive")) is None
