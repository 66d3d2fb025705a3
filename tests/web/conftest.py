"""The demo, built once for the package's test modules (rolled back at the end; each test's own
writes roll back with it), and signing in as its staff through the real pages."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.accounts.conftest import PASSWORD, sign_in
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=400, password=PASSWORD, scope="package")


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
