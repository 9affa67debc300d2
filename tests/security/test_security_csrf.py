"""Every state-changing route refuses a missing or foreign CSRF token; headers on every error.

The routes are read from the application's URL map, so a route added later is covered without
anyone remembering to list it here.
"""

import re

import pytest
from werkzeug.routing import BaseConverter
from werkzeug.routing.converters import NumberConverter

from tests.support import PASSWORD, csrf_token
from tribune.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes allowed to skip CSRF, each with the reason.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST to the link without any form. The signed
    # token in the address is the authority, and all it can do is turn that person's mail off.
    "notifications.unsubscribe": "one-click unsubscribe (List-Unsubscribe-Post)",
}
# Plausible values for every field a form might have, so a route that forgot CSRF would act.
FORM = {
    "title": "عنوان آزمون",
    "body": "متن آزمون",
    "language": "fa",
    "locale": "en",
    "username": "sara",
    "password": PASSWORD,
    "new_password": "another long passphrase",
    "current_password": PASSWORD,
    "email": "sara@example.org",
    "reason": "spam",
    "code": "000000",
    "confirm": "y",
    "profile-display_name": "x",
    "profile-submit": "1",
}


def state_changing_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & STATE_CHANGING
        if rule.endpoint in CSRF_EXEMPT or rule.endpoint == "static":
            continue
        for method in sorted(methods):
            rules.append((rule, method))
    return rules


def example_url(app, rule):
    values = {}
    for name, converter in rule._converters.items():
        assert isinstance(converter, BaseConverter)
        kind = type(converter).__name__
        if isinstance(converter, NumberConverter):
            values[name] = 1
        elif kind == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "tribune" if name == "area" else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def snapshot():
    """Every row of every table: a state change anywhere shows up as a difference."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(db.select(table)).all()))
        for table in db.metadata.sorted_tables
        # Derived search data (its rows, change log and state) is bookkeeping that a catch-up
        # may move at any time, not state a request changed.
        if not table.name.startswith("search_")
    }


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def world(app, make_user, make_thread):
    """An administrator logged in, and a thread, a post and a user with id 1 to act on."""
    admin = make_user("amir", role="admin")
    make_thread(author=make_user("sara"))
    client = app.test_client()
    token = csrf_token(client, "/accounts/login")
    response = client.post(
        "/accounts/login", data={"username": "amir", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client, admin


def test_the_url_map_has_state_changing_routes(app):
    endpoints = {rule.endpoint for rule, _ in state_changing_rules(app)}
    assert {"accounts.login", "accounts.logout", "accounts.delete_account"} <= endpoints


def test_every_state_changing_route_refuses_a_missing_token(app, world):
    client, _ = world
    before = snapshot()
    failures = []
    for rule, method in state_changing_rules(app):
        url = example_url(app, rule)
        response = client.open(url, method=method, data=FORM)
        if response.status_code != 400:
            failures.append((method, url, response.status_code))
    assert failures == []
    assert snapshot() == before


def test_every_state_changing_route_refuses_a_foreign_token(app, world):
    client, _ = world
    stranger = app.test_client()
    foreign = csrf_token(stranger, "/accounts/login")  # valid, but for another session
    before = snapshot()
    failures = []
    for rule, method in state_changing_rules(app):
        url = example_url(app, rule)
        response = client.open(url, method=method, data={**FORM, "csrf_token": foreign})
        if response.status_code != 400:
            failures.append((method, url, response.status_code))
    assert failures == []
    assert snapshot() == before


def test_a_valid_token_is_accepted(app, world):
    client, _ = world
    token = csrf_token(client, "/accounts/settings")
    response = client.post("/locale", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp, response.status
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_error_responses(app_config, tmp_path):
    from tests.conftest import make_config, reset_schema
    from tribune import create_app
    from tribune.services import Refused

    config = make_config(
        tmp_path, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ADDRESS="1/hour"
    )
    app = create_app(config)

    @app.route("/boom")
    def boom():
        raise RuntimeError("internals")

    @app.route("/refused")
    def refused():
        raise Refused("نه اکنون")

    with app.app_context():
        reset_schema()
        client = app.test_client()
        responses = {
            404: client.get("/no/such/page"),
            405: client.get("/t/1/reply"),
            400: client.post("/locale", data={"locale": "en"}),  # no CSRF token
            500: client.get("/boom"),
            403: client.get("/refused"),
        }
        token = csrf_token(client, "/accounts/login")
        data = {"username": "nobody", "password": "wrong password", "csrf_token": token}
        client.post("/accounts/login", data=data)
        responses[429] = client.post("/accounts/login", data=data)
        for status, response in responses.items():
            assert response.status_code == status
            assert_security_headers(response)
            body = response.get_data(as_text=True)
            assert "Traceback" not in body and "internals" not in body
        assert "نه اکنون" in responses[403].get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_nul_bytes_are_refused_before_any_view(client):
    response = client.post("/accounts/login", data={"username": "sa\x00ra", "password": "x"})
    assert response.status_code == 400
    assert client.get("/?q=a%00b").status_code == 400
    assert re.search("nosniff", response.headers["X-Content-Type-Options"])
