"""Who is asking: the client address, trusting X-Forwarded-For only from configured proxies."""

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


def safe_next(target, fallback="/"):
    """`target` if it is a path on this site, else `fallback` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback
