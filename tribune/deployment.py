"""Settings that cannot quietly break a deployment: checked before a server takes requests.

Two mistakes used to pass unnoticed (issue 14):
- without TRIBUNE_SECRET_KEY each host made its own key in its instance folder, so a session
  or CSRF token from one host failed on the next, and rate-limit keys differed per host;
- without Redis every worker process counted rate limits on its own, so four workers let four
  times as many wrong passwords through a limit.
`problems()` names both; `check_serving()` (wsgi.py, and gunicorn.conf.py before it forks)
refuses to serve while a refusal stands, and keeps the warnings for the log and the
administrators' pages. Command-line work (`flask db upgrade`, imports) is not refused: it
serves no session and counts no limit.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

log = logging.getLogger("tribune.deployment")

KEY_HINT = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


class UnsafeConfiguration(SystemExit):
    """Raised instead of serving; its text says what to set."""


def _is_postgres(config) -> bool:
    return str(config.get("DATABASE_URL") or "").startswith("postgres")


def problems(config) -> tuple[list[str], list[str]]:
    """(refusals, warnings) for serving with these settings."""
    refusals, warnings = [], []
    workers = int(config.get("WORKERS") or 1)
    shared = _is_postgres(config) or workers > 1
    if shared and config.get("SECRET_KEY_SOURCE") != "setting":
        where = "PostgreSQL" if _is_postgres(config) else f"{workers} workers"
        refusals.append(
            f"TRIBUNE_SECRET_KEY is not set. With {where}, every worker and every host must sign "
            "sessions, CSRF tokens and rate-limit keys with the same key. Set TRIBUNE_SECRET_KEY "
            f"to one long random value on all of them (make one with: {KEY_HINT})."
        )
    if _is_postgres(config) and config.get("LOG_KEY_SOURCE") != "setting":
        refusals.append(
            "TRIBUNE_LOG_KEY is not set. With PostgreSQL the moderation log may be written from "
            "several hosts, and each would key its hashes differently. Set TRIBUNE_LOG_KEY to one "
            f"long random value on all of them, not the secret key (make one with: {KEY_HINT})."
        )
    if (workers > 1 or _is_postgres(config)) and not config.get("REDIS_URL"):
        # Several workers, or several hosts (what PostgreSQL is for): limits kept in each
        # process's memory would each count only what reaches that process.
        where = f"{workers} workers" if workers > 1 else "PostgreSQL (several hosts)"
        if config.get("RATELIMIT_PER_PROCESS"):
            # Shown to administrators as well as logged: in their language.
            warnings.append(
                _l(
                    "%(where)s and no TRIBUNE_REDIS_URL: each process counts rate limits on its "
                    "own, so login, reset and report limits let through as many times what they "
                    "say as there are processes. Set TRIBUNE_REDIS_URL, or run one worker on one "
                    "host.",
                    where=_l("%(workers)s workers", workers=workers)
                    if workers > 1
                    else _l("PostgreSQL (several hosts)"),
                )
            )
        else:
            refusals.append(
                f"{where} and no TRIBUNE_REDIS_URL: each process would count rate limits on its "
                "own, so login, reset and report limits would let through as many times what "
                "they say as there are processes. Set TRIBUNE_REDIS_URL "
                "(redis://127.0.0.1:6379/0), or run one worker on one host. To serve anyway, "
                "knowing this, set TRIBUNE_RATELIMIT_PER_PROCESS=true."
            )
    if config.get("STATIC_BUILT") is False:
        warnings.append(
            _l(
                "The static files are not built: they are served without fingerprints, long "
                "cache lifetimes or compression. Run `flask --app tribune static build`, then "
                "restart."
            )
        )
    return refusals, warnings


def environment_settings(environ=None) -> dict:
    """The settings `problems` reads, from the defaults and TRIBUNE_* variables alone (for
    gunicorn's master, which checks before any application exists)."""
    from tribune import config

    settings = {name: getattr(config.Defaults, name) for name in dir(config.Defaults)}
    settings.update(config.from_environment(environ))
    for key in ("SECRET_KEY", "LOG_KEY"):
        settings[f"{key}_SOURCE"] = "setting" if settings.get(key) else "instance"
    return settings


def refusal_text(refusals) -> str:
    return "Tribune refuses to start:\n" + "\n".join(f"- {text}" for text in refusals)


def check_serving(app) -> None:
    """Refuse to serve (UnsafeConfiguration) or log the warnings, and keep them for the
    administrators' pages (`app.config["DEPLOYMENT_WARNINGS"]`)."""
    refusals, warnings = problems(app.config)
    if refusals:
        raise UnsafeConfiguration(refusal_text(refusals))
    with app.app_context():
        for text in warnings:
            log.warning("UNSAFE CONFIGURATION: %s", text)
    app.config["DEPLOYMENT_WARNINGS"] = warnings
