"""Shared fixtures. Tests never reach the network; data is invented or from shared/conformance."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CONFORMANCE = SHARED / "conformance"


@pytest.fixture
def conformance_dir() -> Path:
    if not CONFORMANCE.exists():
        pytest.fail(f"shared/conformance is missing at {CONFORMANCE}")
    return CONFORMANCE
