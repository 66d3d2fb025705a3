"""Correcting one mark, as a member of staff does from a register page.

Issue "People, roles and trust", Concurrency: "two staff correcting the same register at once
lose nothing: the second save sees a conflict with both values shown (optimistic locking)".
The person's page holds the register's version and the mark it showed them; if the mark has
changed since, their save is refused with what they saw, what is there now and what they
wanted, and nothing is written. A change elsewhere in the same register does not stop them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from muster.audit.log import record_event
from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.exchange.csv_file import FileRejected, RowError
from muster.core.exchange.marks_file import check_marks
from muster.registers.actions import MarkInput, RecordResult, record_marks
from muster.registers.imports import DatabaseMarksContext
from muster.registers.models import Enrolment, MarkBatch, RegisterYear


@dataclass(frozen=True)
class SeenMark:
    """What the person's page showed when they started: the register's version and the mark."""

    version: int
    code: str
    """The mark's symbol, or "" for none."""


class MarkConflict(Exception):
    """Someone else changed this mark since the page was shown: both values, nothing saved."""

    def __init__(self, *, day: dt.date, session: slots.Session, seen: str, now: str, wanted: str):
        self.day, self.session, self.seen, self.now, self.wanted = day, session, seen, now, wanted
        super().__init__(
            f"{day:%a %d %b %Y} {session}: the mark was {seen or 'blank'} when you opened the "
            f"register and is now {now or 'blank'} (changed by someone else); you entered "
            f"{wanted}. Nothing was saved: check which is right and save again."
        )


def seen_mark(enrolment: Enrolment, day: dt.date, session: slots.Session) -> SeenMark:
    year, slot = slots.slot_of(day, session)
    register = RegisterYear.objects.filter(enrolment=enrolment, academic_year=year).first()
    if register is None:
        return SeenMark(0, "")
    code_id = int(register.codes()[slot])
    return SeenMark(register.version, codes.BY_ID[code_id].symbol if code_id else "")


def correct_mark(
    *,
    enrolment: Enrolment,
    day: dt.date,
    session: slots.Session,
    code: str,
    reason: str,
    user,
    seen: SeenMark,
    minutes_late: int | None = None,
    comment: str = "",
) -> RecordResult:
    """Replace one mark, keeping the old one in its history, unless it changed since `seen`."""
    if not reason.strip():
        raise ValueError("say why the mark is being corrected")
    row = {
        "upn": enrolment.pupil.upn, "school_urn": enrolment.school.urn, "date": day.isoformat(),
        "session": session.value, "mark": code,
        "minutes_late": "" if minutes_late is None else str(minutes_late), "comment": comment,
    }
    errors: list[RowError] = []
    context = DatabaseMarksContext({enrolment.pupil.upn}, {enrolment.school.urn})
    checked = check_marks([(1, row)], context, file="correction", errors=errors)
    if errors:
        raise FileRejected(errors)
    mark = checked[0]
    year, slot = slots.slot_of(day, session)
    with transaction.atomic():
        register = (
            RegisterYear.objects.select_for_update().filter(enrolment=enrolment, academic_year=year).first()
        )
        if register is not None and register.version != seen.version:
            now_id = int(register.codes()[slot])
            now = codes.BY_ID[now_id].symbol if now_id else ""
            if now != seen.code:
                raise MarkConflict(day=day, session=session, seen=seen.code, now=now, wanted=code)
        result = record_marks(
            marks=[MarkInput(mark.enrolment, day, session, mark.code, mark.minutes_late, mark.comment)],
            source=MarkBatch.Source.CORRECTION, description=f"{enrolment} {day} {session}",
            user=user, reason=reason, on_conflict=OnConflict.REPLACE,
        )
        record_event(
            user=user, action="change", record_kind="register", record_id=f"{enrolment.pk}:{day}:{session}",
            pupil_id=enrolment.pupil_id, summary=f"Corrected the mark for {day} {session}",
            purpose=reason, before={"mark": seen.code}, after={"mark": code, "minutes_late": minutes_late},
        )
    return result
