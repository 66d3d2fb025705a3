"""Hypothesis profiles and the world for the fuzz tests (issue "People, roles and trust": every
importer and the policy loader refuse malformed input with a clear error and change nothing).

The profile "muster-fuzz-ci" is the default: derandomized (the same examples on every run, so CI
is deterministic) and without an example database. Set MUSTER_FUZZ_PROFILE=muster-fuzz-explore
to run ten times as many random examples when looking for new failures.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.support import FuzzWorld, build_world

_COMMON = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
settings.register_profile("muster-fuzz-ci", derandomize=True, **_COMMON)
settings.register_profile("muster-fuzz-explore", derandomize=False, **_COMMON)


@pytest.fixture
def fuzz_world(db, tmp_path) -> FuzzWorld:
    """Schools, calendars, pupils and a week of marks (with a late mark, a comment and a
    corrected mark in its history), imported once per test; each example runs in a savepoint."""
    return build_world(tmp_path)
