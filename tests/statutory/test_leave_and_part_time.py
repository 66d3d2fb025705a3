"""Leave of absence requests and part-time timetables on constructed registers.

Sources: seed 002 lines 195-203 (leave only in exceptional circumstances, decided by the
headteacher, requested in writing and in advance; "rare, significant, unavoidable and short");
domain reference 1 (`C` granted leave, `G` holiday not granted, `C2` temporary part-time
timetable); seed 004 line 150 (part-time timetables not tracked or not time-limited); issue 4
items 5 and 6.
"""

from __future__ import annotations

import datetime as dt

import pytest

from muster.audit.models import AuditEvent
from muster.core import codes
from muster.core.rules import leave as leave_rules
from muster.core.rules import part_time as part_time_rules
from muster.core.slots import Session
from muster.registers import store
from muster.registers.models import Enrolment, MarkBatch
from muster.statutory import leave
from muster.statutory.actions import StatutoryError
from tests.statutory.conftest import PRESENT, week_of

ALL_MET = {"rare": True, "significant": True, "unavoidable": True, "short": True}
LEAVE_WEEK = week_of(6)  # 2025-10-06, a school week with no marks yet
N_WEEK = "NNNN//////"


def marks_of(pupil, first, last):
    loaded = store.load(Enrolment.objects.filter(pupil=pupil), first, last, look_back=False)
    matrix = loaded.matrix
    found = []
    day = first
    while day <= last:
        for session in (Session.AM, Session.PM):
            code_id = int(matrix.marks[0, matrix.slot(day, session)])
            found.append(None if code_id == codes.NO_MARK else codes.BY_ID[code_id].symbol)
        day += dt.timedelta(days=1)
    return found


# The rules, without a database ------------------------------------------------------------


def test_leave_is_granted_only_when_every_principle_of_exceptional_circumstances_is_met():
    """Seed 002 line 203: "rare, significant, unavoidable and short"."""
    on = dt.date(2025, 10, 1)
    assert leave_rules.decide(approve=True, answers=ALL_MET, reasons="bereavement abroad", on=on).approved
    with pytest.raises(ValueError, match="not unavoidable"):
        leave_rules.decide(approve=True, answers={**ALL_MET, "unavoidable": False}, reasons="cheaper flights", on=on)
    refused = leave_rules.decide(approve=False, answers={**ALL_MET, "short": False}, reasons="three weeks", on=on)
    assert not refused.approved and refused.unmet == ("short",)
    with pytest.raises(ValueError, match="missing: short"):
        leave_rules.decide(approve=False, answers={"rare": True, "significant": True, "unavoidable": True},
                           reasons="x", on=on)
    with pytest.raises(ValueError, match="reasons"):
        leave_rules.decide(approve=False, answers=ALL_MET, reasons=" ", on=on)


def test_a_leave_request_is_written_and_in_advance():
    """Seed 002 line 197: applications in writing, in advance."""
    day = dt.date(2025, 10, 6)
    with pytest.raises(ValueError, match="in writing"):
        leave_rules.check_request(first=day, first_session=Session.AM, last=day, last_session=Session.PM,
                                  received_on=day, in_writing=False)
    with pytest.raises(ValueError, match="in advance"):
        leave_rules.check_request(first=day, first_session=Session.AM, last=day, last_session=Session.PM,
                                  received_on=day + dt.timedelta(days=1), in_writing=True)


def test_part_time_timetables_open_ended_or_overdue_are_flagged():
    """Issue 4 item 6; seed 004 line 150."""
    start = dt.date(2025, 9, 8)
    weeks = part_time_rules.review_within_weeks(start)
    good = part_time_rules.Timetable(start, start + dt.timedelta(weeks=8), start + dt.timedelta(weeks=weeks))
    assert part_time_rules.flags(good, start + dt.timedelta(days=1)) == []
    assert part_time_rules.flags(good, good.review_on + dt.timedelta(days=1)) == [part_time_rules.REVIEW_OVERDUE]
    reviewed = part_time_rules.Timetable(good.start, good.end, good.review_on, reviewed_on=good.review_on)
    assert part_time_rules.flags(reviewed, good.review_on + dt.timedelta(days=1)) == []
    open_ended = part_time_rules.Timetable(start, None, None)
    assert part_time_rules.flags(open_ended, start) == [part_time_rules.OPEN_ENDED, part_time_rules.NO_REVIEW]
    late_review = part_time_rules.Timetable(start, start + dt.timedelta(weeks=20),
                                            start + dt.timedelta(weeks=weeks + 1))
    assert part_time_rules.REVIEW_TOO_LATE in part_time_rules.flags(late_review, start)
    closed = part_time_rules.Timetable(start, None, None, closed_on=start + dt.timedelta(days=3))
    assert part_time_rules.flags(closed, start + dt.timedelta(days=5)) == []
    with pytest.raises(ValueError, match="end date and its review date"):
        part_time_rules.check_dates(start, None, start)


# The actions, on registers ------------------------------------------------------------------


def test_approved_leave_pre_fills_c_with_its_provenance(town):
    pupil = town.pupil("Thistlewood")
    town.enrol(pupil, town.schools[0], [PRESENT] * 5)
    request = leave.request_leave(
        pupil=pupil, school=town.schools[0], first_day=LEAVE_WEEK + dt.timedelta(days=1),
        last_day=LEAVE_WEEK + dt.timedelta(days=2), first_session="PM", reason="Funeral abroad",
        requested_by="Mr Thistlewood", received_on=week_of(4), by=town.staff,
    )
    leave.decide_leave(request=request, approve=True, answers=ALL_MET, reasons="A family funeral",
                       on=week_of(5), by=town.staff)
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by_name == town.staff.username
    week = marks_of(pupil, LEAVE_WEEK, LEAVE_WEEK + dt.timedelta(days=4))
    assert week == [None, None, None, "C", "C", "C", None, None, None, None]
    assert request.marks_batch.source == MarkBatch.Source.CORRECTION
    assert "leave request" in request.marks_batch.description.lower()
    assert AuditEvent.objects.filter(record_kind="leave_request", pupil_id=pupil.pk).count() == 2
    with pytest.raises(StatutoryError, match="already decided"):
        leave.decide_leave(request=request, approve=False, answers=ALL_MET, reasons="x", on=week_of(5), by=town.staff)


def test_leave_taken_after_refusal_is_g_and_present_sessions_are_kept(town):
    pupil = town.pupil("Hollowmere")
    town.enrol(pupil, town.schools[0], [PRESENT] * 5 + [N_WEEK])
    request = leave.request_leave(
        pupil=pupil, school=town.schools[0], first_day=LEAVE_WEEK, last_day=LEAVE_WEEK + dt.timedelta(days=4),
        reason="Holiday", requested_by="Ms Hollowmere", received_on=week_of(3), by=town.staff,
    )
    leave.decide_leave(request=request, approve=False, answers={**ALL_MET, "unavoidable": False},
                       reasons="Could be taken in the holidays", on=week_of(4), by=town.staff)
    assert marks_of(pupil, LEAVE_WEEK, LEAVE_WEEK)[0] == "N"  # a refusal writes no mark
    written = leave.record_leave_taken(request=request, on=LEAVE_WEEK + dt.timedelta(days=7), by=town.staff)
    assert written == 4
    assert marks_of(pupil, LEAVE_WEEK, LEAVE_WEEK + dt.timedelta(days=4)) == ["G"] * 4 + ["/", "\\"] * 3


def test_a_part_time_timetable_needs_its_dates_unless_recorded_as_found(town):
    pupil = town.pupil("Larkspur")
    start = week_of(2)
    with pytest.raises(StatutoryError, match="end date and its review date"):
        leave.record_part_time_timetable(pupil=pupil, school=town.schools[0], start=start, end=None,
                                         review_on=None, reason="Anxiety: phased return", by=town.staff)
    found = leave.record_part_time_timetable(pupil=pupil, school=town.schools[0], start=start, end=None,
                                             review_on=None, reason="Found in the SEN file", by=town.staff,
                                             as_found=True)
    assert leave.part_time_flags(found, week_of(3)) == [part_time_rules.OPEN_ENDED, part_time_rules.NO_REVIEW]
    planned = leave.record_part_time_timetable(
        pupil=pupil, school=town.schools[0], start=start, end=week_of(8), review_on=week_of(5),
        reason="Phased return", by=town.staff,
    )
    assert leave.part_time_flags(planned, week_of(6)) == [part_time_rules.REVIEW_OVERDUE]
    leave.review_part_time_timetable(timetable=planned, on=week_of(6), next_review_on=week_of(8), by=town.staff)
    assert leave.part_time_flags(planned, week_of(6) + dt.timedelta(days=1)) == []
    assert AuditEvent.objects.filter(record_kind="part_time_timetable", pupil_id=pupil.pk).count() == 3


def test_c2_days_no_timetable_covers_are_untracked():
    """Seed 004 line 150: part-time timetables "not tracked"."""
    start = dt.date(2025, 9, 8)
    days = [start + dt.timedelta(days=d) for d in (0, 1, 2, 14)]
    planned = part_time_rules.Timetable(start, start + dt.timedelta(days=1), start)
    assert part_time_rules.untracked_days(days, [planned]) == days[2:]
    open_ended = part_time_rules.Timetable(start + dt.timedelta(days=2), None, None)
    assert part_time_rules.untracked_days(days, [planned, open_ended]) == []
    assert part_time_rules.untracked_days(days, []) == days


def test_c2_marks_with_no_timetable_recorded_are_listed(town):
    from muster.registers.actions import MarkInput, record_marks

    pupil = town.pupil("Quietbrook")
    enrolment = town.enrol(pupil, town.schools[0], [PRESENT] * 3)
    monday = week_of(2)
    record_marks(marks=[MarkInput(enrolment.pk, monday + dt.timedelta(days=d), Session.PM, codes.code("C2"))
                        for d in range(3)],
                 source=MarkBatch.Source.CORRECTION, on_conflict=leave.OnConflict.REPLACE)
    (row,) = leave.untracked_c2(school=town.schools[0], on=week_of(4))
    assert (row["upn"], row["c2_sessions"], row["untracked_days"]) == (pupil.upn, 3, 3)
    leave.record_part_time_timetable(pupil=pupil, school=town.schools[0], start=monday,
                                     end=monday + dt.timedelta(days=1), review_on=monday,
                                     reason="Phased return", by=town.staff)
    (row,) = leave.untracked_c2(school=town.schools[0], on=week_of(4))
    assert (row["untracked_days"], row["first_untracked"]) == (1, str(monday + dt.timedelta(days=2)))
