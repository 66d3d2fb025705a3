"""The demo, built once per test module, and signing in as its staff through the real pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from muster.people import access
from muster.registers.demo import build_demo
from tests.accounts.conftest import PASSWORD, sign_in

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo on TODAY (a Friday in term); everything rolled back at the end."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "today", lambda: TODAY)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_demo(seed=11, today=TODAY, pupils=400, echo=lambda *_: None)
            for user in get_user_model().objects.all():
                user.set_password(PASSWORD)
                user.save()
            yield get_user_model().objects
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


@pytest.fixture
def as_user(demo, client):
    """A test client signed in with password and code as the named demo account."""

    def signed_in(username: str):
        sign_in(client, demo.get(username=username))
        return client

    return signed_in
