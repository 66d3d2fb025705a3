"""The register tests' invented world, with two leavers (`tests/records/world.py`)."""

from __future__ import annotations

import pytest

from tests.records.world import add_leavers
from tests.registers.conftest import files, world  # noqa: F401 - fixtures used here
from tests.registers.world import World


@pytest.fixture
def leavers(world: World) -> World:  # noqa: F811 - the fixture imported above
    add_leavers(world)
    return world
