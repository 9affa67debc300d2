"""Who is asking: the client address, trusting X-Forwarded-For only from configured proxies."""

import hashlib
import hmac

from flask import current_app, request


def client_address():
    """The address rate limits key on.

    With TRIBUNE_TRUSTED_PROXIES=0 (the default) the forwarded headers are ignored, so a client
    cannot pick a fresh address per request by inventing an X-Forwarded-For. With N trusted proxies
    the Nth address from the right is used, as werkzeug's ProxyFix would.
    """
    hops = current_app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def pseudonym(kind, value):
    """A keyed digest standing for `value` in rate-limit counters and their log lines.

    Counters live a few minutes in memory or Redis, and Flask-Limiter logs the key of every limit
    it enforces; keyed with the secret key, neither holds an address or a username in the clear.
    """
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    message = f"{kind}:{value}".encode()
    return f"{kind}:{hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]}"


def rate_limit_key():
    """The default rate-limit key: the client address, pseudonymised."""
    return pseudonym("addr", client_address())


def safe_next(target, fallback="/"):
    """`target` if it is a path on this site, else `fallback` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback
