"""GET /api/v1/search: exactly the documented shape, 400 for bad queries, bounded pages."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post

RESULT_KEYS = {
    "post_id", "thread_id", "thread_title", "area", "section", "author", "language",
    "matched_translation", "created_at", "url", "snippet",
}  # fmt: skip


@pytest.fixture
def paper(app, make_thread, make_user):
    thread = make_thread(
        author=make_user("sara"), title="چرا جمهوری لائیک؟", body="جدایی دین از دولت"
    )
    post = db.session.scalar(select(Post))
    post.created_at = datetime(2010, 3, 28, 10, 30, tzinfo=UTC)
    db.session.commit()
    return thread, post


def test_the_response_has_exactly_the_documented_shape(paper, client):
    thread, post = paper
    response = client.get("/api/v1/search?q=دولت&lang=fa&area=tribune&from=1389-01-01")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {
        "query", "total", "total_is_exact", "page", "per_page", "has_next", "results"
    }  # fmt: skip
    assert body["query"] == "دولت" and body["total"] == 1 and body["total_is_exact"] is True
    assert body["page"] == 1 and body["per_page"] == 10 and body["has_next"] is False
    (result,) = body["results"]
    assert set(result) == RESULT_KEYS
    assert result == {
        "post_id": post.id,
        "thread_id": thread.id,
        "thread_title": "چرا جمهوری لائیک؟",
        "area": "tribune",
        "section": "alternatives",
        "author": "sara",
        "language": "fa",
        "matched_translation": None,
        "created_at": "2010-03-28T10:30:00Z",
        "url": f"/p/{post.id}",
        "snippet": "جدایی دین از <mark>دولت</mark>",
    }


def test_urls_are_absolute_with_a_configured_public_address(paper, app, client):
    app.config["PUBLIC_URL"] = "https://tribune.example.org/"
    result = client.get("/api/v1/search?q=دولت").get_json()["results"][0]
    assert result["url"].startswith("https://tribune.example.org/p/")


@pytest.mark.parametrize(
    "params, code",
    [
        ({"q": '"open'}, "unbalanced_quote"),
        ({"q": "area:moon"}, "bad_area"),
        ({"q": ""}, "empty"),
        ({"q": "x", "from": "tomorrow"}, "bad_date"),
        ({"q": "x", "area": "tribune", "section": "Not A Slug"}, "bad_section"),
        ({"q": "area:agenda", "area": "tribune"}, "conflicting_filter"),
        ({"q": "x", "per_page": "0"}, "bad_parameter"),
        ({"q": "x", "per_page": "51"}, "bad_parameter"),
        ({"q": "x", "page": "-1"}, "bad_parameter"),
        ({"q": "x", "sort": "random"}, "bad_parameter"),
    ],
)
def test_bad_requests_are_400_json(app, client, params, code):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == code and body["status"] == 400 and body["error"]


def test_per_page_and_pages(app, client, make_thread, make_user, make_section):
    section = make_section()
    for n in range(7):
        make_thread(
            author=make_user(f"user{n}"), section=section, title=f"عنوان {n}", body=f"آزادی {n}"
        )
    first = client.get("/api/v1/search?q=آزادی&per_page=5&sort=oldest").get_json()
    second = client.get("/api/v1/search?q=آزادی&per_page=5&sort=oldest&page=2").get_json()
    assert first["total"] == second["total"] == 7
    assert len(first["results"]) == 5 and len(second["results"]) == 2
    ids = [r["post_id"] for r in first["results"] + second["results"]]
    assert ids == sorted(ids)


def test_only_get_is_allowed(app, client):
    assert client.post("/api/v1/search?q=x").status_code == 405
    assert client.post("/api/v1/search?q=x").get_json()["status"] == 405
