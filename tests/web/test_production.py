"""Issue 14: what production relies on, through the test client: refusals of unsafe settings,
the health check, fingerprinted and compressed static files, compressed pages, the page weight."""

import gzip
import json
import re

import brotli
import pytest

from tests.conftest import make_config
from tribune import assets, create_app, deployment
from tribune.extensions import db

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fetch(client, url, **kwargs):
    """A response read whole and closed (WhiteNoise hands the test client an open file)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


# Settings that would break with several workers or hosts


def settings(**values):
    base = {
        "DATABASE_URL": "sqlite:///x.db",
        "WORKERS": 1,
        "SECRET_KEY_SOURCE": "instance",
        "LOG_KEY_SOURCE": "instance",
        "REDIS_URL": "",
    }
    base.update(values)
    return base


def test_one_worker_on_sqlite_needs_nothing():
    assert deployment.problems(settings()) == ([], [])


def test_postgres_without_keys_is_refused_with_what_to_set():
    refusals, _warnings = deployment.problems(
        settings(DATABASE_URL="postgresql+psycopg://db/tribune")
    )
    assert len(refusals) == 3
    assert "TRIBUNE_SECRET_KEY is not set" in refusals[0]
    assert "secrets.token_hex(32)" in refusals[0]
    assert "TRIBUNE_LOG_KEY is not set" in refusals[1]
    assert "PostgreSQL (several hosts) and no TRIBUNE_REDIS_URL" in refusals[2]


def test_postgres_with_keys_and_redis_starts():
    refusals, warnings = deployment.problems(
        settings(
            DATABASE_URL="postgresql+psycopg://db/tribune",
            SECRET_KEY_SOURCE="setting",
            LOG_KEY_SOURCE="setting",
            REDIS_URL="redis://127.0.0.1:6379/0",
        )
    )
    assert (refusals, warnings) == ([], [])


def test_several_workers_need_the_key_and_redis():
    refusals, _warnings = deployment.problems(settings(WORKERS=4))
    assert any("TRIBUNE_SECRET_KEY" in text and "4 workers" in text for text in refusals)
    assert any(text.startswith("4 workers and no TRIBUNE_REDIS_URL") for text in refusals)
    refusals, warnings = deployment.problems(
        settings(WORKERS=4, SECRET_KEY_SOURCE="setting", REDIS_URL="redis://127.0.0.1:6379/0")
    )
    assert (refusals, warnings) == ([], [])


def test_per_process_limits_only_when_asked_and_then_loudly():
    refusals, warnings = deployment.problems(
        settings(WORKERS=2, SECRET_KEY_SOURCE="setting", RATELIMIT_PER_PROCESS=True)
    )
    assert refusals == []
    assert "each process counts rate limits on its own" in str(warnings[0])


def test_environment_settings_read_the_keys_from_the_environment():
    found = deployment.environment_settings(
        {"TRIBUNE_SECRET_KEY": "k" * 64, "TRIBUNE_WORKERS": "3", "TRIBUNE_REDIS_URL": "redis://x"}
    )
    assert found["SECRET_KEY_SOURCE"] == "setting"
    assert found["LOG_KEY_SOURCE"] == "instance"
    assert deployment.problems(found) == ([], [])


def test_an_application_without_its_key_refuses_to_serve(tmp_path):
    config = make_config(tmp_path, WORKERS=2, REDIS_URL="redis://127.0.0.1:6379/0")
    app = create_app(config)
    assert app.config["SECRET_KEY_SOURCE"] == "instance"
    with pytest.raises(deployment.UnsafeConfiguration, match="TRIBUNE_SECRET_KEY"):
        deployment.check_serving(app)


def test_administrators_see_the_warnings(app, client, make_user):
    from tests.support import login

    app.config["DEPLOYMENT_WARNINGS"] = ["2 workers and no TRIBUNE_REDIS_URL: each process ..."]
    make_user("coordinator", role="admin")
    login(client, "coordinator")
    page = client.get("/moderation/terms").get_data(as_text=True)
    assert "2 workers and no TRIBUNE_REDIS_URL" in page
    make_user("reader")
    client.post("/accounts/logout")
    login(client, "reader")
    assert "TRIBUNE_REDIS_URL" not in client.get("/").get_data(as_text=True)


# /healthz


def test_health_says_database_and_search(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["database"] == "ok"
    assert set(body["search"]) == {"backend", "healthy", "problems"}
    assert body["status"] in {"ok", "degraded"}


def test_health_answers_503_when_the_database_is_unreachable(tmp_path):
    # A SQLite file in a folder that does not exist: every connection fails.
    config = make_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'gone' / 'x.db'}")
    app = create_app(config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "down",
        "database": "unreachable",
        "search": {"healthy": None},
    }


# Static files and page weight


@pytest.fixture
def built_app(tmp_path):
    """An application serving a static build, as in production."""
    build_dir = tmp_path / "static-build"
    probe = create_app(make_config(tmp_path))
    assets.build(probe.static_folder, build_dir)
    app = create_app(make_config(tmp_path, STATIC_BUILD_DIR=str(build_dir)))
    with app.app_context():
        from tests.conftest import reset_schema

        reset_schema()
        yield app
        db.session.remove()


def test_build_fingerprints_rewrites_and_compresses(tmp_path):
    app = create_app(make_config(tmp_path))
    manifest = assets.build(app.static_folder, tmp_path / "out")
    assert set(manifest) >= {"css/tribune.css", "js/quote.js", "fonts/Vazirmatn-Tribune.woff2"}
    assert all(assets.HASHED.search(name) for name in manifest.values())
    assert not any(name.endswith((".md", ".txt")) for name in manifest)
    css = (tmp_path / "out" / manifest["css/tribune.css"]).read_text()
    font = manifest["fonts/Vazirmatn-Tribune.woff2"].split("/")[-1]
    assert f'url("../fonts/{font}")' in css
    assert (tmp_path / "out" / (manifest["css/tribune.css"] + ".br")).exists()
    # Already compressed: no .gz beside the font.
    assert not (tmp_path / "out" / (manifest["fonts/Vazirmatn-Tribune.woff2"] + ".gz")).exists()
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert saved == manifest


def test_a_rebuild_replaces_the_old_build(tmp_path):
    app = create_app(make_config(tmp_path))
    assets.build(app.static_folder, tmp_path / "out")
    (tmp_path / "out" / "stale.txt").write_text("old")
    assets.build(app.static_folder, tmp_path / "out")
    assert not (tmp_path / "out" / "stale.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_css_pointing_at_a_missing_file_fails_the_build(tmp_path):
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "css" / "a.css").write_text('body { background: url("../img/none.png") }')
    with pytest.raises(ValueError, match="none.png"):
        assets.build(source, tmp_path / "out")


def test_static_files_are_hashed_immutable_and_compressed(built_app):
    client = built_app.test_client()
    page = client.get("/").get_data(as_text=True)
    links = STATIC.findall(page)
    assert links and all(assets.HASHED.search(link) for link in links)
    for link in links:
        response = fetch(client, link, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in response.headers
        if link.endswith((".css", ".js")):
            assert response.headers["Content-Encoding"] == "br"


def test_pages_are_compressed_only_for_requests_without_cookies(built_app, make_thread):
    thread = make_thread(body="متن نخست " * 200)
    client = built_app.test_client()
    cold = client.get(f"/t/{thread.id}", headers={"Accept-Encoding": "br, gzip"})
    assert cold.headers["Content-Encoding"] == "br"
    assert "Cookie" in cold.headers["Vary"]
    assert "متن نخست" in brotli.decompress(cold.data).decode()
    gzipped = client.get(f"/t/{thread.id}", headers={"Accept-Encoding": "gzip"})
    assert "متن نخست" in gzip.decompress(gzipped.data).decode()
    # With a session, the page holds a CSRF token next to reflected input: never compressed.
    client.set_cookie("tribune_session", "anything")
    warm = client.get(f"/t/{thread.id}", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in warm.headers


def test_a_cold_thread_page_weighs_under_60_kb(built_app, make_user, make_section):
    from tribune.services import posting

    section = make_section()
    author = make_user()
    thread = posting.open_thread(
        author, section, "آیندهٔ جمهوری", "یک متن بلند درباره‌ی بدیل " * 40, "fa"
    )
    for n in range(19):
        posting.reply(author, thread, f"پاسخ {n}: " + "جمهوری دمکراتیک لائیک و شوراها " * 30, "fa")
    client = built_app.test_client()
    encoding = {"Accept-Encoding": "br, gzip"}
    page = client.get(f"/t/{thread.id}", headers=encoding)
    total = len(page.data)
    html = brotli.decompress(page.data).decode()
    links = STATIC.findall(html)
    css = next(link for link in links if link.endswith(".css"))
    font = re.search(r'url\("\.\./(fonts/[^"]+)"\)', fetch(client, css).get_data(as_text=True))
    links.append("/static/" + font.group(1))
    for link in links:
        total += len(fetch(client, link, headers=encoding).data)
    assert total <= 60 * 1024, f"a cold thread page is {total} bytes"
