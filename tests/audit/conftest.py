"""Fixtures for the audit log tests: entries written through `record_event`, as pages would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from muster.audit.log import record_event
from muster.audit.models import Action, AuditEvent


@pytest.fixture
def entries(db) -> Callable[..., list[AuditEvent]]:
    """Write `n` entries of the kinds the issue lists: views, exports and changes."""

    def write(n: int, *, user=None) -> list[AuditEvent]:
        kinds = [
            dict(action=Action.VIEW, record_kind="pupil", summary="Opened the pupil's record"),
            dict(action=Action.EXPORT, record_kind="figures", summary="Exported figures (CSV)"),
            dict(action=Action.CHANGE, record_kind="register", summary="Corrected a mark",
                 purpose="Parent's letter about a medical appointment",
                 before={"code": "O", "minutes_late": None}, after={"code": "M", "minutes_late": None}),
        ]
        return [
            record_event(user=user, record_id=100 + i, pupil_id=100 + i, source="192.0.2.10",
                         **kinds[i % len(kinds)])
            for i in range(n)
        ]

    return write


@pytest.fixture
def clock(monkeypatch) -> Callable[[dt.datetime], None]:
    """Set the time entries are written at (`django.utils.timezone.now`)."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to
