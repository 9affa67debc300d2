"""Helpers for the search tests: ask the real page and the real API, read what they answer."""

import re

import pytest


@pytest.fixture
def app_config(app_config):
    # These tests look into the index right after a service call, outside any request.
    app_config["SEARCH_INDEX_EACH_COMMIT"] = True
    return app_config


@pytest.fixture
def api_ids(client):
    """Post ids the API returns for a query (asserting a 200)."""

    def ask(q="", **params):
        response = client.get("/api/v1/search", query_string={"q": q, "per_page": 50, **params})
        assert response.status_code == 200, response.get_json()
        return [result["post_id"] for result in response.get_json()["results"]]

    return ask


@pytest.fixture
def page_ids(client):
    """Post ids linked from the search page's results for a query (asserting a 200)."""

    def ask(q="", **params):
        response = client.get("/search", query_string={"q": q, **params})
        assert response.status_code == 200, response.status_code
        html = response.get_data(as_text=True)
        return [int(n) for n in re.findall(r'class="result-title" href="/p/(\d+)"', html)]

    return ask
