"""The pupils and cohort reports from the database: formats.md, "The pupils report"; reference
0 (dual registration, school week, threshold met), 3.1 (aggregation), 3.2 (enrolments)."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.slots import Session
from muster.registers import imports
from muster.registers.models import Pupil
from muster.registers.reports import cohort_rows, pupil_rows
from tests.exchange.samples import upn
from tests.registers.world import (
    ASHDOWN,
    BRENNOCK,
    CARROW,
    DUNMERE,
    FIRST_DAY,
    LAST_DAY,
    PUPIL_HEADER,
    SCHOOL_A,
    SCHOOL_B,
    full_register,
)

pytestmark = pytest.mark.django_db

D = dt.date
WEEK = (D(2025, 9, 8), D(2025, 9, 12))  # Monday to Friday, all ten sessions open at both schools


def report(first=FIRST_DAY, last=LAST_DAY, pupil=None) -> dict[str, dict]:
    pupils = Pupil.objects.filter(upn=pupil) if pupil else None
    return {r["upn"]: r for r in pupil_rows(first, last, pupils=pupils)}


def one_week_of_marks(world):
    """Ashdown all present; Brennock two O; Carrow at A Monday to Thursday and at B on Friday
    (D at the other school), with an I on Friday afternoon; Dunmere nothing."""
    am, pm = Session.AM, Session.PM
    monday_to_thursday = [D(2025, 9, d) for d in range(8, 12)]
    friday = WEEK[1]
    rows = (
        full_register(ASHDOWN, SCHOOL_A, *WEEK)
        + full_register(BRENNOCK, SCHOOL_A, *WEEK, {(D(2025, 9, 9), am): "O", (D(2025, 9, 10), am): "O"})
        + full_register(CARROW, SCHOOL_A, *WEEK, {(friday, am): "D", (friday, pm): "D"})
        + full_register(
            CARROW, SCHOOL_B, *WEEK,
            {(d, s): "D" for d in monday_to_thursday for s in (am, pm)} | {(friday, pm): "I"},
        )
    )
    world.import_marks(rows)


# --- the pupils report -------------------------------------------------------------------------

def test_a_pupil_on_roll_with_no_marks_has_no_rates_and_no_flags(world):
    """Conformance case "no possible session at all: no rates, no flags"; reference 0: an open
    session with no mark "counts in no figure"."""
    row = report()[DUNMERE]
    assert (row["possible"], row["attendance_pct"], row["overall_absence_pct"]) == (0, None, None)
    assert (row["persistent_absence"], row["severe_absence"], row["pn_threshold_met_on"]) == (False, False, None)


def test_dual_registration_pools_both_registers_and_D_is_not_possible(world):
    """Reference 0: "each school keeps its own register; `D` is not a possible session; the
    pupil's figures pool both registers"."""
    one_week_of_marks(world)
    row = report(*WEEK)[CARROW]
    assert (row["possible"], row["present"], row["authorised"]) == (10, 9, 1)
    assert row["attendance_pct"] == 90.0
    assert row["schools"] == f"{SCHOOL_A},{SCHOOL_B}"


def test_a_pupil_who_moved_school_is_one_row_pooling_both_schools(world):
    world.import_marks(
        full_register(BRENNOCK, SCHOOL_A, D(2025, 9, 29), D(2025, 10, 3))
        + full_register(BRENNOCK, SCHOOL_B, D(2025, 10, 13), D(2025, 10, 17))
    )
    row = report()[BRENNOCK]
    assert row["possible"] == 10 + 9  # 17 October afternoon is an early close
    assert row["schools"] == f"{SCHOOL_A},{SCHOOL_B}"


def test_late_counts_L_marks_and_U_is_unauthorised(world):
    """Reference 0, "`late` in reports": "the number of `L` marks ... `U` with minutes late is
    unauthorised absence"; formats.md: `present` includes `L`."""
    world.import_marks([
        (ASHDOWN, SCHOOL_A, "2025-09-02", "AM", "L", "10"),
        (ASHDOWN, SCHOOL_A, "2025-09-02", "PM", "\\"),
        (ASHDOWN, SCHOOL_A, "2025-09-03", "AM", "U", "40"),
        (ASHDOWN, SCHOOL_A, "2025-09-03", "PM", "L"),
    ])
    row = report()[ASHDOWN]
    assert (row["possible"], row["present"], row["late"], row["unauthorised"]) == (4, 3, 2, 1)


# --- the penalty-notice threshold across two schools -------------------------------------------

TUESDAYS_AT_A = [D(2025, 9, 2), D(2025, 9, 9), D(2025, 9, 16), D(2025, 9, 23), D(2025, 9, 30)]
TUESDAYS_AT_B = [D(2025, 10, 14), D(2025, 10, 28), D(2025, 11, 4), D(2025, 11, 11), D(2025, 11, 18)]


def g_every_tuesday(pupil: str, a_until: D, b_from: D) -> list[tuple]:
    return (
        full_register(pupil, SCHOOL_A, FIRST_DAY, a_until, {(t, Session.AM): "G" for t in TUESDAYS_AT_A})
        + full_register(pupil, SCHOOL_B, b_from, D(2025, 11, 21), {(t, Session.AM): "G" for t in TUESDAYS_AT_B})
    )


def test_penalty_notice_threshold_is_met_across_two_schools_when_the_week_between_is_off_roll(world):
    """Reference 0, "School week": a week counts when the pupil "has at least one session at a
    school where they are registered and which was open"; the week off roll (6-10 October) and
    half term are not school weeks, so 5 G at each school fall in 10 school weeks (conformance
    case U802310125210: "a week off roll, 5 G at the next: met (10 school weeks)")."""
    world.import_marks(g_every_tuesday(BRENNOCK, D(2025, 10, 3), D(2025, 10, 13)))
    row = report(pupil=BRENNOCK)[BRENNOCK]
    assert row["unauthorised"] == 10
    assert row["pn_threshold_met_on"] == "2025-11-18"


def test_a_week_on_roll_between_the_same_absences_makes_eleven_school_weeks_and_no_threshold(world, files):
    """The same ten G with the pupil on roll and present in the week of 6 October: the ten now
    span 11 school weeks, so no 10 school weeks hold 10 (reference 0, "Threshold met")."""
    ellerby = upn(105)
    imports.import_pupils(files.write("ellerby.csv", PUPIL_HEADER, [
        (ellerby, "Ellerby", "Rowan", "2013-12-02", "7", SCHOOL_A, "2025-09-01", "2025-10-10", "single", "N", ""),
        (ellerby, "Ellerby", "Rowan", "2013-12-02", "7", SCHOOL_B, "2025-10-13", "", "single", "N", ""),
    ]))
    world.import_marks(g_every_tuesday(ellerby, D(2025, 10, 10), D(2025, 10, 13)))
    row = report(pupil=ellerby)[ellerby]
    assert row["unauthorised"] == 10
    assert row["pn_threshold_met_on"] is None


# --- the cohort report -------------------------------------------------------------------------

def cohorts(by: str) -> dict[str, dict]:
    return {r["group"]: r for r in cohort_rows(*WEEK, by=(by,))}


def test_cohort_by_school_pools_sessions_rather_than_averaging_percentages(world):
    """Reference 3.1, "Aggregation": "pool sessions across all enrolments (sum numerators and
    denominators); never average pupil percentages". At school A: 10/10, 8/10 and 8/8 present
    pool to 26/28 (92.86%), where an average of percentages would give 93.33%."""
    one_week_of_marks(world)
    school_a = cohorts("school")[SCHOOL_A]
    assert (school_a["enrolments"], school_a["possible"], school_a["present"], school_a["unauthorised"]) == (3, 28, 26, 2)
    assert school_a["attendance_pct"] == 92.86
    assert school_a["unauthorised_pct"] == 7.14


def test_cohort_persistent_absence_is_over_enrolments_with_possible_sessions(world):
    """Reference 3.1/3.2: PA is per enrolment on its own possible sessions; enrolments with zero
    possible sessions are excluded. At school B Carrow's subsidiary register (1 of 2 absent) is
    persistently and severely absent; Dunmere (no possible session) is not counted."""
    one_week_of_marks(world)
    school_b = cohorts("school")[SCHOOL_B]
    assert (school_b["enrolments"], school_b["possible"], school_b["authorised"]) == (2, 2, 1)
    assert (school_b["persistent_absentees"], school_b["persistent_absence_pct"]) == (1, 100.0)
    assert (school_b["severe_absentees"], school_b["severe_absence_pct"]) == (1, 100.0)
    school_a = cohorts("school")[SCHOOL_A]
    assert (school_a["persistent_absentees"], school_a["persistent_absence_pct"]) == (1, 33.33)


def test_cohort_counts_a_dual_registered_pupil_once_per_enrolment(world):
    """Reference 3.2: "Statistics are per enrolment, not per pupil"."""
    one_week_of_marks(world)
    everyone = cohorts("all")["all"]
    assert (everyone["enrolments"], everyone["possible"]) == (5, 30)  # Brennock's B enrolment starts later


def test_cohort_by_looked_after(world):
    one_week_of_marks(world)
    groups = cohorts("looked_after")
    assert set(groups) == {"N", "Y"}
    not_in_care, in_care = groups["N"], groups["Y"]
    assert (not_in_care["enrolments"], not_in_care["possible"], not_in_care["attendance_pct"]) == (4, 30, 90.0)
    assert (not_in_care["persistent_absentees"], not_in_care["persistent_absence_pct"]) == (2, 50.0)
    assert (in_care["enrolments"], in_care["possible"]) == (1, 0)
    assert in_care["attendance_pct"] is None and in_care["persistent_absence_pct"] is None
