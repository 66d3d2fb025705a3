"""The demo, built once for the whole test session and shared by every package whose tests read it
(people, web, casework, care, targeting, interop, api, statutory).

Building the demo takes tens of seconds, so it is built once, inside a transaction that is never
committed. Each module (or package) that uses it works inside its own savepoint, rolled back at its
end, and each test's writes roll back with the test. tests/conftest.py runs the modules that use
the demo one after another and rolls the shared transaction back before any other test runs, so
no other test ever sees the demo; if the order is changed (a subset, `-p no:randomly`...), the demo
is simply built again when next needed.
"""

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

PUPILS = 700
"""The size of the one shared demo: enough for every package's cases (planted and generated)."""

SEED = 11


class SharedDemo:
    """The session's one demo: open (built, uncommitted) or not."""

    atomic: transaction.Atomic | None = None
    blocker = None

    @classmethod
    def ensure(cls, blocker) -> None:
        if cls.atomic is not None:
            return
        with blocker.unblock(), pytest.MonkeyPatch.context() as patch:
            patch.setattr(access, "today", lambda: TODAY)
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                build_demo(seed=SEED, today=TODAY, pupils=PUPILS, echo=lambda *_: None)
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        cls.atomic, cls.blocker = atomic, blocker

    @classmethod
    def release(cls) -> None:
        """Roll the demo back, leaving the test database as the other tests expect it: empty."""
        if cls.atomic is None:
            return
        atomic, blocker = cls.atomic, cls.blocker
        cls.atomic = cls.blocker = None
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def demo_world_fixture(*, pupils: int, password: str | None = None,
                       then: Callable[[], None] | None = None, scope: str = "module"):
    """A `demo_world` fixture (module-scoped, or `scope="package"`) over the shared demo: every demo
    account's password set to `password` when given (for signing in through the forms), and
    `then` run first, all inside a savepoint rolled back at the end. It yields the user manager.
    `pupils` is the least the caller needs; the shared demo has PUPILS."""
    if pupils > PUPILS:
        raise ValueError(f"the shared demo has {PUPILS} pupils; {pupils} were asked for")

    @pytest.fixture(scope=scope)
    def demo_world(shared_demo, django_db_blocker):
        SharedDemo.ensure(django_db_blocker)
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
            patch.setattr(access, "today", lambda: TODAY)
            savepoint = transaction.atomic()
            savepoint.__enter__()
            try:
                if password is not None:
                    for user in get_user_model().objects.all():
                        user.set_password(password)
                        user.save()
                if then is not None:
                    then()
                yield get_user_model().objects
            finally:
                transaction.set_rollback(True)
                savepoint.__exit__(None, None, None)

    return demo_world


@pytest.fixture(scope="session")
def shared_demo(django_db_setup):
    """Rolls the shared demo back at the end of the session, before the test database goes."""
    yield SharedDemo
    SharedDemo.release()
