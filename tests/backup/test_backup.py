"""Backups: a filled instance restored into a fresh SQLite and a fresh PostgreSQL database
equals the original row by row; bad files and occupied databases are refused, changing nothing."""

import gzip
import json
import os
import stat

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from tests.backup.filling import fill
from tests.conftest import POSTGRES_URL, IsolatedClient, make_config
from tests.security.conftest import code_for
from tests.support import PASSWORD, login
from tribune import create_app
from tribune.extensions import db
from tribune.models.base import utcnow
from tribune.services import backup
from tribune.services.backup_format import dumps
from tribune.services.moderation_log import verify_chain

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="TRIBUNE_TEST_DATABASE_URL does not name a PostgreSQL database"
)
SOURCES = ["sqlite", pytest.param("postgres", marks=[needs_postgres, pytest.mark.postgres])]


def empty_postgres_url():
    """A second PostgreSQL database beside the suite's (per worker), emptied."""
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = url.set(database=name)
    engine = create_engine(target)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return target.render_as_string(hide_password=False)


@pytest.fixture(params=SOURCES)
def app_config(request, app_config, tmp_path):
    if request.param == "sqlite":
        app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'source.db'}"
    app_config["SEARCH_INDEX_EACH_COMMIT"] = True
    # Mail on (nothing is sent: no mail pass runs), so notifications fill the outbox too.
    app_config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=2525,
        SMTP_SECURITY="plain",
        MAIL_FROM="Tribune <tribune@tribune.example>",
        PUBLIC_URL="https://tribune.example",
    )
    return app_config


def target_app(app, tmp_path, kind, **overrides):
    """A second instance on an empty database of `kind`, holding the source's log key."""
    url = empty_postgres_url() if kind == "postgres" else f"sqlite:///{tmp_path / 'target.db'}"
    overrides = {"LOG_KEY": app.config["LOG_KEY"], "SEARCH_INDEX_EACH_COMMIT": True, **overrides}
    config = make_config(tmp_path / "target", DATABASE_URL=url, **overrides)
    target = create_app(config)
    target.test_client_class = IsolatedClient
    return target


def snapshot(engine):
    """Every backed-up table's rows, in primary-key order."""
    rows = {}
    with engine.connect() as connection:
        for table in backup.tables():
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def search_ids(client, words):
    found = {}
    for word in words:
        response = client.get("/api/v1/search", query_string={"q": word, "per_page": 50})
        assert response.status_code == 200, response.get_json()
        found[word] = sorted(r["post_id"] for r in response.get_json()["results"])
    return found


TARGETS = ["sqlite", pytest.param("postgres", marks=[needs_postgres, pytest.mark.postgres])]


@pytest.mark.parametrize("kind", TARGETS)
def test_a_restored_site_equals_the_original_row_by_row(app, client, tmp_path, kind):
    filled = fill(client)
    original = snapshot(db.engine)
    empty = [name for name, rows in original.items() if not rows]
    # Every table the backup holds has rows here, so the comparison below covers it: a table
    # added later fails this until the filling above writes to it too.
    assert empty == [], f"tables the filling leaves empty: {empty}"
    _ok, head = verify_chain().ok, verify_chain().head
    found = search_ids(client, filled.words)
    hidden_words = found.pop("buy")
    assert hidden_words == [] and all(found.values()), found
    found["buy"] = hidden_words
    path = tmp_path / "site.backup"
    made = backup.create(str(path))
    assert made.rows == sum(len(rows) for rows in original.values())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    target = target_app(app, tmp_path, kind)
    with target.app_context():
        restored = backup.restore(str(path))
        assert restored.schema_built
        assert snapshot(db.engine) == original
        with db.engine.connect() as connection:
            for name in backup.EXCLUDED:
                if name in ("search_texts", "search_changes", "search_state"):
                    continue
                assert connection.scalar(select(func.count()).select_from(text(name))) == 0
        verdict = verify_chain()
        assert verdict.ok and verdict.head == head
        check = target.test_cli_runner().invoke(args=["check"])
        assert check.exit_code == 0, check.output
        client2 = target.test_client()
        assert search_ids(client2, filled.words) == found
        # The hidden post stays hidden, the 2FA account needs its second factor, and ids go on.
        page = client2.get(f"/p/{filled.hidden_post_id}", follow_redirects=True)
        assert "buy now" not in page.get_data(as_text=True)
        first = login(client2, "leila")
        assert first.headers["Location"].endswith("/accounts/login/code")
        answer = client2.post("/accounts/login/code", data={"code": filled.recovery_codes[0]})
        assert answer.status_code == 302
        assert client2.get("/accounts/settings").status_code == 200
        other = target.test_client()
        login(other, "leila")
        code = code_for(filled.secret, utcnow(), offset_steps=1)
        assert other.post("/accounts/login/code", data={"code": code}).status_code == 302
        reza = target.test_client()
        assert login(reza, "mina").status_code == 302
        assert reza.get("/accounts/settings").status_code == 200
        highest = max(row[0] for row in original["posts"])
        from tribune.models import Section
        from tribune.services import accounts, posting

        section = db.session.scalar(select(Section).where(Section.area == "tribune").limit(1))
        thread = posting.open_thread(
            accounts.find_by_username("mina"), section, "After the restore", "new words", "en"
        )
        newest = db.session.scalar(select(func.max(text("id"))).select_from(text("posts")))
        assert newest == highest + 1 and thread.id == max(r[0] for r in original["threads"]) + 1
        db.session.remove()


def test_every_table_is_backed_up_or_excluded_by_name(app):
    """A table added to the models is in the backup unless EXCLUDED names it, with a reason."""
    names = set(db.metadata.tables)
    assert set(backup.EXCLUDED) <= names, set(backup.EXCLUDED) - names
    assert all(len(reason) > 10 for reason in backup.EXCLUDED.values())
    backed_up = {table.name for table in backup.tables()}
    assert backed_up | set(backup.EXCLUDED) == names
    assert not backed_up & set(backup.EXCLUDED)
    # In foreign-key order: each table after every table it refers to (cycles aside).
    order = [table.name for table in backup.tables()]
    for table in backup.tables():
        for key in table.foreign_keys:
            referred = key.column.table.name
            if referred in order and not key.use_alter and referred != table.name:
                assert order.index(referred) < order.index(table.name), (table.name, referred)


# Refusals: each leaves the target as it was and says why.


def small_site(client, tmp_path):
    """A backup of the demo (with a moderation log); its path."""
    fill(client)
    path = tmp_path / "site.backup"
    backup.create(str(path))
    return path


def lines_of(path):
    with gzip.open(path, "rb") as file:
        return [json.loads(line) for line in file]


def write_lines(path, values, checksums=True):
    """Write parsed lines back as a backup, recomputing its checksums (a well-formed file)."""
    import hashlib

    whole, table = hashlib.sha256(), None
    out = []
    for value in values[:-1]:
        if isinstance(value, dict) and "table" in value:
            table = hashlib.sha256()
        elif isinstance(value, dict) and "table_end" in value and checksums:
            value = {**value, "sha256": table.hexdigest()}
        line = dumps(value)
        if isinstance(value, list):
            table.update(line)
        whole.update(line)
        out.append(line)
    end = {**values[-1], "sha256": whole.hexdigest()} if checksums else values[-1]
    out.append(dumps(end))
    with gzip.open(path, "wb") as file:
        file.write(b"".join(out))


def restore_refused(target, path):
    """Run `flask backup restore` on the target; its output, after checking it failed."""
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "restore", "--quiet", str(path)])
        db.session.remove()
    assert result.exit_code == 1, result.output
    assert "Nothing was changed." in result.output
    return result.output


def tables_in(target):
    with target.app_context():
        return set(inspect(db.engine).get_table_names())


@pytest.mark.parametrize("app_config", ["sqlite"], indirect=True)
def test_bad_files_are_refused_with_the_reason_and_nothing_changes(app, client, tmp_path):
    path = small_site(client, tmp_path)
    target = target_app(app, tmp_path, "sqlite")
    data = path.read_bytes()

    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    assert "truncated" in restore_refused(target, truncated)

    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.backup"
    corrupt.write_bytes(bytes(flipped))
    assert "corrupt" in restore_refused(target, corrupt)

    values = lines_of(path)
    row = next(i for i, v in enumerate(values) if isinstance(v, list) and "jonas" in v)
    values[row] = [v if v != "jonas" else "jonas2" for v in values[row]]
    edited = tmp_path / "edited.backup"
    write_lines(edited, values, checksums=False)
    assert "do not match their checksum" in restore_refused(target, edited)

    newer = lines_of(path)
    newer[0]["version"] = 2
    later = tmp_path / "later.backup"
    write_lines(later, newer)
    assert "format version is 2, written by a later Tribune" in restore_refused(target, later)

    shorter = lines_of(path)[:-1]
    cut = tmp_path / "cut.backup"
    with gzip.open(cut, "wb") as file:
        file.write(b"".join(dumps(value) for value in shorter))
    assert "truncated: it ends between two tables" in restore_refused(target, cut)

    other = tmp_path / "other.backup"
    other.write_bytes(b"not a backup at all")
    assert "corrupt" in restore_refused(target, other)

    assert tables_in(target) == set()
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "check", str(corrupt)])
    assert result.exit_code == 1 and "corrupt" in result.output


@pytest.mark.parametrize("app_config", ["sqlite"], indirect=True)
def test_an_occupied_database_or_another_log_key_is_refused(app, client, tmp_path):
    path = small_site(client, tmp_path)
    target = target_app(app, tmp_path, "sqlite")
    with target.app_context():
        db.create_all()
        from tribune.services import accounts

        accounts.register("someone", PASSWORD)
        db.session.remove()
    output = restore_refused(target, path)
    assert "the database is not empty: users (1 rows)" in output, output
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(text("users"))) == 1
        assert db.session.scalar(select(func.count()).select_from(text("threads"))) == 0
        db.session.remove()

    stranger = target_app(app, tmp_path / "stranger", "sqlite", LOG_KEY="another key entirely")
    assert "moderation log key" in restore_refused(stranger, path)
    assert tables_in(stranger) == set()


@pytest.mark.parametrize("app_config", ["sqlite"], indirect=True)
def test_a_restore_that_fails_while_writing_leaves_no_tables(app, client, tmp_path):
    path = small_site(client, tmp_path)
    values = lines_of(path)
    start = values.index({"table": "users"})
    values.insert(start + 2, values[start + 1])  # the same user twice: a duplicate id
    end = next(
        i for i, v in enumerate(values) if isinstance(v, dict) and v.get("table_end") == "users"
    )
    values[end]["rows"] += 1
    values[0]["tables"][[t["name"] for t in values[0]["tables"]].index("users")]["rows"] += 1
    duplicated = tmp_path / "duplicated.backup"
    write_lines(duplicated, values)
    target = target_app(app, tmp_path, "sqlite")
    with target.app_context(), pytest.raises(backup.NotRestorable, match="UNIQUE"):
        backup.restore(str(duplicated))
    assert tables_in(target) == set()


@pytest.mark.parametrize("app_config", ["sqlite"], indirect=True)
def test_a_backup_is_one_moment_while_the_site_goes_on(app, client, tmp_path):
    """Rows committed while a backup runs are not in it, and what is in it fits together."""
    from tribune.services import accounts

    fill(client)
    before = snapshot(db.engine)
    written = []

    def progress(done, total):
        if not written:  # the first call comes once the backup's transaction has begun
            other = create_app(make_config(tmp_path / "writer", DATABASE_URL=str(db.engine.url)))
            with other.app_context():
                written.append(accounts.register("latecomer", PASSWORD).id)
                db.session.remove()

    path = tmp_path / "live.backup"
    backup.create(str(path), progress=progress)
    assert written
    target = target_app(app, tmp_path, "sqlite")
    with target.app_context():
        backup.restore(str(path))
        assert snapshot(db.engine) == before
        db.session.remove()
