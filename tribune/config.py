"""Configuration: safe defaults, overridden by TRIBUNE_* environment variables."""

import os
import secrets
from pathlib import Path

PREFIX = "TRIBUNE_"

# Keys read from the environment with their type. Anything not listed here cannot be set from
# the environment, so a typo fails loudly in review rather than silently at run time.
ENV_KEYS = {
    "SECRET_KEY": str,
    # Keys the moderation log's hashes (services/moderation_log.py); kept outside the database.
    "LOG_KEY": str,
    # How many entries at the start of the log were written before it had a key (default: read
    # from instance/log_plain_entries, written by `flask moderation key-log`; else 0).
    "LOG_PLAIN_ENTRIES": int,
    "DATABASE_URL": str,
    "INDEX_DIR": str,
    "REDIS_URL": str,
    "DEFAULT_LOCALE": str,
    "DISPLAY_TIMEZONE": str,
    "TRUSTED_PROXIES": int,
    "SESSION_COOKIE_SECURE": bool,
    "POSTS_PER_PAGE": int,
    "INVITATION_DAYS": int,
    "THREADS_PER_PAGE": int,
    # smtp://user:password@host:587 (STARTTLS), smtps://...:465 (TLS), or smtp+plain://127.0.0.1:25
    # (no TLS: a relay on this host only). Sets SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD.
    "SMTP_URL": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_USER": str,
    "SMTP_PASSWORD": str,
    "MAIL_FROM": str,
    # The address the public reaches the forum at (https://forum.example.org); links in e-mail are
    # built from it, never from the request's Host header, which an attacker chooses.
    "PUBLIC_URL": str,
    # auto (postgres on PostgreSQL, whoosh on SQLite), postgres or whoosh (tribune/fulltext/).
    "SEARCH_BACKEND": str,
    # Whoosh only: false when `flask search worker` runs beside several web workers.
    "SEARCH_INDEX_IN_REQUEST": bool,
    "SEARCH_INDEX_EACH_COMMIT": bool,
    # How many processes serve requests (gunicorn.conf.py sets it from its worker count);
    # tribune/deployment.py refuses settings that would break with several.
    "WORKERS": int,
    # Serve several workers without Redis anyway, each counting rate limits on its own (loud).
    "RATELIMIT_PER_PROCESS": bool,
    # Where `flask static build` writes the fingerprinted files (default: instance/static).
    "STATIC_BUILD_DIR": str,
    # Compress pages for requests without cookies (tribune/compression.py).
    "COMPRESS_PAGES": bool,
}


class Defaults:
    """Values used when neither the environment nor a test overrides them."""

    DEFAULT_LOCALE = "fa"
    LOCALES = ("fa", "en", "de", "fr")
    DISPLAY_TIMEZONE = "UTC"
    POSTS_PER_PAGE = 20
    THREADS_PER_PAGE = 25
    TRUSTED_PROXIES = 0
    REDIS_URL = ""
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "tribune_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "tribune_remember"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; sessions expire on their own
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # argon2id; argon2-cffi's defaults (RFC 9106 low-memory: t=3, m=64 MiB, p=4) are above
    # OWASP's minimum (m=19 MiB, t=2, p=1). Tests lower them to stay fast.
    PASSWORD_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    # Body and title bounds; long position papers are the point, but not unbounded ones.
    MAX_TITLE_LENGTH = 200
    MAX_BODY_LENGTH = 100_000
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    MAIL_FROM = ""
    # "starttls" (default; "tls" on port 465) or "plain" (loopback only); set by SMTP_URL.
    SMTP_SECURITY = ""
    # The outbox (services/mail.py): how long a sender holds a claimed message, how many it
    # claims at once, and how long `mail worker` sleeps between passes (seconds).
    MAIL_LEASE_SECONDS = 300
    MAIL_BATCH = 50
    MAIL_WORKER_INTERVAL = 30
    PUBLIC_URL = ""
    # Server-side sessions (services/sessions.py): idle and absolute ends, in seconds.
    SESSION_IDLE_TIMEOUT = 2 * 3600
    SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    REMEMBER_IDLE_TIMEOUT = 7 * 24 * 3600
    REMEMBER_ABSOLUTE_TIMEOUT = 30 * 24 * 3600
    # Failed logins allowed (Flask-Limiter syntax), per client address and per account.
    LOGIN_LIMIT_PER_ADDRESS = "10 per minute; 50 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute; 20 per hour; 100 per day"
    # ... and per device that logged in to the account before (accounts/devices.py), which is
    # exempt from the per-account limit: someone failing on purpose cannot lock its owner out.
    LOGIN_LIMIT_PER_DEVICE = "5 per minute; 20 per hour; 100 per day"
    DEVICE_COOKIE_NAME = "tribune_device"
    DEVICE_COOKIE_DAYS = 180
    SECOND_FACTOR_LIMIT = "5 per 5 minutes; 20 per day"
    RESET_LIMIT_PER_ADDRESS = "5 per hour"
    RATELIMIT_STRATEGY = "moving-window"
    # Moderators and administrators must use two-factor authentication.
    TWO_FACTOR_REQUIRED_FOR_STAFF = True
    # Password-reset links: by e-mail (when SMTP is set up) and issued by an administrator.
    RESET_TOKEN_MINUTES = 30
    # How long an invitation link (registration by invitation) stays valid.
    INVITATION_DAYS = 30
    ADMIN_RESET_LINK_MINUTES = 24 * 60
    # New accounts post under limits, to blunt spam floods; 0 turns a limit off.
    NEW_ACCOUNT_DAYS = 7
    NEW_ACCOUNT_POST_INTERVAL = 60
    NEW_ACCOUNT_THREADS_PER_DAY = 3
    NEW_ACCOUNT_POSTS_PER_DAY = 50
    # Search (tribune/fulltext/, README "Search"): the backend, and for Whoosh whether the web
    # process applies the change log right after a commit or leaves it to `flask search worker`.
    SEARCH_BACKEND = "auto"
    SEARCH_INDEX_IN_REQUEST = True
    SEARCH_INDEX_EACH_COMMIT = False
    SEARCH_REQUEST_BUDGET = 5.0  # seconds of indexing one request may do before leaving the rest
    SEARCH_BATCH_SIZE = 500  # changes per whoosh commit
    SEARCH_REBUILD_LIMITMB = 256  # whoosh's posting pool during a rebuild (RSS grows ~3x this)
    # Seconds between the Whoosh worker's looks at the change log (a look is one indexed query).
    SEARCH_WORKER_INTERVAL = 0.25
    # PostgreSQL: matches counted and ranked per search; past it, "more than N" and the N newest.
    SEARCH_RANK_LIMIT = 2_000
    SEARCH_RESULTS_PER_PAGE = 10
    SEARCH_API_MAX_PER_PAGE = 50
    SEARCH_RATE_LIMIT = "60 per minute"
    # Deployment (tribune/deployment.py, README "Running it in production").
    WORKERS = 1
    RATELIMIT_PER_PROCESS = False
    COMPRESS_PAGES = True
    DEPLOYMENT_WARNINGS: list = []
    # Seconds /healthz reuses its look at the search data (a quick status still counts rows).
    HEALTH_SEARCH_SECONDS = 30


def _coerce(kind, raw):
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return kind(raw)


SMTP_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+plain": ("plain", 25)}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def smtp_settings(url):
    """SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD and SMTP_SECURITY from an SMTP URL.

    ValueError for an unknown scheme, no host, or an unencrypted connection to another host
    (participants' addresses and what they are told never cross a network in clear).
    """
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ValueError("TRIBUNE_SMTP_URL must look like smtp://user:password@host:587")
    security, port = SMTP_SCHEMES[parts.scheme]
    if security == "plain" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("smtp+plain:// (no TLS) is for a relay on this host only")
    return {
        "SMTP_HOST": parts.hostname,
        "SMTP_PORT": parts.port or port,
        "SMTP_USER": unquote(parts.username or ""),
        "SMTP_PASSWORD": unquote(parts.password or ""),
        "SMTP_SECURITY": security,
    }


def from_environment(environ=None):
    """Return the TRIBUNE_* settings present in the environment, typed."""
    environ = os.environ if environ is None else environ
    found = {}
    for key, kind in ENV_KEYS.items():
        raw = environ.get(PREFIX + key)
        if raw is not None and raw != "":
            found[key] = _coerce(kind, raw)
    return found


PLAIN_ENTRIES_FILE = "log_plain_entries"


def instance_plain_entries(instance_path):
    """The number recorded by `flask moderation key-log` in the instance folder, or 0."""
    path = Path(instance_path) / PLAIN_ENTRIES_FILE
    if not path.exists():
        return 0
    return int(path.read_text(encoding="ascii").strip() or 0)


def record_plain_entries(instance_path, count):
    """Write the number of plain (pre-key) log entries into the instance folder."""
    path = Path(instance_path) / PLAIN_ENTRIES_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{count}\n")


def instance_secret_key(instance_path, name="secret_key"):
    """Read a key kept in the instance folder (`secret_key`, `log_key`), creating it once."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    # Create exclusively with owner-only permissions; if another worker won the race, read its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
