"""Fixtures for the security suite: a clock to travel in time, a mail outbox, 2FA helpers."""

import re
from datetime import timedelta

import pyotp
import pytest

from tests.support import PASSWORD, login
from tribune.models.base import utcnow
from tribune.services import accounts, resets, sessions, twofactor

PUBLIC_URL = "https://tribune.example"


class Clock:
    """A settable "now" for every service that asks for the time."""

    def __init__(self):
        self.current = utcnow()

    def __call__(self):
        return self.current

    def advance(self, **delta):
        self.current += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    moment = Clock()
    for module in (accounts, resets, sessions, twofactor):
        monkeypatch.setattr(module, "now", moment)
    return moment


@pytest.fixture
def outbox(app):
    """Messages "sent" by e-mail; mail is on, delivered inline (no thread, no network)."""
    sent = []
    app.config.update(
        MAIL_TRANSPORT=sent.append, PUBLIC_URL=PUBLIC_URL, RESET_MAIL_IN_BACKGROUND=False
    )
    return sent


@pytest.fixture
def limited(app_config):
    """Rate limiting on, with the production limits."""
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def secret_on_page(html):
    match = re.search(r'<code class="secret" dir="ltr">([A-Z2-7]+)</code>', html)
    assert match, "no secret on the set-up page"
    return match.group(1)


def begin_two_factor(client):
    """Press "set up" on the two-factor page; return the secret the next page shows."""
    assert client.post("/accounts/two-factor", data={"start": "1"}).status_code == 302
    return secret_on_page(client.get("/accounts/two-factor").get_data(as_text=True))


def code_for(secret, moment, offset_steps=0):
    """The TOTP code of `secret` at `moment` (shifted by whole 30-second steps)."""
    return pyotp.TOTP(secret).at(moment + timedelta(seconds=30 * offset_steps))


def turn_on_two_factor(client, clock, password=PASSWORD):
    """Set up 2FA through the pages; return (secret, recovery codes)."""
    secret = begin_two_factor(client)
    response = client.post(
        "/accounts/two-factor", data={"code": code_for(secret, clock()), "password": password}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def login_with_code(client, code, username="sara", remember=False):
    """Both login steps; returns the second step's response."""
    first = login(client, username, remember=remember)
    assert first.headers["Location"].endswith("/accounts/login/code")
    return client.post("/accounts/login/code", data={"code": code})


def logged_in(client):
    """Whether the client's cookies open the settings page."""
    return client.get("/accounts/settings").status_code == 200
