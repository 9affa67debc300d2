"""No input makes a 500: every route of the URL map, fed hostile values, by every role.

Routes come from `app.url_map`, so a route added later is walked without anyone listing it. Each
is asked with hostile path values (ids past a 32-bit or 64-bit column, NUL, invalid UTF-8,
direction overrides, very long text), hostile query strings (page numbers past any list, NUL,
invalid UTF-8) and, for routes that take a form, hostile form bodies; then hypothesis fills path,
query and form with the suite's own text strategies. Logged out, as a participant, as a
moderator holding a term and as an administrator; on SQLite, and on PostgreSQL when the suite
runs there. No answer may be a 500, and every answer carries the full security headers.
"""

import itertools
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.robustness.test_forms_fuzz import FIELD_TEXT
from tests.support import login
from tribune import demo
from tribune.extensions import db
from tribune.models import Association, Section
from tribune.security import SECURITY_HEADERS

# Values past what a column, a converter or a Python int conversion can hold, and plain nonsense.
HOSTILE_INTS = ["0", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999"]
HOSTILE_TEXT = ["%00", "a%00b", "%FF", "%C3%28", "x%E2%80%AEgnp.exe", "..%2F..", "a" * 400]
HOSTILE_QUERIES = [
    "page=99999999999999999999",
    "page=9223372036854775808",
    "page=2147483648",
    "page=-1",
    "page=0",
    "page=%00",
    "page=1e9",
    "thread=99999999999999999999",
    "q=%00",
    "q=%FF%FE",
    "%FF=1",
    "next=%00",
]
# Every query argument a view reads; hypothesis fills them with hostile text.
QUERY_NAMES = [
    "page",
    "thread",
    "section",
    "next",
    "reply_to",
    "quote",
    "state",
    "sort",
    "q",
    "from",
    "to",
    "moderator",
    "action",
    "lang",
    "language",
    "association",
    "position",
    "calendar",
    "read",
    "side",
    "per_page",
    "area",
    "author",
    "kind",
]
FORM_NAMES = [
    "title",
    "body",
    "language",
    "reason",
    "username",
    "password",
    "summary",
    "position",
    "note",
    "details",
    "days",
    "kind",
    "target",
    "section",
    "starts_at",
    "date",
    "time",
    "city",
    "reply_to",
    "quote_ids",
    "decision",
    "code",
    "display_name",
    "name",
    "slug",
    "month",
    "day",
]
HOSTILE_BODIES = [
    b"title=%FF%FE&body=%C3%28&reason=%00",
    b"title=\xff\xfe&body=\xc3(",
    b"body=a%00b&title=ok+ok&reason=why",
    b"%FF=%FF&page=99999999999999999999",
]
# Routes that would log the client out; walked logged out only, so each role keeps its powers.
ENDS_THE_SESSION = {"accounts.logout", "accounts.end_sessions"}
ROLES = ("reader", "participant", "moderator", "admin")


def problems(response, where):
    """What is wrong with an answer: a 5xx status (but 503, which says to come back), or a
    missing or different security header."""
    found = []
    if response.status_code >= 500 and response.status_code != 503:
        found.append((where, response.status_code))
    for name, value in SECURITY_HEADERS.items():
        if response.headers.get(name) != value:
            found.append((where, response.status_code, f"header {name}"))
    return found


def assert_safe(response, where):
    assert problems(response, where) == []


class World:
    """Ordinary values for each converter, so hostile values reach past the first lookup."""

    def __init__(self):
        self.section = db.session.scalar(select(Section).order_by(Section.id))
        self.association = db.session.scalar(select(Association).order_by(Association.id))

    def ordinary(self, name, kind, choices):
        if kind == "int":
            return {"year": "2025", "month": "03"}.get(name, "1")
        if kind == "any":
            return choices[0]
        return {
            "area": self.section.area,
            "slug": self.association.slug if name == "slug" else self.section.slug,
            "username": "sara",
            "token": "x" * 43,
        }.get(name, "x")


# `<converter(options):name>` or `<name>` in a rule's public pattern (`Rule.rule`).
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[a-z_]+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


def arguments(rule):
    """{name: (kind, choices)} of a rule's arguments: kind is "int", "any" or "text"."""
    found = {}
    for match in PLACEHOLDER.finditer(rule.rule):
        converter = match["converter"] or "default"
        if converter in ("int", "float"):
            found[match["name"]] = ("int", ())
        elif converter == "any":
            choices = sorted(c.strip().strip("'\"") for c in match["options"].split(","))
            found[match["name"]] = ("any", choices)
        else:
            found[match["name"]] = ("text", ())
    return found


def build(rule, values):
    """The path of `rule` with raw (already percent-encoded) values for its arguments."""
    return PLACEHOLDER.sub(lambda match: values[match["name"]], rule.rule)


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def hostile_paths(rule, world):
    """The rule's ordinary path, then each argument in turn replaced by hostile values."""
    args = arguments(rule)
    ordinary = {name: world.ordinary(name, *kind) for name, kind in args.items()}
    yield build(rule, ordinary)
    for name, (kind, _choices) in args.items():
        if kind == "any":
            continue
        hostile = HOSTILE_INTS if kind == "int" else HOSTILE_TEXT
        for value in hostile:
            yield build(rule, {**ordinary, name: value})


def walk(client, rule, method, world, everything, found):
    """Ask one route with every hostile value, adding what went wrong to `found`; return how
    many requests were made."""
    paths = list(hostile_paths(rule, world))
    ordinary = paths[0]
    asked = 0
    # Logged-in roles: hostile paths and queries on the ordinary path; the reader also gets the
    # cross product of hostile paths and queries (the cheap, anonymous side of the walk).
    queries = HOSTILE_QUERIES if everything else HOSTILE_QUERIES[::3]
    for path, query in itertools.chain(((p, "") for p in paths), ((ordinary, q) for q in queries)):
        url = f"{path}?{query}" if query else path
        found += problems(client.open(url, method=method), (method, url))
        asked += 1
    if method == "POST":
        for body in HOSTILE_BODIES:
            response = client.open(
                ordinary,
                method=method,
                data=body,
                content_type="application/x-www-form-urlencoded",
            )
            found += problems(response, (method, ordinary, body))
            asked += 1
    return asked


@pytest.fixture
def world(app, make_user, make_moderator):
    demo.load()
    make_user("fuzz-participant")
    make_user("fuzz-admin", role="admin")
    make_moderator("fuzz-moderator")
    return World()


def client_for(app, role):
    client = app.test_client()
    if role != "reader":
        name = f"fuzz-{role}"
        assert login(client, name).status_code == 302
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_route_survives_hostile_values(app, world, role):
    client = client_for(app, role)
    asked, found = 0, []
    for rule, method in routes(app):
        if role != "reader" and rule.endpoint in ENDS_THE_SESSION:
            continue
        asked += walk(client, rule, method, world, role == "reader", found)
    assert not found, "\n".join(map(repr, found))
    assert asked > 1000, asked


def test_hypothesis_fills_paths_queries_and_forms(app, world):
    """The suite's hostile text strategies, in every part of the request, on every route."""
    clients = {role: client_for(app, role) for role in ROLES}
    rules = [
        (rule, method) for rule, method in routes(app) if rule.endpoint not in ENDS_THE_SESSION
    ]

    @settings(
        max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(data=st.data())
    def fuzz(data):
        client = clients[data.draw(st.sampled_from(ROLES), label="role")]
        for rule, method in rules:
            values = {}
            for name, (kind, choices) in arguments(rule).items():
                if kind == "any":
                    values[name] = choices[0]
                else:
                    values[name] = quote(data.draw(FIELD_TEXT, label=name) or "x", safe="")
            path = build(rule, values)
            names = data.draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=3, unique=True))
            query = {name: data.draw(FIELD_TEXT, label=f"?{name}") for name in names}
            form = None
            if method == "POST":
                fields = data.draw(st.lists(st.sampled_from(FORM_NAMES), max_size=5, unique=True))
                form = {name: data.draw(FIELD_TEXT, label=name) for name in fields}
            response = client.open(path, method=method, query_string=query, data=form)
            assert_safe(response, (method, path, query, form))

    fuzz()


def test_an_oversized_body_is_a_413_page_with_every_header(app, world):
    too_big = b"body=" + b"a" * app.config["MAX_CONTENT_LENGTH"]
    for role in ("reader", "participant"):
        client = client_for(app, role)
        for path in ("/", "/accounts/login", "/t/1/reply", "/locale", "/no/such/page"):
            response = client.post(
                path, data=too_big, content_type="application/x-www-form-urlencoded"
            )
            assert response.status_code == 413, (role, path, response.status_code)
            assert_safe(response, (role, path))


def test_nul_and_bytes_that_are_not_utf8_are_refused_anywhere(client):
    form = "application/x-www-form-urlencoded"
    for path in ("/tribune/%00/", "/accounts/u/a%00b"):
        assert client.get(path).status_code == 400, path
    # The test client would decode %FF itself; a server hands the raw bytes on (PEP 3333).
    for raw in ("/accounts/u/\xff", "/tribune/\xc3(/"):
        assert client.get("/", environ_overrides={"PATH_INFO": raw}).status_code == 400, raw
    # werkzeug's development server decodes the path itself; the request line keeps the bytes.
    for sent in ("/accounts/u/%FF", "/tribune/%C3%28/?page=1"):
        overrides = {"PATH_INFO": "/accounts/u/\xef\xbf\xbd", "RAW_URI": sent}
        assert client.get("/", environ_overrides=overrides).status_code == 400, sent
    for query in ("q=%00", "q=%C3%28", "%FF=1", "next=%E2%82"):
        assert client.get(f"/?{query}").status_code == 400, query
    for body in (b"username=%00", b"username=\xff", b"username=%C3%28", b"%FF=x"):
        response = client.post("/accounts/login", data=body, content_type=form)
        assert response.status_code == 400, body
        assert_safe(response, body)
    # Persian, ZWNJ and emoji are UTF-8 like any text: they pass.
    assert client.get("/?q=" + quote("می‌شود ✊")).status_code == 200
    response = client.post(
        "/accounts/login", data={"username": "سارا", "password": "x"}, content_type=form
    )
    assert response.status_code == 200
    # No form takes files, and multipart fields cannot be checked: a multipart body is refused.
    response = client.post(
        "/accounts/login",
        data={"username": "sara", "password": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert_safe(response, "multipart")


def test_page_numbers_past_the_end_are_404(client, make_thread):
    thread = make_thread()
    for path in (f"/t/{thread.id}", "/tribune/alternatives/", "/papers/", "/moderation/log"):
        assert client.get(f"{path}?page=1").status_code == 200, path
        for page in ("2", "99999999999999999999", "2147483648", "0", "-3", "x"):
            assert client.get(f"{path}?page={page}").status_code == 404, (path, page)
