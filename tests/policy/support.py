"""Building small policy files for the loader and checker tests."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from muster.core.policy import Policy, load_policy

BASE = {
    "id": "test-policy",
    "title": "A test policy",
    "version": 1,
    "owner": {"kind": "school", "name": "A school"},
    "source_document": {"title": "Invented for tests", "reference": "tests/policy"},
    "applies": {"from": dt.date(2024, 9, 1), "to": None, "review": dt.date(2025, 9, 1)},
    "covers": {"kind": "school_roll"},
    "measure": {"quantity": "attendance_percent", "period": "year_to_date", "source": "test"},
    "bands": [
        {"id": "good", "label": "Good", "lower": {"value": 95, "inclusive": True},
         "upper": {"value": 100, "inclusive": True}, "source": "test line 1"},
        {"id": "poor", "label": "Poor", "lower": {"value": 0, "inclusive": True},
         "upper": {"value": 95, "inclusive": False}, "source": "test line 2"},
    ],
    "interventions": [
        {"band": "poor", "absence": "any", "role": "attendance_lead",
         "instruction": "Write to the parents", "source": "test line 3",
         "task": {"title": "Write", "within_school_days": 5, "recurs": "none",
                  "source": "test line 3"}},
    ],
}


def document(**changes) -> dict:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def band(band_id: str, lower, lower_inclusive: bool, upper, upper_inclusive: bool) -> dict:
    return {"id": band_id, "label": band_id, "lower": {"value": lower, "inclusive": lower_inclusive},
            "upper": {"value": upper, "inclusive": upper_inclusive}, "source": "test"}


def write(tmp_path: Path, data: dict | str | bytes, name: str = "policy_under_test.yaml") -> Path:
    path = tmp_path / name
    if isinstance(data, dict):
        data = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def load(tmp_path: Path, data: dict) -> Policy:
    return load_policy(write(tmp_path, data))
