"""Statutory work on the demo: the cases, returns and contacts a school would have by today.

Called once by `muster.registers.demo.build_demo`, inside its transaction, after the registers
and staff are written. Everything comes from the demo's own marks through the actions, so the
demo shows what the rules find; only the contacts and case steps are invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection

from muster.core.slots import Session
from muster.registers.models import Pupil, School
from muster.statutory import actions, calling
from muster.statutory.models import (
    CaseStep,
    ContactAttempt,
    LaReturn,
    PenaltyNotice,
    PenaltyNoticeCase,
)

REPLACED_IN_ORDER = (CaseStep, PenaltyNotice, PenaltyNoticeCase, ContactAttempt, LaReturn)


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
        for row in calling.calling_list(school=school, day=day, session=Session.AM)[:3]:
            actions.log_contact(
                pupil=Pupil.objects.get(pk=row.pupil_id), school=school,
                method="call", outcome="no_answer", by=None, absence_on=day, contact="parent",
                note="Demo: no answer, voicemail full",
            )
            contacts += 1
    echo(f"Opened {len(cases)} penalty-notice cases, recorded {len(found)} returns to the LA and "
         f"{contacts} first-day calls")


def _last_open_day(school: School, today: dt.date) -> dt.date | None:
    calendar = school.calendar()
    for back in range(0, 21):
        day = today - dt.timedelta(days=back)
        if calendar.is_open(day, Session.AM):
            return day
    return None
