"""Configuration, the instance folder, migrations that match the models, the demo loader."""

import os
import stat

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_config, reset_schema
from tribune import create_app
from tribune.config import from_environment
from tribune.extensions import db
from tribune.models import Post, Section, Thread


def test_environment_overrides_are_prefixed_and_typed():
    found = from_environment(
        {
            "TRIBUNE_DATABASE_URL": "sqlite:///x.db",
            "TRIBUNE_POSTS_PER_PAGE": "7",
            "TRIBUNE_SESSION_COOKIE_SECURE": "true",
            "DATABASE_URL": "ignored",
            "TRIBUNE_UNKNOWN": "ignored",
        }
    )
    assert found == {
        "DATABASE_URL": "sqlite:///x.db",
        "POSTS_PER_PAGE": 7,
        "SESSION_COOKIE_SECURE": True,
    }


def test_defaults_live_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'tribune.db'}"
    assert app.config["INDEX_DIR"] == str(instance / "index")


def test_secret_key_is_generated_once_and_private(tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path / "instance")}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert first == second and len(first) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    other = create_app({"INSTANCE_PATH": str(tmp_path / "elsewhere")}).config["SECRET_KEY"]
    assert other != first


def test_postgres_urls_use_psycopg3(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgres://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_sqlite_runs_in_wal_mode_with_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_build_exactly_the_models_schema(tmp_path):
    app = create_app(make_config(tmp_path))
    with app.app_context():
        reset_schema()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        assert "alembic_version" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_timestamps_come_back_utc_aware(app, make_thread):
    thread = make_thread()
    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset().total_seconds() == 0


def test_demo_loads_into_an_empty_database_only(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Post.id))) >= 10
    areas = set(db.session.scalars(db.select(Section.area)))
    assert areas == {"tribune", "agenda"}
    languages = set(db.session.scalars(db.select(Post.language)))
    assert {"fa", "en"} <= languages
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0


def test_users_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "coordinator", "--admin", "--password", "a long enough passphrase"]
    )
    assert result.exit_code == 0, result.output
    listing = app.test_cli_runner().invoke(args=["users", "list"]).output
    assert "coordinator\tadmin\tactive" in listing
