"""WCAG 2.1 AA as axe-core sees it: every page each role reaches, in Persian and in English.

A crawl per role (reader, participant, moderator, administrator) and interface language follows
the links of the demo site in Chromium and runs axe-core (shipped by the axe-playwright-python
package, docs/decisions/0601) on each kind of page; none may have a critical or serious
violation. Pages of one kind (/t/1, /t/2, ...: one endpoint) are checked once per language, and
the home, section, papers and thread pages once per role, which keeps the run to about a minute
per language on two cores.
"""

import re
from collections import deque

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.support import choose_language, log_in

# Bounded: the demo has a few dozen kinds of pages per role; the cap only guards against traps.
MAX_PAGES = 80
# Links a crawl does not follow: files that are not pages, and the way out of a session.
NOT_PAGES = re.compile(r"^/(static|feeds)/|\.(ics|atom|json|svg|jsonl)$|/logout$|^/search\.atom")
# WCAG 2.1 A and AA rules, as axe tags them (best-practice rules are not part of the bar).
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = ("critical", "serious")
# Kinds of pages every role checks again although an earlier role checked them: what a session
# adds to every page (header, menu) shows there, and thread pages gain forms and tools.
RECHECKED = {"main.index", "forum.thread", "forum.section", "papers.index"}


def kind_of(app, path):
    """The endpoint that serves a path: /t/1 and /t/2 are one kind of page, forum.thread."""
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path.split("?")[0], method="GET")
    except Exception:  # a 404 or a redirect: the crawl visits it once under its own name
        return path
    return endpoint


def crawl_and_check(app, page, base, axe, checked):
    """Check one page of each kind reachable from the home page that `checked` does not hold.

    Returns the paths checked and {path: [blocking violation, ...]}."""
    queue, queued, problems, visited = deque(["/"]), {"main.index"}, {}, []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(base + path)
        assert response.status < 500, (path, response.status)
        if not (response.headers.get("content-type") or "").startswith("text/html"):
            continue
        kind = kind_of(app, path)
        if kind in RECHECKED or kind not in checked:
            checked.add(kind)
            visited.append(path)
            # A Python None must never reach an attribute (issue 17: aria-invalid="None").
            assert '="None"' not in page.content(), path
            results = axe.run(page, options=WCAG_AA).response
            blocking = [
                f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
                for v in results["violations"]
                if v["impact"] in BLOCKING
            ]
            if blocking:
                problems[path] = blocking
        for href in page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        ):
            href = href.split("#")[0]
            if not href.startswith("/") or href.startswith("//") or NOT_PAGES.search(href):
                continue
            kind = kind_of(app, href)
            if kind not in queued and (kind in RECHECKED or kind not in checked):
                queued.add(kind)
                queue.append(href)
    return visited, problems


@pytest.mark.parametrize("language", ["fa", "en"])
def test_no_critical_or_serious_violation_on_any_page(
    app, demo_site, browser, live_server, language
):
    """Reader, participant, moderator and administrator in turn, each in a browser of its own."""
    checked, reached = set(), {}
    for role in (None, "reader2", "mina", "leila"):
        context = browser.new_context(locale="fa-IR")
        page = context.new_page()
        choose_language(page, live_server.url, language)
        if role:
            log_in(page, live_server.url, role)
        visited, problems = crawl_and_check(app, page, live_server.url, Axe(), checked)
        context.close()
        reached[role] = visited
        assert problems == {}, (role, problems)
    # The crawl did reach each role's own pages, so a pass means something.
    assert len(reached[None]) >= 20, reached[None]
    assert "/accounts/settings" in reached["reader2"], reached["reader2"]
    assert "/moderation/" in reached["mina"], reached["mina"]
    assert "/admin/" in reached["leila"], reached["leila"]


FOCUS_SHOWN = """el => {
  const style = getComputedStyle(el);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== 'none';
}"""


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_keyboard_alone_skips_to_the_content_and_always_shows_where_it_is(
    app, demo_site, browser, live_server, language
):
    context = browser.new_context(locale="fa-IR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    choose_language(page, live_server.url, language)
    log_in(page, live_server.url, "reader2")
    page.goto(live_server.url + "/t/1")
    page.keyboard.press("Tab")
    skip = page.evaluate_handle("document.activeElement")
    assert skip.evaluate("el => el.className") == "skip-link"
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1366
    assert skip.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    # Every stop of the tab order, header, posts, reply form and footer, shows its focus.
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        name = focused.evaluate("el => el.tagName + (el.id ? '#' + el.id : '')")
        if name == "BODY":
            break
        stops.append(name)
        assert focused.evaluate(FOCUS_SHOWN), name
        assert focused.evaluate("el => el.getClientRects().length > 0"), name
    assert any(stop.startswith("TEXTAREA") for stop in stops), stops
    context.close()
