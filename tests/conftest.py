"""Shared fixtures. Tests never reach the network; data is invented or from shared/conformance."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.demo_world import SharedDemo, shared_demo  # noqa: F401 - the session's one demo

SHARED = Path(__file__).resolve().parents[2] / "shared"
CONFORMANCE = SHARED / "conformance"


@pytest.fixture
def conformance_dir() -> Path:
    if not CONFORMANCE.exists():
        pytest.fail(f"shared/conformance is missing at {CONFORMANCE}")
    return CONFORMANCE


def _module_of(item) -> str:
    return getattr(item, "module", None).__name__ if getattr(item, "module", None) else item.nodeid


def pytest_collection_modifyitems(items) -> None:
    """Run the modules that read the shared demo (tests/demo_world.py) one after another, last, so
    it is built once; the order within each group is kept."""
    readers = {_module_of(item) for item in items if "demo_world" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: _module_of(item) in readers)
    for item in items:
        item.stash[_READS_DEMO] = _module_of(item) in readers


_READS_DEMO = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """No test outside the demo's modules sees the demo: it is rolled back first."""
    if not item.stash.get(_READS_DEMO, False):
        SharedDemo.release()
