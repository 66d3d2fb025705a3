"""`muster demo` writes the generated demo through the register actions and replaces what was there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from muster.registers.demo import DEMO_USERNAME, SIGN_IN_URL, build_demo
from muster.registers.models import (
    CalendarEntry,
    Enrolment,
    LocalAuthority,
    MarkBatch,
    MarkChange,
    MarkNote,
    Pupil,
    RegisterYear,
    RegisterYearSource,
    School,
)
from muster.registers.reports import cohort_rows

TODAY = dt.date(2026, 3, 10)


def _build(seed: int = 5) -> tuple[str, list[str]]:
    lines: list[str] = []
    summary = build_demo(seed=seed, today=TODAY, pupils=150, echo=lines.append)
    return summary, lines


@pytest.mark.django_db
def test_it_builds_a_small_demo_with_a_sign_in():
    summary, progress = _build()
    assert progress and all(len(line) < 100 for line in progress)
    assert SIGN_IN_URL in summary and DEMO_USERNAME in summary
    password = summary.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.is_superuser and user.check_password(password)
    assert LocalAuthority.objects.count() == 3
    assert School.objects.filter(local_authority__code="938").count() >= 6
    assert CalendarEntry.objects.filter(kind="closure", session="PM").exists()
    assert 120 <= Pupil.objects.count() <= 260


@pytest.mark.django_db
def test_marks_are_loaded_with_their_source_notes_and_history():
    _build()
    registers = RegisterYear.objects.count()
    assert registers > Enrolment.objects.count()  # two years for most enrolments
    assert RegisterYearSource.objects.count() == registers
    assert MarkBatch.objects.filter(source="demo").count() == 1
    assert MarkNote.objects.filter(minutes_late__isnull=False).exists()
    changes = MarkChange.objects.filter(applied=True)
    assert changes.filter(previous_code="N").exists()
    assert all(c.batch.source == "correction" and c.batch.reason for c in changes)


@pytest.mark.django_db
def test_the_figures_of_last_year_look_like_a_school_years():
    _build()
    (row,) = cohort_rows(dt.date(2024, 9, 1), dt.date(2025, 7, 31))
    assert 90 <= row["attendance_pct"] <= 97
    assert row["possible"] > 100 * 370


@pytest.mark.django_db
def test_building_again_replaces_everything():
    _build(seed=5)
    first = sorted(Pupil.objects.values_list("legal_surname", "legal_forename"))
    _build(seed=6)
    assert sorted(Pupil.objects.values_list("legal_surname", "legal_forename")) != first
    assert get_user_model().objects.filter(username=DEMO_USERNAME).count() == 1
    assert MarkBatch.objects.filter(source="demo").count() == 1
    assert LocalAuthority.objects.count() == 3
