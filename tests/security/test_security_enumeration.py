"""No account enumeration: the same answer, after the same work, whether an account exists or not.

Wall-clock timing is too noisy for a test; the work that dominates it (argon2 verifications,
each ~0.2 s in production) is counted instead.
"""

import re

import pytest

from tests.security.conftest import turn_on_two_factor
from tests.support import login
from tribune.extensions import db
from tribune.models import User


@pytest.fixture
def verifications(app):
    """Counts argon2 verifications made by the application's password hasher."""
    from argon2 import PasswordHasher

    from tribune.services import passwords

    calls = []

    class CountingHasher(PasswordHasher):
        def verify(self, stored, password):
            calls.append(stored)
            return super().verify(stored, password)

    app.extensions["tribune.password_hasher"] = CountingHasher(**app.config["PASSWORD_HASH"])
    with app.test_request_context():
        passwords._dummy_hash()  # made once per application, before any counting
    return calls


def page_without_echo(response, username):
    html = response.get_data(as_text=True)
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    return html.replace(f'value="{username}"', "")


@pytest.fixture
def people(make_user, clock, app):
    make_user("sara")
    make_user("kaveh").is_disabled = True
    db.session.commit()
    make_user("mina")
    client = app.test_client()
    login(client, "mina")
    turn_on_two_factor(client, clock)


@pytest.mark.parametrize(
    "username",
    ["sara", "nobody", "kaveh", "mina", "x", "ساره", "former-participant-abc"],
    ids=["exists", "unknown", "disabled", "two-factor", "malformed", "non-latin", "deleted-form"],
)
def test_failed_login_same_page_same_work(app, people, verifications, username):
    reference = page_without_echo(
        login(app.test_client(), "nobody", "wrong password 123"), "nobody"
    )
    verifications.clear()
    response = login(app.test_client(), username, "wrong password 123")
    assert response.status_code == 200
    assert page_without_echo(response, username) == reference
    assert len(verifications) == 1


def test_registration_never_reveals_an_email_address(client, make_user):
    make_user("sara", email="sara@example.org")
    response = client.post(
        "/accounts/register",
        data={
            "username": "sara",
            "password": "a long and unusual phrase",
            "email": "sara@example.org",
        },
    )
    html = response.get_data(as_text=True)
    # Usernames are public, so "taken" may be said; nothing is said about the address.
    assert html.count('class="error"') == 1
    assert 'id="email"' in html and "sara@example.org" in html  # echoed back to its typist only
    fresh = client.post(
        "/accounts/register",
        data={
            "username": "sara2",
            "password": "a long and unusual phrase",
            "email": "sara@example.org",
        },
    )
    assert fresh.status_code == 302
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
