"""Browser tests: a live Tribune server on 127.0.0.1 and Debian's Chromium driven by Playwright.

They skip, saying why, where Chromium is absent; `.ci/run` installs it so CI runs them.
"""

import os
import shutil
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Flags that keep Chromium from phoning home: this machine has no network beyond registries,
# and a privacy test must see only the requests pages make themselves.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--metrics-recording-only",
]


def chromium_path():
    """The Chromium executable, from TRIBUNE_CHROMIUM or Debian's usual places, or None."""
    for candidate in (os.environ.get("TRIBUNE_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if candidate and shutil.which(candidate):
            return candidate
    return None


def pytest_collection_modifyitems(config, items):
    reason = None
    if chromium_path() is None:
        reason = "Chromium not found (apt-get install chromium, or set TRIBUNE_CHROMIUM)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[test]')"
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


class QuietHandler(WSGIRequestHandler):
    """No access log: it would print client addresses, and the tests have no use for it."""

    def log_request(self, *args, **kwargs):
        pass


def read_whole(app):
    """The app, each response read whole and closed before werkzeug sends it.

    When a page navigates away while a file is still being sent (a favicon, a font), werkzeug's
    development server drops the response without closing it, and the open file surfaces later
    as a ResourceWarning in whichever test the garbage collector runs in. Pages and static files
    here are small, and no response is streamed.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


class LiveServer:
    """The app served by werkzeug in a background thread on a free loopback port."""

    def __init__(self, app):
        self.server = make_server(
            "127.0.0.1", 0, read_whole(app), threaded=True, request_handler=QuietHandler
        )
        # Request threads are joined on close, so a response still being sent when the test
        # ends (a favicon the closing page cancelled) closes its file there, not in the garbage
        # collector during a later test.
        self.server.daemon_threads = False
        self.server.block_on_close = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageWatch:
    """Everything a page did that a privacy or XSS test cares about."""

    def __init__(self, page, origin):
        self.origin = origin
        self.foreign_requests = []
        self.dialogs = []
        self.console_errors = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _request(self, request):
        url = request.url
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", "about:"))):
            self.foreign_requests.append(url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fa-IR")
    # Anything aimed beyond this server is recorded and refused before it leaves the browser.
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    tab = context.new_page()
    tab.watch = PageWatch(tab, live_server.url)
    yield tab
    context.close()


@pytest.fixture
def demo_site(app, make_user, make_moderator):
    """The demo content, and one participant, moderator and administrator to log in as."""
    from tribune import demo
    from tribune.extensions import db

    demo.load()
    make_user("reader2")
    make_moderator("mina")
    make_user("leila", role="admin")
    db.session.commit()
