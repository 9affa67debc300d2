"""Migration 0009 upgrades a database holding data, and downgrades (SQLite and PostgreSQL)."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import make_config, reset_schema
from tests.support import FAST_HASH, PASSWORD
from tribune import create_app
from tribune.extensions import db
from tribune.models import Section
from tribune.services import accounts, notify, posting


def test_0009_keeps_posts_through_downgrade_and_upgrade(tmp_path):
    app = create_app(make_config(tmp_path, PASSWORD_HASH=FAST_HASH))
    with app.app_context():
        reset_schema()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        sara = accounts.register("sara", PASSWORD)
        kaveh = accounts.register("kaveh", PASSWORD)
        section = Section(area="tribune", slug="alternatives", title="بدیل‌ها")
        db.session.add(section)
        db.session.commit()
        thread = posting.open_thread(sara, section, "جمهوری لائیک", "متن نخست")
        post = posting.reply(kaveh, thread, "پاسخ @sara")
        posting.edit_post(kaveh, post, "پاسخ ویرایش‌شده @sara", "fa", reason="غلط تایپی")
        assert notify.watch_level(sara, "thread", str(thread.id)) == "watch"
        db.session.remove()
        downgrade(revision="0005")
        tables = inspect(db.engine).get_table_names()
        assert "notifications" not in tables and "watches" not in tables
        columns = {c["name"] for c in inspect(db.engine).get_columns("posts")}
        assert "edit_reason" not in columns
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT body_source, edit_reason FROM posts")).all()
        assert sorted(rows) == sorted([("پاسخ ویرایش‌شده @sara", ""), ("متن نخست", "")])
        db.session.remove()
        db.engine.dispose()
