"""Property tests: no input to an account form makes a 500, and none logs anybody in by accident."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import PASSWORD, login

TEXT = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\u200c",
            "۱۲۳۴۵۶",
            "0" * 6,
            "a" * 5000,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "sara",
            "SARA",
            "former-participant-x",
            "%00",
            "\u202e",
        ]
    ),
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ANONYMOUS_FORMS = {
    "/accounts/login": ("username", "password", "remember"),
    "/accounts/register": ("username", "display_name", "email", "password"),
    "/accounts/reset": ("email",),
}
PARTICIPANT_FORMS = {
    "/accounts/settings": (
        "profile-display_name",
        "profile-bio",
        "profile-locale",
        "profile-submit",
    ),
    "/accounts/two-factor": ("code", "password"),
    "/accounts/delete": ("password", "code", "confirm"),
}


@pytest.fixture
def mail_on(app):
    app.config.update(
        MAIL_TRANSPORT=lambda message: None,
        PUBLIC_URL="https://tribune.example",
        RESET_MAIL_IN_BACKGROUND=False,
    )


@pytest.mark.parametrize("path", sorted(ANONYMOUS_FORMS))
def test_anonymous_account_forms_never_fail(app, mail_on, make_user, path):
    make_user("sara")
    client = app.test_client()

    @SETTINGS
    @given(values=st.fixed_dictionaries(dict.fromkeys(ANONYMOUS_FORMS[path], TEXT)))
    def check(values):
        response = client.post(path, data=values)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302 and path == "/accounts/login":
            assert values["password"] == PASSWORD
        client.post("/accounts/logout")

    check()


@pytest.mark.parametrize("path", sorted(PARTICIPANT_FORMS))
def test_participant_account_forms_never_fail(app, make_user, path):
    make_user("sara")
    client = app.test_client()
    login(client)
    if path == "/accounts/two-factor":
        client.post(path, data={"start": "1"})  # a secret being set up, so codes are checked

    @SETTINGS
    @given(values=st.fixed_dictionaries(dict.fromkeys(PARTICIPANT_FORMS[path], TEXT)))
    def check(values):
        response = client.post(path, data=values)
        assert response.status_code in (200, 302, 400), response.status_code
        assert client.get("/accounts/settings").status_code == 200  # still logged in

    check()


def test_second_login_step_never_fails(app, make_user, clock):
    from tests.security.conftest import turn_on_two_factor

    make_user("sara")
    owner = app.test_client()
    login(owner)
    turn_on_two_factor(owner, clock)
    client = app.test_client()
    assert login(client).headers["Location"].endswith("/accounts/login/code")

    @SETTINGS
    @given(code=TEXT)
    def check(code):
        response = client.post("/accounts/login/code", data={"code": code})
        assert response.status_code in (200, 400), response.status_code

    check()
