"""The static mirror: a link checker walks it from disk; nothing hidden, private or from another
origin is in it; `--since` brings it up to date."""

import os
import posixpath
import re
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.backup.filling import fill
from tribune.extensions import db
from tribune.models import Post, Thread
from tribune.services import accounts, debate_posts, mirror, moderation

LIVE = "https://tribune.example"


def build(app, directory, *flags):
    app.config["PUBLIC_URL"] = LIVE
    result = app.test_cli_runner().invoke(args=["mirror", "build", str(directory), *flags])
    assert result.exit_code == 0, result.output
    return result.output


def check_links(root):
    """Walk every file of the copy: each link and resource resolves to a file in it (and its
    fragment to an element), and nothing refers to another origin except links written in posts.
    Returns {file: text} of the pages."""
    pages, ids = {}, {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root)
            if name.endswith(".html"):
                with open(path, encoding="utf-8") as handle:
                    pages[relative] = handle.read()
    for relative, html in pages.items():
        ids[relative] = set(re.findall(r'\sid="([^"]+)"', html))
    problems = []
    for relative, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        for tag in soup.find_all(True):
            for attribute in ("href", "src", "action", "srcset", "poster", "data"):
                value = tag.get(attribute)
                if value is None:
                    continue
                parts = urlsplit(value)
                if parts.scheme or parts.netloc or value.startswith("/"):
                    in_post = tag.name == "a" and tag.find_parent(class_="post-body") is not None
                    if not (in_post and parts.scheme in ("http", "https")):
                        problems.append(
                            f"{relative}: {tag.name} {attribute}={value} leaves the copy"
                        )
                    continue
                target = (
                    posixpath.normpath(
                        posixpath.join(posixpath.dirname(relative), unquote(parts.path))
                    )
                    if parts.path
                    else relative
                )
                if not os.path.isfile(os.path.join(root, target)):
                    problems.append(f"{relative}: {value} is missing")
                elif target.endswith(".html") and parts.fragment not in (ids[target] | {""}):
                    problems.append(f"{relative}: {value} names no element")
        if soup.find("form") is not None:
            problems.append(f"{relative}: holds a form")
    css = os.path.join(root, "static", "css", "tribune.css")
    with open(css, encoding="utf-8") as handle:
        stylesheet = handle.read()
    for url in re.findall(r'url\("?([^")]+)"?\)', stylesheet):
        if urlsplit(url).scheme or not os.path.isfile(os.path.join(os.path.dirname(css), url)):
            problems.append(f"tribune.css: url({url})")
    assert problems == [], "\n".join(problems[:30])
    return pages


def test_the_mirror_is_whole_and_holds_nothing_private(app, client, tmp_path):
    filled = fill(client)
    root = tmp_path / "copy"
    build(app, root)
    pages = check_links(root)
    everything = "\n".join(pages.values())
    # The pages the issue names are there.
    for page in ("index.html", "tribune/index.html", "agenda/index.html", "papers/index.html",
                 "calendar/index.html", "associations/index.html", "moderation/log/index.html",
                 "calendar/agenda.ics", "moderation/log/head.json"):  # fmt: skip
        assert os.path.isfile(root / page), page
    assert any(name.startswith("papers/compare") for name in pages)
    assert any(re.match(r"tribune/archive/\d{4}/\d{2}/index.html", name) for name in pages)
    assert any(name.startswith("calendar/actions/") and name.endswith(".ics")
               for name in _files(root))  # fmt: skip
    threads = db.session.scalars(select(Thread).where(Thread.is_hidden.is_(False))).all()
    for thread in threads:
        if thread.merged_into_id is None:
            assert f"t/{thread.id}/index.html" in pages, thread
    # Nothing hidden, no account data beyond public names, the banner on every page.
    hidden = db.session.get(Post, filled.hidden_post_id)
    assert "buy now" not in everything and hidden.hidden_reason in everything  # the log says why
    # A hidden thread's address answers readers with the moderation notice, and so does the copy.
    assert "buy now" not in pages.get(f"t/{hidden.thread_id}/index.html", "")
    for private in ("@example.org", "argon2", "csrf_token", "accounts/"):
        assert private not in everything, private
    # Printed permanent links name the public address, never the one the copy was built from.
    assert "https://tribune.example/t/" in everything and "http://localhost" not in everything
    head = db.session.scalar(select(Thread.id).limit(1))
    assert head
    for name, html in pages.items():
        assert 'class="mirror-banner"' in html and LIVE in html, name


def test_since_updates_what_changed_and_drops_what_was_hidden(app, client, tmp_path):
    fill(client)
    root = tmp_path / "copy"
    build(app, root)
    untouched = db.session.scalar(
        select(Thread).where(Thread.kind == "action", Thread.link_count == 0).limit(1)
    )
    untouched_file = root / "t" / str(untouched.id) / "index.html"
    before = untouched_file.stat().st_mtime_ns

    thread = db.session.scalar(
        select(Thread).where(Thread.kind == "discussion", Thread.is_locked.is_(False)).limit(1)
    )
    author = accounts.find_by_username("mina")
    debate_posts.reply(author, thread, "A reply written after the copy.", "en")
    victim = db.session.scalar(
        select(Thread).where(Thread.kind == "paper", Thread.is_hidden.is_(False)).limit(1)
    )
    first = db.session.scalar(
        select(Post).where(Post.thread_id == victim.id).order_by(Post.id).limit(1)
    )
    victim_words = BeautifulSoup(first.body_html, "html.parser").find("p").get_text()[:40]
    assert victim_words in (root / "t" / str(victim.id) / "index.html").read_text()
    moderation.hide_post(author, first, "hidden after the copy")

    output = build(app, root, "--since")
    assert "unchanged pages kept" in output
    pages = check_links(root)
    assert "A reply written after the copy." in pages[f"t/{thread.id}/index.html"]
    assert victim_words not in "\n".join(pages.values())
    assert untouched_file.stat().st_mtime_ns == before


def test_a_directory_that_holds_something_else_is_refused(app, tmp_path):
    (tmp_path / "mine.txt").write_text("my notes")
    result = app.test_cli_runner().invoke(args=["mirror", "build", str(tmp_path)])
    assert result.exit_code == 1 and "holds no copy of the site" in result.output
    assert (tmp_path / "mine.txt").read_text() == "my notes"
    assert mirror.previous_build(str(tmp_path)) is None


def _files(root):
    for folder, _dirs, names in os.walk(root):
        for name in names:
            yield os.path.relpath(os.path.join(folder, name), root)
