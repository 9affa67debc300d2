"""Helpers shared by tests: logging in through the real form, reading CSRF tokens."""

import re

# Cheap argon2 parameters: the production ones take ~0.2 s per hash, which adds up in tests.
FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD = "correct horse battery staple"


def login(client, username="sara", password=PASSWORD, remember=False):
    """Log in through the real form."""
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/accounts/login", data=data)


def csrf_token(client, url):
    """The CSRF token of the form on the page at url."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)
