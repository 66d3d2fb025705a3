"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Screenshots are saved in test-artefacts/ for a person to look at. Chromium must be installed
(`apt-get install chromium`; .ci/run does it): without it these tests fail, never skip.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server runs Django in
# another thread, so database access from the test thread is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TODAY = dt.date(2026, 11, 27)
"""The demo's today in the browser tests: a Friday in the autumn term."""


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTEFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTEFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="package")
def live_demo(django_db_setup, django_db_blocker):
    """The demo on TODAY at 3 pm (both registers closed), built once for the whole package and
    committed, so that a live server of its own (not pytest-django's `live_server`, whose every
    test empties the database) reads it. The tests that use it run last and together (see
    pytest_collection_modifyitems below); the database is emptied at the end, as a transactional
    test leaves it. Tests that write use their own pupils or accounts, so their order does not
    matter. It yields the server's URL."""
    import time_machine
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    from muster.people import access
    from muster.registers.demo import build_demo

    traveller = time_machine.travel(dt.datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo("Europe/London")), tick=True)
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        own_database = _test_database()
        traveller.start()
        patch.setattr(access, "today", lambda: TODAY)
        server = None
        try:
            build_demo(seed=7, today=TODAY, pupils=150, echo=lambda *_: None)
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            yield server.url
        finally:
            if server is not None:
                server._live_server_modified_settings.disable()
                server.stop()
            traveller.stop()
            call_command("flush", verbosity=0, interactive=False)
            if own_database is not None:
                from django.test.utils import teardown_databases

                teardown_databases(own_database, verbosity=0)


def _test_database():
    """pytest-django creates the test database only when some selected test asks for `db`,
    `transactional_db` or `live_server`; when none does (`-k` choosing only tests on the shared
    demo), create it here, so the demo is never written into the real database."""
    from django.db import connection
    from django.test.utils import setup_databases

    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        return None
    return setup_databases(verbosity=0, interactive=False, aliases={"default"})


def pytest_collection_modifyitems(items):
    """Within this package, the tests on the shared demo run after the transactional ones (which
    empty the database after each test) and together, so the demo is built once."""
    here = Path(__file__).parent
    ours = [i for i, item in enumerate(items) if here in item.path.parents]
    if not ours:
        return
    first, last = ours[0], ours[-1] + 1
    block = items[first:last]
    if len(block) != len(ours):  # not one run of items: leave the order alone
        return
    items[first:last] = ([i for i in block if "live_demo" not in i.fixturenames]
                         + [i for i in block if "live_demo" in i.fixturenames])


@pytest.fixture
def csp_breaches(page):
    """Content security policy breaches the browser reports on its console; none may happen."""
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    yield found
    assert found == []
