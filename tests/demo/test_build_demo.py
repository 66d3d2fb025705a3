"""`muster demo` writes the generated demo through the register actions and replaces what was there."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

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
from tests.accounts.conftest import code_for_key, give_code, give_password

TODAY = dt.date(2026, 3, 10)


def _build(seed: int = 5) -> tuple[str, list[str]]:
    lines: list[str] = []
    summary = build_demo(seed=seed, today=TODAY, pupils=150, echo=lines.append)
    return summary, lines


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One build read by the tests below (it takes seconds), rolled back at the module's end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_it_builds_a_small_demo_with_a_sign_in(built, db):
    summary, progress = built
    assert progress and all(len(line) < 100 for line in progress)
    assert SIGN_IN_URL in summary and DEMO_USERNAME in summary
    password = summary.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.is_superuser and user.check_password(password)
    assert LocalAuthority.objects.count() == 3
    assert School.objects.filter(local_authority__code="938").count() >= 6
    assert CalendarEntry.objects.filter(kind="closure", session="PM").exists()
    assert 120 <= Pupil.objects.count() <= 260


def test_marks_are_loaded_with_their_source_notes_and_history(built, db):
    registers = RegisterYear.objects.count()
    assert registers > Enrolment.objects.count()  # two years for most enrolments
    assert RegisterYearSource.objects.count() == registers
    assert MarkBatch.objects.filter(source="demo").count() == 1
    assert MarkNote.objects.filter(minutes_late__isnull=False).exists()
    changes = MarkChange.objects.filter(applied=True)
    assert changes.filter(previous_code="N").exists()
    assert all(c.batch.source == "correction" and c.batch.reason for c in changes)


def test_the_figures_of_last_year_look_like_a_school_years(built, db):
    (row,) = cohort_rows(dt.date(2024, 9, 1), dt.date(2025, 7, 31))
    assert 90 <= row["attendance_pct"] <= 97
    assert row["possible"] > 100 * 370


def test_the_demo_ends_with_a_person_able_to_sign_in_with_the_printed_key(built, client):
    summary, _ = built
    password = re.search(r"password: (\S+)", summary).group(1)
    key = re.search(r"this key \(time based\):\n\s+([A-Z2-7 ]+)\n", summary).group(1)
    assert f"muster demo-code {DEMO_USERNAME}" in summary
    assert give_password(client, DEMO_USERNAME, password).url == "/sign-in/code/"
    hex_key = base64.b32decode(key.replace(" ", "")).hex()
    assert give_code(client, code_for_key(hex_key)).url == "/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_building_again_replaces_everything():
    _build(seed=5)
    first = sorted(Pupil.objects.values_list("legal_surname", "legal_forename"))
    batches = MarkBatch.objects.filter(source="demo").count()
    _build(seed=6)
    assert sorted(Pupil.objects.values_list("legal_surname", "legal_forename")) != first
    assert get_user_model().objects.filter(username=DEMO_USERNAME).count() == 1
    assert MarkBatch.objects.filter(source="demo").count() == batches
    assert LocalAuthority.objects.count() == 3
