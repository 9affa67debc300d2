"""Tribune: a debate bulletin for a coalition without a centre.

create_app() wires configuration -> extensions -> blueprints -> command line, in that order.
"""

import os
from pathlib import Path

from flask import Flask

from tribune import config as config_module


def create_app(test_config=None):
    """Build and configure a Tribune application."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "TRIBUNE_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(config_module.Defaults)
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)
    if app.config.get("SMTP_URL"):
        app.config.update(config_module.smtp_settings(app.config["SMTP_URL"]))
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    _fill_instance_defaults(app, instance)

    from tribune import blueprints, database, extensions, i18n, security, web

    database.init_app(app)
    from tribune import fulltext

    # Search derives from every write in the writer's transaction (fulltext/tracking.py).
    fulltext.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=_migrations_dir())
    # First of the request hooks: malformed input is refused before anything parses it.
    security.guard_input(app)
    extensions.csrf.init_app(app)
    from tribune.services import site_cache

    i18n.init_app(app, site_locale=lambda: site_cache.current().default_locale)
    security.init_app(app)
    web.init_app(app)
    blueprints.init_app(app)
    from tribune import assets, compression

    compression.init_app(app)
    assets.init_app(app)
    from tribune.search import hooks

    hooks.init_app(app)

    from tribune.cli import register_commands

    register_commands(app)
    return app


def _fill_instance_defaults(app, instance):
    """Defaults that live in the instance folder: database, index, secret key, log key."""
    config = app.config
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'tribune.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    if not config.get("INDEX_DIR"):
        config["INDEX_DIR"] = str(instance / "index")
    if not config.get("STATIC_BUILD_DIR"):
        config["STATIC_BUILD_DIR"] = str(instance / "static")
    # Where the keys came from: tribune/deployment.py refuses a per-host key where hosts share.
    config["SECRET_KEY_SOURCE"] = "setting" if config.get("SECRET_KEY") else "instance"
    config["LOG_KEY_SOURCE"] = "setting" if config.get("LOG_KEY") else "instance"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = config_module.instance_secret_key(instance)
    if not config.get("LOG_KEY"):
        # A key of its own, so the moderation log's hashes stay sound if SECRET_KEY is rotated.
        config["LOG_KEY"] = config_module.instance_secret_key(instance, "log_key")
    if config.get("LOG_PLAIN_ENTRIES") is None:
        config["LOG_PLAIN_ENTRIES"] = config_module.instance_plain_entries(instance)


def _migrations_dir():
    """The migrations folder at the project root, beside the package."""
    return os.fspath(Path(__file__).resolve().parent.parent / "migrations")
