"""A service's NotFound is answered once, by the app (web.py), as the site's own 404."""

import re

from tests.support import login
from tribune.services import NotFound


def test_a_services_not_found_is_the_same_404_page_as_a_missing_address(app, make_user):
    make_user("sara")
    make_user("kaveh")
    sara, kaveh = app.test_client(), app.test_client()
    login(sara)
    login(kaveh, "kaveh")
    # sessions.end_one raises NotFound for a session of someone else; the view does not catch it.
    from_service = kaveh.post("/accounts/sessions/1/end")
    missing = kaveh.get("/no-such-page/")
    assert from_service.status_code == missing.status_code == 404
    main = lambda response: re.search(  # noqa: E731
        r"<main.*</main>", response.get_data(as_text=True), re.S
    ).group()
    assert main(from_service) == main(missing)


def test_a_services_not_found_under_the_api_is_a_json_404(app):
    def missing():
        raise NotFound()

    app.add_url_rule("/api/v1/test-missing", "test_missing", missing)
    response = app.test_client().get("/api/v1/test-missing")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
