"""No action, no hiding (issue 10 part 4): a pupil at a stage that expects action is listed once
N school days pass with no completed task, logged contact or meeting; an edited note is not
action; N is per stage, as data."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.targeting.worklist import (
    Activity,
    ActivityKind,
    AtStage,
    limits_on,
    no_action,
)

MONDAY = dt.date(2026, 11, 2)
# Four school weeks of weekdays, with Wednesday 11 November closed (an INSET day).
DAYS = [MONDAY + dt.timedelta(days=d) for d in range(28)
        if (MONDAY + dt.timedelta(days=d)).weekday() < 5 and d != 9]
CALENDAR = {"100001": DAYS}
LIMITS = {"at_risk": 10, "severe": 5}


def listed(entries, activities=(), on=dt.date(2026, 11, 20)):
    return [(n.pupil, n.school_days) for n in no_action(entries, activities, on, CALENDAR, LIMITS)]


def test_the_shipped_days_per_stage():
    assert limits_on(dt.date(2026, 11, 27)) == {"at_risk": 20, "persistent": 10, "severe": 5}


def test_a_pupil_is_listed_at_n_school_days_with_no_action_and_not_at_n_minus_1():
    # On Friday 20 November: since Friday 13th, 5 school days; since Monday 16th, 4.
    entries = [AtStage(1, "severe", dt.date(2026, 11, 13), "100001"),
               AtStage(2, "severe", dt.date(2026, 11, 16), "100001")]
    assert listed(entries) == [(1, 5)]


def test_the_school_calendar_counts_a_closed_day_as_no_school_day():
    # From Friday 6 November: 9 school days to Friday 20th (the INSET day does not count).
    entries = [AtStage(1, "at_risk", dt.date(2026, 11, 6), "100001")]
    assert listed(entries) == []
    assert listed(entries, on=dt.date(2026, 11, 23)) == [(1, 10)]


def test_an_action_restarts_the_clock_and_an_edited_note_does_not():
    entries = [AtStage(1, "severe", MONDAY, "100001"), AtStage(2, "severe", MONDAY, "100001")]
    activities = [Activity(1, dt.date(2026, 11, 17), ActivityKind.CONTACT_LOGGED),
                  Activity(2, dt.date(2026, 11, 19), ActivityKind.NOTE_EDITED)]
    assert listed(entries, activities) == [(2, 13)]


@pytest.mark.parametrize("kind", [ActivityKind.TASK_COMPLETED, ActivityKind.CONTACT_LOGGED,
                                  ActivityKind.MEETING])
def test_each_kind_of_action_counts(kind):
    entries = [AtStage(1, "severe", MONDAY, "100001")]
    assert listed(entries, [Activity(1, dt.date(2026, 11, 19), kind)]) == []


def test_an_action_after_the_day_of_the_list_does_not_count_and_stages_without_a_limit_are_not_listed():
    entries = [AtStage(1, "severe", MONDAY, "100001"), AtStage(2, "all_pupils", MONDAY, "100001")]
    later = [Activity(1, dt.date(2026, 11, 25), ActivityKind.MEETING)]
    assert listed(entries, later) == [(1, 13)]


def test_the_description_says_how_long_and_the_limit():
    [entry] = no_action([AtStage(1, "severe", MONDAY, "100001")], [], dt.date(2026, 11, 20),
                        CALENDAR, LIMITS)
    assert entry.describe() == ("severe: 13 school days with no action (no action since "
                                "entering the stage; at most 5)")


def test_a_school_with_no_calendar_is_refused():
    with pytest.raises(ValueError, match="no calendar for school 999999"):
        listed([AtStage(1, "severe", MONDAY, "999999")])
