"""Association pages and affiliations: private by default, public by choice, confirmed by a
member before they let one sign for the association."""

import pytest
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Membership
from tribune.services import NotFound, debate_associations


def test_association_page_shows_only_public_confirmed_members_and_signed_papers(
    client, make_user, make_association, make_member, make_paper
):
    hamburg = make_association()
    public, private, pending = make_user("sara"), make_user("maryam"), make_user("jonas")
    make_member(public, hamburg, public=True)
    make_member(private, hamburg, public=False)
    make_member(pending, hamburg, public=True, confirmed=False)
    make_paper(author=public, title="نوشته‌ی کانون", associations=[hamburg])
    html = client.get("/associations/hamburg-solidarity").get_data(as_text=True)
    assert "Hamburg" in html and "Germany" in html and "نوشته‌ی کانون" in html
    members = html.split('id="members-heading"')[1]
    assert "/accounts/u/sara" in members
    assert "/accounts/u/maryam" not in members and "/accounts/u/jonas" not in members
    client.post("/locale", data={"locale": "en"})
    english = client.get("/associations/").get_data(as_text=True)
    assert "1 paper signed" in english and "1 public member" in english


def test_members_see_and_confirm_pending_affiliations(
    client, make_user, make_association, make_member
):
    hamburg = make_association()
    make_member(make_user("sara"), hamburg)
    jonas = make_user("jonas")
    membership = make_member(jonas, hamburg, public=False, confirmed=False)
    assert "/accounts/u/jonas" not in client.get("/associations/hamburg-solidarity").get_data(
        as_text=True
    )
    login(client, "sara")
    html = client.get("/associations/hamburg-solidarity").get_data(as_text=True)
    assert "/accounts/u/jonas" in html and "Awaiting confirmation" in html
    client.post(f"/associations/hamburg-solidarity/members/{membership.id}/confirm")
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).confirmation is not None


def test_nobody_confirms_themselves_and_outsiders_cannot_confirm(
    app, make_user, make_association, make_member
):
    hamburg = make_association()
    jonas, outsider = make_user("jonas"), make_user("outsider")
    membership = make_member(jonas, hamburg, confirmed=False)
    for actor in (jonas, outsider):
        with pytest.raises(NotFound):
            debate_associations.confirm(actor, membership)


def test_stating_showing_and_removing_an_affiliation_in_settings(
    client, make_user, make_association
):
    hamburg = make_association()
    make_user("sara")
    login(client, "sara")
    assert "/associations/mine" in client.get("/accounts/settings").get_data(as_text=True)
    client.post("/associations/mine", data={"association": hamburg.id})
    membership = db.session.scalar(select(Membership))
    assert membership.is_public is False and membership.confirmation is None
    page = client.get("/associations/mine").get_data(as_text=True)
    assert "awaiting confirmation" in page
    client.post(f"/associations/mine/{membership.id}", data={"action": "show"})
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).is_public
    client.post(f"/associations/mine/{membership.id}", data={"action": "leave"})
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(Membership.id))) == 0


def test_only_administrators_add_associations(client, admin, make_user):
    make_user("sara")
    login(client, "sara")
    assert client.get("/associations/new").status_code == 404
    client.post("/accounts/logout")
    login(client, "coordinator")
    response = client.post(
        "/associations/new",
        data={"name": "کانون برلین", "slug": "berlin", "city": "Berlin", "country": "Germany"},
    )
    assert response.headers["Location"].endswith("/associations/berlin")
    bad = client.post("/associations/new", data={"name": "x", "slug": "Not A Slug"})
    assert bad.status_code == 200 and 'class="error"' in bad.get_data(as_text=True)
