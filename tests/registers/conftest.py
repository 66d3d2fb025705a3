"""Fixtures for the register tests: a directory for exchange files and the invented world of
`tests/registers/world.py`, imported through `muster.registers.imports` as a school would."""

from __future__ import annotations

import pytest

from muster.registers import imports
from tests.registers.world import (
    CALENDAR_HEADER,
    CALENDAR_ROWS,
    PUPIL_HEADER,
    PUPIL_ROWS,
    Files,
    World,
)


@pytest.fixture
def files(tmp_path) -> Files:
    return Files(tmp_path)


@pytest.fixture
def world(db, files) -> World:
    imports.import_calendar(files.write("calendar.csv", CALENDAR_HEADER, CALENDAR_ROWS))
    imports.import_pupils(files.write("pupils.csv", PUPIL_HEADER, PUPIL_ROWS))
    return World(files)
