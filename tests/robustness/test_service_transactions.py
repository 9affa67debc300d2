"""Every service that writes runs as one transaction (services/transaction.py): a failure leaves
nothing behind, and only logged acts are run again after a log-id race."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tribune.extensions import db
from tribune.models import NotificationSettings, User
from tribune.services import Invalid, accounts, notify
from tribune.services.transaction import LOG_RACE_ATTEMPTS, act, transaction


def assert_clean_session():
    assert not db.session.new and not db.session.dirty and not db.session.deleted


def test_a_service_failing_after_its_change_leaves_nothing(app, make_user):
    sara = make_user()
    # save_settings adds the settings row and changes it before it finds the mail mode wrong.
    with pytest.raises(Invalid):
        notify.save_settings(sara, auto_watch=False, mail_mode="carrier pigeon")
    assert_clean_session()
    assert db.session.get(NotificationSettings, sara.id) is None


def test_a_service_failing_at_its_commit_leaves_a_usable_session(app, make_user, monkeypatch):
    make_user("sara")
    # Skip the friendly check, so that the second account breaks the unique index at commit.
    monkeypatch.setattr(accounts, "validate_username", lambda username: None)
    with pytest.raises(IntegrityError):
        accounts.register("Sara", "another horse battery staple")
    assert_clean_session()
    # No "this session's transaction has been rolled back" on the next use.
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_an_act_is_run_again_after_a_log_id_race(app):
    calls = []

    @act
    def racing():
        calls.append(1)
        if len(calls) < LOG_RACE_ATTEMPTS:
            raise IntegrityError("INSERT", {}, Exception("log id taken"))
        return "done"

    assert racing() == "done"
    assert len(calls) == LOG_RACE_ATTEMPTS


def test_an_act_gives_up_after_its_attempts(app):
    calls = []

    @act
    def always_racing():
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("log id taken"))

    with pytest.raises(IntegrityError):
        always_racing()
    assert len(calls) == LOG_RACE_ATTEMPTS


def test_a_plain_transaction_is_never_run_twice(app):
    """A service that may have sent something before failing must not send it again."""
    calls = []

    @transaction
    def sends_then_fails():
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    with pytest.raises(IntegrityError):
        sends_then_fails()
    assert len(calls) == 1


def test_an_act_inside_another_service_is_retried_by_the_outer_one_only(app):
    """Retrying the inner act alone would commit it without the outer service's earlier work."""
    outer_calls, inner_calls = [], []

    @act
    def inner():
        inner_calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("log id taken"))

    @transaction
    def outer():
        outer_calls.append(1)
        inner()

    with pytest.raises(IntegrityError):
        outer()
    assert outer_calls == [1] and inner_calls == [1]
