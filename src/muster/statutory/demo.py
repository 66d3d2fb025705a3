"""Statutory work on the demo: the cases, returns and contacts a school would have by today.

Called once by `muster.registers.demo.build_demo`, inside its transaction, after the registers
and staff are written. Everything comes from the demo's own marks through the actions, so the
demo shows what the rules find; only the contacts and case steps are invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection

from muster.core.rules.leave import principles
from muster.core.slots import Session
from muster.registers.models import Enrolment, Pupil, School
from muster.statutory import actions, calling, leave
from muster.statutory.letters.merge import merge_letter
from muster.statutory.models import (
    CaseStep,
    ContactAttempt,
    LaReturn,
    LeaveRequest,
    Letter,
    LetterTemplate,
    PartTimeTimetable,
    PenaltyNotice,
    PenaltyNoticeCase,
)

REPLACED_IN_ORDER = (
    Letter, LetterTemplate, LeaveRequest, PartTimeTimetable,
    CaseStep, PenaltyNotice, PenaltyNoticeCase, ContactAttempt, LaReturn,
)


def _clear() -> None:
    """The demo replaces the whole database: its statutory records go with it."""
    with connection.cursor() as cursor:
        for model in REPLACED_IN_ORDER:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def plant_statutory_demo(*, today: dt.date, echo: Callable[[str], object] = print) -> None:
    _clear()
    cases = actions.detect_penalty_notice_cases(on=today)
    for n, case in enumerate(cases[:6]):
        on = max(case.opened_on, today - dt.timedelta(days=14))
        actions.advance_penalty_notice_case(
            case=case, stage=PenaltyNoticeCase.Stage.SUPPORT_OFFERED, on=on, by=None,
            note="Meeting offered to discuss barriers to attendance (demo)",
        )
        if n % 2:
            actions.advance_penalty_notice_case(
                case=case, stage=PenaltyNoticeCase.Stage.NOTICE_TO_IMPROVE, on=today, by=None,
                improvement_weeks=4, note="Support not engaged with (demo)",
            )
    found = actions.detect_returns(on=today)
    contacts = 0
    for school in School.objects.filter(calendar_entries__isnull=False).distinct().order_by("urn")[:3]:
        day = _last_open_day(school, today)
        if day is None:
            continue
        _plant_family_contacts(school, day)
        for row in calling.calling_list(school=school, day=day, session=Session.AM)[:3]:
            actions.log_contact(
                pupil=Pupil.objects.get(pk=row.pupil_id), school=school,
                method="call", outcome="no_answer", by=None, absence_on=day, contact="parent",
                note="Demo: no answer, voicemail full",
            )
            contacts += 1
    echo(f"Opened {len(cases)} penalty-notice cases, recorded {len(found)} returns to the LA and "
         f"{contacts} first-day calls")
    school = cases[0].school if cases else School.objects.filter(calendar_entries__isnull=False).first()
    if school is not None:
        _plant_leave_part_time_letters(school, today, cases[0].pupil if cases else None, echo)


def _plant_leave_part_time_letters(school: School, today: dt.date, case_pupil, echo) -> None:
    """Three part-time timetables (in order, review overdue, open-ended as found), three leave
    requests (pending, approved with C pre-filled, refused) and two letters, at one school."""
    on_roll = list(
        Enrolment.objects.filter(school=school, start__lte=today, end__isnull=True)
        .exclude(pupil=case_pupil).select_related("pupil").order_by("pupil__upn")[:6]
    )
    if len(on_roll) < 6:
        return
    pupils = [e.pupil for e in on_roll]
    week = dt.timedelta(weeks=1)
    leave.record_part_time_timetable(
        pupil=pupils[0], school=school, start=today - 2 * week, end=today + 4 * week,
        review_on=today + 2 * week, reason="Phased return after illness (demo)", by=None,
        agreed_with="parent",
    )
    leave.record_part_time_timetable(
        pupil=pupils[1], school=school, start=today - 7 * week, end=today + 2 * week,
        review_on=today - 2 * week, reason="Reduced timetable while an EHC assessment runs (demo)",
        by=None, agreed_with="parent",
    )
    leave.record_part_time_timetable(
        pupil=pupils[2], school=school, start=today - 10 * week, end=None, review_on=None,
        reason="Found in the SEN file with no end or review date (demo)", by=None, as_found=True,
    )
    first = today + week - dt.timedelta(days=today.weekday())  # next Monday
    pending = dict(school=school, received_on=today, by=None, first_day=first, last_day=first + dt.timedelta(days=1))
    leave.request_leave(pupil=pupils[3], reason="Family wedding abroad (demo)", requested_by="parent", **pending)
    approved = leave.request_leave(pupil=pupils[4], reason="Grandparent's funeral abroad (demo)",
                                   requested_by="parent", **pending)
    every = {p: True for p in principles(today)}
    leave.decide_leave(request=approved, approve=True, answers=every, reasons="A funeral (demo)", on=today, by=None)
    refused = leave.request_leave(pupil=pupils[5], reason="Cheaper holiday in term time (demo)",
                                  requested_by="parent", **pending)
    leave.decide_leave(request=refused, approve=False, answers={**every, "unavoidable": False},
                       reasons="Could be taken in the school holidays (demo)", on=today, by=None)
    letters = 0
    for pupil, kind in ((case_pupil, "notice_to_improve"), (pupils[1], "below_96")):
        if pupil is None:
            continue
        merge_letter(kind=kind, pupil=pupil, school=school, on=today, by=None)
        letters += 1
    echo(f"Planted 3 part-time timetables, 3 leave requests and {letters} letters at {school.urn}")


FORENAMES = ("Avery", "Rowan", "Morgan", "Emery", "Sasha", "Quinn", "Harper", "Reese")
SURNAMES = ("Fallowfield", "Brightwater", "Kestrelmoor", "Larchmont", "Pebbleford")


def _plant_family_contacts(school: School, day: dt.date) -> None:
    """Invented family contacts, in priority order, for the pupils on the school's calling list
    who have none (the demo has no transfer files to bring them): a parent, then an emergency
    contact. Numbers are from Ofcom's drama range (07700 900000-900999)."""
    from muster.interop.models import PupilContact

    listed = [r.pupil_id for r in calling.calling_list(school=school, day=day, session=Session.AM)]
    have = set(PupilContact.objects.filter(pupil_id__in=listed).values_list("pupil_id", flat=True))
    surnames = dict(Pupil.objects.filter(pk__in=listed).values_list("pk", "legal_surname"))
    rows = []
    for n, pupil_id in enumerate(p for p in listed if p not in have):
        rows += [
            PupilContact(pupil_id=pupil_id, order=1, forename=FORENAMES[n % len(FORENAMES)],
                         surname=surnames[pupil_id], relationship="PAR", parental_responsibility=True,
                         phones=[{"kind": "mobile", "number": f"07700 900{(2 * n) % 1000:03d}"}]),
            PupilContact(pupil_id=pupil_id, order=2, forename=FORENAMES[(n + 3) % len(FORENAMES)],
                         surname=SURNAMES[n % len(SURNAMES)], relationship="OTH", parental_responsibility=False,
                         phones=[{"kind": "mobile", "number": f"07700 900{(2 * n + 1) % 1000:03d}"}]),
        ]
    PupilContact.objects.bulk_create(rows)


def _last_open_day(school: School, today: dt.date) -> dt.date | None:
    calendar = school.calendar()
    for back in range(0, 21):
        day = today - dt.timedelta(days=back)
        if calendar.is_open(day, Session.AM):
            return day
    return None
