"""Password hashing (argon2id) and the rules a new password must meet."""

import gzip
import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from tribune.i18n import lazy_gettext as _l
from tribune.services import Invalid

MIN_LENGTH = 12
# Long passphrases are welcome; the cap only keeps hashing cost bounded.
MAX_LENGTH = 1024


@cache
def common_passwords():
    """The shipped list of common passwords, lower-cased."""
    data = resources.files("tribune.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def _hasher():
    """The argon2id hasher with the configured parameters, one per application."""
    hasher = current_app.extensions.get("tribune.password_hasher")
    if hasher is None:
        hasher = PasswordHasher(**current_app.config["PASSWORD_HASH"])
        current_app.extensions["tribune.password_hasher"] = hasher
    return hasher


def check_rules(password, username=""):
    """Raise Invalid if the password is too short, too long, common or the username."""
    if len(password) < MIN_LENGTH:
        raise Invalid(_l("Use at least %(n)d characters.", n=MIN_LENGTH), field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(_l("Use at most %(n)d characters.", n=MAX_LENGTH), field="password")
    folded = password.casefold()
    if folded in common_passwords() or (username and username.casefold() in folded):
        raise Invalid(
            _l("This password is too easy to guess. A few unrelated words make a good one."),
            field="password",
        )


def hash_password(password):
    """An argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(stored_hash, password):
    """Whether the password matches; compares against a dummy hash when there is none.

    Verifying against a dummy hash when the account does not exist makes a failed login take as
    long for an unknown name as for a known one, so timing does not reveal who has an account.
    """
    hasher = _hasher()
    target = stored_hash or _dummy_hash()
    try:
        ok = hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and stored_hash is not None


def needs_rehash(stored_hash):
    """Whether the hash was made with weaker parameters than the configured ones."""
    return _hasher().check_needs_rehash(stored_hash)


def _dummy_hash():
    dummy = current_app.extensions.get("tribune.dummy_hash")
    if dummy is None:
        dummy = _hasher().hash("not a password of anyone, used only for equal timing")
        current_app.extensions["tribune.dummy_hash"] = dummy
    return dummy


def random_password(username):
    """A random password nobody knows (the demo's accounts show content, not a way in), which
    (as the password rules require) never happens to contain the username."""
    while True:
        password = secrets.token_urlsafe(24)
        if username.casefold() not in password.casefold():
            return password
