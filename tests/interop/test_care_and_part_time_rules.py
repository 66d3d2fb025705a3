"""The two data-quality rules on care and part-time data (issue 9 item 5: "children in care with
no PEP this term, part-time timetables with no end date"; seed 004 line 150, part-time
timetables must be time-limited; reference 1, C2 is a temporary part-time timetable)."""

from __future__ import annotations

import datetime as dt

from muster.core.data_quality import (
    ChildInCare,
    PartTime,
    Rule,
    child_in_care_findings,
    part_time_findings,
)

TERM_START = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 27)


def test_child_in_care_without_a_pep_meeting_this_term_is_found_and_one_with_is_not():
    children = [
        ChildInCare("A1", "990101", TERM_START, (dt.date(2026, 10, 1),)),  # last term only
        ChildInCare("B2", "990101", TERM_START, (dt.date(2026, 11, 10),)),  # this term
        ChildInCare("C3", "990102", TERM_START, ()),  # never
        ChildInCare("D4", "990102", None, ()),  # no term begun: nothing to say yet
        ChildInCare("E5", "990102", TERM_START, (dt.date(2026, 12, 1),)),  # booked, not yet held
    ]
    found = child_in_care_findings(children, TODAY)
    assert [(f.rule, f.upn, f.day) for f in found] == [
        (Rule.CHILD_IN_CARE_WITHOUT_PEP, "A1", TERM_START), (Rule.CHILD_IN_CARE_WITHOUT_PEP, "C3", TERM_START),
        (Rule.CHILD_IN_CARE_WITHOUT_PEP, "E5", TERM_START)]
    assert "the last was 2026-10-01" in found[0].detail and "none recorded" in found[1].detail
    assert "PEP" in found[0].fixed_in


def test_part_time_timetable_running_with_no_end_is_found_and_ended_or_closed_ones_are_not():
    timetables = [
        PartTime("A1", "990101", dt.date(2026, 9, 10), None, None),
        PartTime("B2", "990101", dt.date(2026, 9, 10), dt.date(2026, 12, 1), None),
        PartTime("C3", "990101", dt.date(2026, 9, 10), None, dt.date(2026, 10, 20)),
        PartTime("D4", "990101", dt.date(2026, 12, 7), None, None),  # not begun yet
    ]
    found = part_time_findings(timetables, TODAY)
    assert [(f.rule, f.upn, f.day, f.session) for f in found] == [
        (Rule.PART_TIME_WITHOUT_END, "A1", dt.date(2026, 9, 10), "")]
