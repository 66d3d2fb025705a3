"""A small demo (two school years of registers, 2025/26 finished, 2026/27 to 27 November 2026),
built once per module and rolled back at the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from muster.people import access
from muster.registers.demo import build_demo

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "today", lambda: TODAY)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_demo(seed=11, today=TODAY, pupils=500, echo=lambda *_: None)
            yield get_user_model().objects
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_world, db):
    return demo_world
