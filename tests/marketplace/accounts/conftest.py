"""Fixtures of the account tests."""

from datetime import timedelta

import pytest

from marketplace.accounts import service


@pytest.fixture
def throttling_outlasts_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A throttled pair waits 15 minutes instead of 5 s, so a slow machine cannot let the wait run out between
    the failure that starts it and the attempt the test expects to be refused."""
    monkeypatch.setattr(service, "LOGIN_LIMITS", service.LoginLimits(first_delay=timedelta(minutes=15)))
