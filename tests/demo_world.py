"""The demo built once for a test module, rolled back at its end: one fixture factory for every
package whose tests read the demo (people, web, casework, care, targeting, interop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from muster.people import access
from muster.registers.demo import build_demo

TODAY = dt.date(2026, 11, 27)
"""A Friday in the autumn term: the demo's today in every test."""


def demo_world_fixture(*, pupils: int, password: str | None = None,
                       then: Callable[[], None] | None = None):
    """A module-scoped `demo_world` fixture: the demo on TODAY with `pupils` pupils, every demo
    account's password set to `password` when given (for signing in through the forms), and
    `then` run inside the same transaction. It yields the user manager."""

    @pytest.fixture(scope="module")
    def demo_world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
            patch.setattr(access, "today", lambda: TODAY)
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                build_demo(seed=11, today=TODAY, pupils=pupils, echo=lambda *_: None)
                if password is not None:
                    for user in get_user_model().objects.all():
                        user.set_password(password)
                        user.save()
                if then is not None:
                    then()
                yield get_user_model().objects
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return demo_world
