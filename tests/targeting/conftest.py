"""A small demo (two school years of registers, 2025/26 finished, 2026/27 to 27 November 2026),
built once per module and rolled back at the end."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=500)


@pytest.fixture
def demo(demo_world, db):
    return demo_world
