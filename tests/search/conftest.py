"""Helpers for the search tests: ask the real page and the real API, read what they answer.

Most search tests are the contract both backends keep: they run on the backend the suite's
database gives (`make test`: SQLite and Whoosh; CI's second pass: PostgreSQL and its backend).
Tests of one backend's own machinery say so with `whoosh_app_config` (an embedded SQLite
database whichever the suite runs on) or the `postgres` marker (skipped without PostgreSQL).
"""

import re

import pytest

from tests.conftest import POSTGRES_URL


@pytest.fixture
def app_config(app_config):
    # These tests look into the Whoosh index right after a service call, outside any request.
    app_config["SEARCH_INDEX_EACH_COMMIT"] = True
    return app_config


@pytest.fixture
def whoosh_app_config(app_config, tmp_path):
    """The configuration of an app on the embedded SQLite database and the Whoosh backend."""
    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'whoosh.db'}"
    app_config["SEARCH_BACKEND"] = "whoosh"
    return app_config


needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="TRIBUNE_TEST_DATABASE_URL does not name a PostgreSQL database"
)


@pytest.fixture
def api_ids(client):
    """Post ids the API returns for a query (asserting a 200)."""

    def ask(q="", **params):
        response = client.get("/api/v1/search", query_string={"q": q, "per_page": 50, **params})
        assert response.status_code == 200, response.get_json()
        return [result["post_id"] for result in response.get_json()["results"]]

    return ask


@pytest.fixture
def api_total(client):
    """The total the API reports for a query (asserting a 200)."""

    def ask(q="", **params):
        response = client.get("/api/v1/search", query_string={"q": q, **params})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["total"]

    return ask


@pytest.fixture
def page_ids(client):
    """Post ids linked from the search page's results for a query (asserting a 200)."""

    def ask(q="", **params):
        response = client.get("/search", query_string={"q": q, **params})
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        return [int(n) for n in re.findall(r'class="result-title" href="/p/(\d+)', html)]

    return ask
