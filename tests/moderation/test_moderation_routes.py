"""Route x role: every moderation route and method, for every role, with the expected status.

Roles: a reader (no account), a participant, a moderator in term, a moderator whose term ended,
an administrator without a term. Non-moderators get 404 on moderation pages (as if they did not
exist); the public log and the moderators' list are open to all; reporting needs an account;
terms are for administrators.
"""

import re

import pytest

from tests.support import login
from tribune import access
from tribune.extensions import db
from tribune.models import Post
from tribune.services import moderation_users, posting, reports, terms

ROLES = ("reader", "participant", "moderator", "former", "admin")


@pytest.fixture
def world(app, make_user, make_section, make_moderator):
    """Everyone and everything the table needs."""
    make_user("coordinator", role="admin")
    mina = make_moderator("mina")
    omid = make_moderator("omid")
    term = access.current_term(omid)
    terms.end_term(db.session.get(type(omid), term.granted_by_id), term, "rotation")
    make_user("sara")
    kaveh = make_user("kaveh")
    section = make_section("alternatives")
    thread = posting.open_thread(kaveh, section, "جمهوری لائیک", "متن نخست", "fa")
    reply = posting.reply(kaveh, thread, "پاسخ", "fa")
    report = reports.file_report(make_user("reporter"), reply, "abuse", "")
    target = make_user("noisy")
    restriction = moderation_users.restrict_user(mina, target, "silence", 3, "shouting")
    current = access.current_term(mina)
    return {
        "thread": thread.id,
        "post": reply.id,
        "report": report.id,
        "restriction": restriction.id,
        "term": current.id,
        "user": "kaveh",
        "applicant": kaveh.id,
    }


# (method, path template, expected status per role). Empty POST bodies: forms fail validation
# for those allowed in (400 on a page with the form, 302 where the answer is a flash message).
TABLE = [
    ("GET", "/moderation/log", dict.fromkeys(ROLES, 200)),
    ("GET", "/moderation/moderators", dict.fromkeys(ROLES, 200)),
    ("POST", "/moderation/log", dict.fromkeys(ROLES, 405)),
    ("GET", "/moderation/log/head.json", dict.fromkeys(ROLES, 200)),
    ("POST", "/moderation/log/head.json", dict.fromkeys(ROLES, 405)),
    ("POST", "/moderation/moderators", dict.fromkeys(ROLES, 405)),
    ("GET", "/moderation/report/{post}", {**dict.fromkeys(ROLES, 200), "reader": 302}),
    ("POST", "/moderation/report/{post}", {**dict.fromkeys(ROLES, 400), "reader": 302}),
]
MODERATOR_ONLY = {**dict.fromkeys(ROLES, 404), "moderator": 200}


def moderator(status):
    return {**dict.fromkeys(ROLES, 404), "moderator": status}


def admin(status):
    return {**dict.fromkeys(ROLES, 404), "admin": status}


ALL_405 = dict.fromkeys(ROLES, 405)
# Applications (registration by approval): moderators, or an administrator (issue 19). An empty
# decision fails validation and comes back with a message (302).
TABLE += [
    ("GET", "/moderation/applications", {**moderator(200), "admin": 200}),
    ("POST", "/moderation/applications", ALL_405),
    ("POST", "/moderation/applications/{applicant}", {**moderator(302), "admin": 302}),
    ("GET", "/moderation/applications/{applicant}", ALL_405),
]
TABLE += [
    ("GET", "/moderation/", moderator(200)),
    ("POST", "/moderation/", ALL_405),
    ("GET", "/moderation/reports", moderator(200)),
    ("GET", "/moderation/reports?state=dismissed", moderator(200)),
    ("POST", "/moderation/reports", ALL_405),
    ("POST", "/moderation/reports/{report}", moderator(302)),
    ("GET", "/moderation/reports/{report}", ALL_405),
    ("GET", "/moderation/posts/{post}", moderator(200)),
    ("POST", "/moderation/posts/{post}", ALL_405),
    ("POST", "/moderation/posts/{post}/hide", moderator(400)),
    ("POST", "/moderation/posts/{post}/unhide", moderator(400)),
    ("GET", "/moderation/posts/{post}/hide", ALL_405),
    ("GET", "/moderation/posts/{post}/unhide", ALL_405),
    ("GET", "/moderation/threads/{thread}", moderator(200)),
    ("POST", "/moderation/threads/{thread}", ALL_405),
    ("GET", "/moderation/threads/{thread}/split", moderator(200)),
    ("POST", "/moderation/threads/{thread}/split", moderator(400)),
    ("GET", "/moderation/users/{user}", moderator(200)),
    ("POST", "/moderation/users/{user}", ALL_405),
    ("POST", "/moderation/users/{user}/restrict", moderator(400)),
    ("GET", "/moderation/users/{user}/restrict", ALL_405),
    ("POST", "/moderation/users/{user}/disable", moderator(400)),
    ("POST", "/moderation/users/{user}/reinstate", moderator(400)),
    ("GET", "/moderation/users/{user}/disable", ALL_405),
    ("GET", "/moderation/users/{user}/reinstate", ALL_405),
    ("POST", "/moderation/restrictions/{restriction}/lift", moderator(400)),
    ("GET", "/moderation/restrictions/{restriction}/lift", ALL_405),
    ("GET", "/moderation/handover", moderator(200)),
    ("POST", "/moderation/handover", moderator(302)),
    ("GET", "/moderation/terms", admin(200)),
    ("POST", "/moderation/terms", admin(400)),
    ("POST", "/moderation/terms/{term}/end", admin(302)),
    ("GET", "/moderation/terms/{term}/end", ALL_405),
    # Unknown objects are 404 for everyone, moderators included.
    ("GET", "/moderation/posts/999999", dict.fromkeys(ROLES, 404)),
    ("GET", "/moderation/users/nobody-here", dict.fromkeys(ROLES, 404)),
]
for change in ("lock", "unlock", "pin", "unpin", "move", "merge", "title", "slow-mode"):
    TABLE += [
        ("POST", f"/moderation/threads/{{thread}}/{change}", moderator(400)),
        ("GET", f"/moderation/threads/{{thread}}/{change}", ALL_405),
    ]

USERNAMES = {
    "participant": "sara",
    "moderator": "mina",
    "former": "omid",
    "admin": "coordinator",
}


@pytest.mark.parametrize("role", ROLES)
def test_route_role_table(app, world, role):
    client = app.test_client()
    if role != "reader":
        assert login(client, USERNAMES[role]).status_code == 302
    wrong = []
    for method, template, expected in TABLE:
        path = template.format(**world)
        response = client.open(path, method=method, data={})
        if response.status_code != expected[role]:
            wrong.append((method, path, response.status_code, expected[role]))
    assert wrong == []


def test_the_table_covers_every_route_and_method(app):
    """A new moderation route must be added to the table above, with GET and POST."""
    covered = {(method, re.sub(r"\{\w+\}", "<>", t.split("?")[0])) for method, t, _ in TABLE}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("moderation."):
            continue
        # One shape per value of an <any(a, b):name> part; other variables become "<>".
        choice = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
        values = [v.strip() for v in choice.group(1).split(",")] if choice else [None]
        for value in values:
            concrete = rule.rule.replace(choice.group(0), value) if choice else rule.rule
            shape = re.sub(r"<[^>]+>", "<>", concrete)
            for method in ("GET", "POST"):
                assert (method, shape) in covered, (method, shape)


def test_report_pages_are_404_for_a_participant_on_their_own_post(client, world):
    login(client, "kaveh")
    assert client.get(f"/moderation/report/{world['post']}").status_code == 404


def test_hidden_post_cannot_be_reported(app, world):
    post = db.session.get(Post, world["post"])
    post.is_hidden = True
    db.session.commit()
    client = app.test_client()
    login(client, "sara")
    assert client.get(f"/moderation/report/{world['post']}").status_code == 404


def test_csrf_is_required_on_moderation_forms(app_config, tmp_path, make_user):
    """With CSRF on (as in production), a moderation POST without the token is refused."""
    from tests.conftest import make_config
    from tribune import create_app

    config = make_config(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    csrf_app = create_app(config)
    with csrf_app.app_context():
        from tests.conftest import reset_schema

        reset_schema()
        from tests.support import PASSWORD
        from tribune.services import accounts

        accounts.register("coordinator", PASSWORD, role="admin")
        client = csrf_app.test_client()
        page = client.get("/accounts/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/accounts/login",
            data={"username": "coordinator", "password": PASSWORD, "csrf_token": token},
        )
        response = client.post("/moderation/terms", data={"username": "x"})
        assert response.status_code == 400
        assert "form" in response.get_data(as_text=True).lower()
        db.session.remove()
        db.engine.dispose()


def test_every_moderation_route_declares_who_may_reach_it(app):
    """Deny by default: the guard refuses a route without a declaration, so each must have one."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    moderation = sorted(e for e in endpoints if e.startswith("moderation."))
    assert moderation
    undeclared = [
        e for e in moderation if not hasattr(app.view_functions[e], "moderation_rule")
    ]
    assert undeclared == []


def test_a_moderation_route_without_a_declaration_is_refused(app, client, make_moderator):
    app.add_url_rule(
        "/moderation/undeclared", endpoint="moderation.undeclared", view_func=lambda: "open"
    )
    make_moderator("mina")
    login(client, "mina")
    assert client.get("/moderation/undeclared").status_code == 404
    assert client.get("/moderation/").status_code == 200
