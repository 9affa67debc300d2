"""Device cookies: a browser that has logged in to an account before is not locked out with it.

The per-account login limit stops password guessing from many addresses, but it also let anyone
who knows a username keep its owner out by failing on purpose. Following OWASP's "device
cookies", a successful login leaves a signed cookie in that browser; a login attempt that
presents a valid one for the account typed is exempt from the account's limit and counted
against that device instead (its own limit), while every other client stays under the
account's limit. See docs/decisions/0101-device-cookies-against-lockout.md.

The cookie names no account in the clear: it holds a keyed digest of the account id and the
account's session token, and a random nonce. Logging out everywhere, a password change or a
reset rotates the token, which revokes every device cookie of the account at once.
"""

import secrets
from datetime import timedelta

from flask import after_this_request, current_app, g, request
from itsdangerous import BadData, URLSafeTimedSerializer

from tribune.net import pseudonym
from tribune.services import accounts

SALT = "tribune.device-cookie"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _max_age():
    return timedelta(days=current_app.config["DEVICE_COOKIE_DAYS"])


def _account_mark(user):
    return pseudonym("device", f"{user.id}:{user.session_token}")


def _presented():
    """The payload of this request's device cookie if its signature and age are good."""
    if "device_cookie" not in g:
        raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"], "")
        payload = None
        if raw:
            try:
                payload = _serializer().loads(raw, max_age=_max_age().total_seconds())
            except BadData:
                payload = None
        if not (isinstance(payload, dict) and {"account", "nonce"} <= payload.keys()):
            payload = None
        g.device_cookie = payload
    return g.device_cookie


def is_trusted(user):
    """Whether this browser holds a valid device cookie for `user`."""
    payload = _presented()
    if payload is None or user is None:
        return False
    return secrets.compare_digest(str(payload["account"]), _account_mark(user))


def trusted_for_typed_account():
    """Whether the login form names an account this browser has logged in to (limit hooks)."""
    if "device_trusted" not in g:
        trusted = False
        if _presented() is not None:
            typed = request.form.get("username", "")[:100]
            trusted = is_trusted(accounts.find_by_username(typed))
        g.device_trusted = trusted
    return g.device_trusted


def untrusted():
    """The opposite, for the per-device limit: it applies only to trusted devices."""
    return not trusted_for_typed_account()


def limit_key():
    """The per-device limit key: the device cookie's nonce, pseudonymised."""
    payload = _presented() or {}
    return pseudonym("device", payload.get("nonce", "none"))


def trust(user):
    """Leave a fresh device cookie for `user` in this browser with the response."""
    value = _serializer().dumps({"account": _account_mark(user), "nonce": secrets.token_hex(16)})
    config = current_app.config

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            config["DEVICE_COOKIE_NAME"],
            value,
            max_age=int(_max_age().total_seconds()),
            path="/accounts/",
            secure=config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Strict",
        )
        return response


def forget():
    """Remove this browser's device cookie with the response (the account was deleted)."""
    name = current_app.config["DEVICE_COOKIE_NAME"]

    @after_this_request
    def delete_cookie(response):
        response.delete_cookie(name, path="/accounts/")
        return response
