"""Leave of absence requests and part-time timetables: one keyword-only action each, audited.

Rules: `muster.core.rules.leave` and `muster.core.rules.part_time`. Marks go on the register
through `muster.registers.actions.record_marks`, so each has its batch (who, when, why) and the
mark it replaced stays in the history.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from muster.audit.log import record_event
from muster.audit.models import Action as AuditAction
from muster.core import codes
from muster.core.best_mark import OnConflict
from muster.core.rules import leave as leave_rules
from muster.core.rules import part_time as part_time_rules
from muster.core.rules.first_day import no_reason_codes
from muster.core.slots import Session
from muster.registers import store
from muster.registers.actions import MarkInput, record_marks
from muster.registers.models import Enrolment, MarkBatch, Pupil, School
from muster.statutory.actions import StatutoryError, _name
from muster.statutory.models import LeaveRequest, PartTimeTimetable

LEAVE = "leave_request"
PART_TIME = "part_time_timetable"


def _checked(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except ValueError as problem:
        raise StatutoryError(str(problem)) from None


def request_leave(
    *, pupil: Pupil, school: School, first_day: dt.date, last_day: dt.date, reason: str,
    requested_by: str, received_on: dt.date, by, first_session: str = "AM",
    last_session: str = "PM", in_writing: bool = True,
) -> LeaveRequest:
    """Record a parent's written request for leave, made in advance (seed 002 line 197)."""
    if not reason.strip() or not requested_by.strip():
        raise StatutoryError("a leave request needs the parent's name and their reason")
    _checked(leave_rules.check_request, first=first_day, first_session=Session(first_session),
             last=last_day, last_session=Session(last_session), received_on=received_on,
             in_writing=in_writing)
    request = LeaveRequest(
        pupil=pupil, school=school, first_day=first_day, first_session=first_session,
        last_day=last_day, last_session=last_session, reason=reason, requested_by=requested_by,
        received_on=received_on, in_writing=in_writing,
    )
    with transaction.atomic():
        request.save()
        record_event(user=by, action=AuditAction.CREATE, record_kind=LEAVE, record_id=request.pk,
                     pupil_id=pupil.pk, summary=f"Leave requested {first_day} to {last_day}")
    return request


def _sessions(request: LeaveRequest) -> list[tuple[Enrolment, dt.date, Session]]:
    calendar = request.school.calendar()
    enrolments = list(Enrolment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=request.first_day), pupil=request.pupil,
        school=request.school, start__lte=request.last_day,
    ))
    found = []
    for day, session in leave_rules.sessions_between(
        request.first_day, Session(request.first_session), request.last_day,
        Session(request.last_session), calendar.is_open,
    ):
        enrolment = next((e for e in enrolments if e.on_roll(day)), None)
        if enrolment is not None:
            found.append((enrolment, day, session))
    return found


def _existing_marks(request: LeaveRequest) -> dict[tuple[int, dt.date, Session], str | None]:
    enrolments = Enrolment.objects.filter(pupil=request.pupil, school=request.school)
    loaded = store.load(enrolments, request.first_day, request.last_day,
                        unit=store.Unit.ENROLMENT, look_back=False)
    matrix = loaded.matrix
    found = {}
    for row, enrolment_id in enumerate(loaded.enrolment_ids):
        day = request.first_day
        while day <= request.last_day:
            for session in (Session.AM, Session.PM):
                slot = matrix.slot(day, session)
                code_id = int(matrix.marks[row, slot]) if 0 <= slot < matrix.n_slots else codes.NO_MARK
                found[(int(enrolment_id), day, session)] = (
                    None if code_id == codes.NO_MARK else codes.BY_ID[code_id].symbol)
            day += dt.timedelta(days=1)
    return found


def _mark_leave(request: LeaveRequest, code: str, by, why: str) -> tuple[MarkBatch | None, int, int]:
    """Put `code` on the leave's sessions that have no mark or an unexplained absence; a
    present or otherwise explained session is left as it is and counted as kept."""
    existing = _existing_marks(request)
    replaceable = no_reason_codes(request.first_day) | {"O", leave_rules.approved_code(request.first_day),
                                                        leave_rules.refused_code(request.first_day)}
    marks, kept = [], 0
    for enrolment, day, session in _sessions(request):
        if leave_rules.replaceable_for_leave(existing.get((enrolment.pk, day, session)), code, replaceable):
            marks.append(MarkInput(enrolment.pk, day, session, codes.code(code),
                                   comment=f"leave request {request.pk}"))
        else:
            kept += 1
    if not marks:
        return None, 0, kept
    result = record_marks(
        marks=marks, source=MarkBatch.Source.CORRECTION,
        description=f"Leave request {request.pk}: {code}", user=by if getattr(by, "pk", None) else None,
        reason=why, on_conflict=OnConflict.REPLACE,
    )
    return result.batch, len(marks), kept


def decide_leave(
    *, request: LeaveRequest, approve: bool, answers: dict[str, bool], reasons: str, on: dt.date, by,
) -> LeaveRequest:
    """The headteacher's decision against "exceptional circumstances" (seed 002 lines 195-203).
    Approved leave pre-fills `C` on its sessions."""
    if request.status != LeaveRequest.Status.PENDING:
        raise StatutoryError(f"the request was already decided on {request.decided_on}")
    decision = _checked(leave_rules.decide, approve=approve, answers=answers, reasons=reasons, on=on)
    with transaction.atomic():
        request.status = LeaveRequest.Status.APPROVED if decision.approved else LeaveRequest.Status.REFUSED
        request.principles, request.decision_reasons = dict(answers), reasons
        request.decided_on, request.decided_by_name = on, _name(by)
        request.decided_by = by if getattr(by, "pk", None) else None
        written = 0
        if decision.approved:
            batch, written, _kept = _mark_leave(request, leave_rules.approved_code(on), by,
                                                "leave of absence approved")
            request.marks_batch = batch
        request.save()
        record_event(
            user=by, action=AuditAction.CHANGE, record_kind=LEAVE, record_id=request.pk,
            pupil_id=request.pupil_id,
            summary=f"Leave {request.status}" + (f": {written} sessions marked C" if written else "")
            + (f"; not {', '.join(decision.unmet)}" if decision.unmet else ""),
        )
    return request


def record_leave_taken(*, request: LeaveRequest, on: dt.date, by) -> int:
    """The pupil was taken out for the leave after it was refused: its sessions are `G`
    (reference 1; seed 002 line 197). Sessions where the pupil came in are kept."""
    if request.status != LeaveRequest.Status.REFUSED:
        raise StatutoryError("only leave that was refused is recorded as taken after refusal")
    with transaction.atomic():
        batch, written, kept = _mark_leave(request, leave_rules.refused_code(on), by,
                                           "leave taken after refusal")
        request.taken_after_refusal_on, request.marks_batch = on, batch or request.marks_batch
        request.save()
        record_event(user=by, action=AuditAction.CHANGE, record_kind=LEAVE, record_id=request.pk,
                     pupil_id=request.pupil_id,
                     summary=f"Leave taken after refusal: {written} sessions marked G, {kept} kept")
    return written


# Part-time timetables ----------------------------------------------------------------------


def record_part_time_timetable(
    *, pupil: Pupil, school: School, start: dt.date, end: dt.date | None, review_on: dt.date | None,
    reason: str, by, agreed_with: str = "", as_found: bool = False, note: str = "",
) -> PartTimeTimetable:
    """A temporary part-time timetable (C2) with its start, end and review dates (issue 4
    item 6). `as_found` records one already running without them (it is then flagged)."""
    if not reason.strip():
        raise StatutoryError("say why the pupil is on a part-time timetable")
    if not as_found:
        _checked(part_time_rules.check_dates, start, end, review_on)
    timetable = PartTimeTimetable(
        pupil=pupil, school=school, start=start, end=end, review_on=review_on, reason=reason,
        agreed_with=agreed_with, created_by_name=_name(by), created_at=timezone.now(), note=note,
    )
    with transaction.atomic():
        timetable.save()
        record_event(user=by, action=AuditAction.CREATE, record_kind=PART_TIME, record_id=timetable.pk,
                     pupil_id=pupil.pk, summary=f"Part-time timetable from {start} to {end or '(no end)'}"
                     + (" recorded as found" if as_found else ""))
    return timetable


def review_part_time_timetable(
    *, timetable: PartTimeTimetable, on: dt.date, by, next_review_on: dt.date | None = None,
    end: dt.date | None = None, close: bool = False, note: str = "",
) -> PartTimeTimetable:
    """A review: the timetable goes on to a next review (and maybe a new end) or is closed."""
    before = {"review_on": str(timetable.review_on), "end": str(timetable.end)}
    timetable.reviewed_on = on
    if close:
        timetable.closed_on = on
    else:
        timetable.end = end or timetable.end
        timetable.review_on = next_review_on
        _checked(part_time_rules.check_dates, on, timetable.end, timetable.review_on)
    if note:
        timetable.note = f"{timetable.note}\n{on}: {note}".strip()
    with transaction.atomic():
        timetable.save()
        record_event(user=by, action=AuditAction.CHANGE, record_kind=PART_TIME, record_id=timetable.pk,
                     pupil_id=timetable.pupil_id, before=before,
                     after={"review_on": str(timetable.review_on), "end": str(timetable.end),
                            "closed_on": str(timetable.closed_on)},
                     summary=f"Part-time timetable reviewed on {on}" + (": closed" if close else ""))
    return timetable


def part_time_flags(timetable: PartTimeTimetable, on: dt.date) -> list[str]:
    return part_time_rules.flags(part_time_rules.Timetable(
        timetable.start, timetable.end, timetable.review_on, timetable.reviewed_on, timetable.closed_on,
    ), on)


UNTRACKED_COLUMNS = ("upn", "school_urn", "c2_sessions", "untracked_days", "first_untracked", "last_untracked")


def untracked_c2(*, school: School, on: dt.date, enrolments=None) -> list[dict]:
    """Pupils at `school` with `C2` marks this school year on days no recorded part-time
    timetable covers: a part-time timetable that is not tracked (seed 004 line 150)."""
    from muster.core import slots

    first = slots.year_start(slots.academic_year(on))
    rows = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(school=school, start__lte=on)
    loaded = store.load(rows, first, on, unit=store.Unit.ENROLMENT, look_back=False)
    matrix = loaded.matrix
    start, end = matrix.slot_range(first, on)
    c2 = matrix.marks[:, start:end] == codes.code("C2").id
    marked_rows = [r for r in range(c2.shape[0]) if c2[r].any()]
    if not marked_rows:
        return []
    enrolment_pupils = dict(Enrolment.objects.filter(
        pk__in=[int(loaded.enrolment_ids[r]) for r in marked_rows]).values_list("pk", "pupil_id"))
    timetables: dict[int, list] = {}
    for t in PartTimeTimetable.objects.filter(school=school, pupil_id__in=set(enrolment_pupils.values())):
        timetables.setdefault(t.pupil_id, []).append(
            part_time_rules.Timetable(t.start, t.end, t.review_on, t.reviewed_on, t.closed_on))
    upns = dict(Pupil.objects.filter(pk__in=set(enrolment_pupils.values())).values_list("pk", "upn"))
    found = []
    for r in marked_rows:
        pupil_id = enrolment_pupils[int(loaded.enrolment_ids[r])]
        days = [matrix.day_of_slot(start + int(s)) for s in c2[r].nonzero()[0]]
        untracked = part_time_rules.untracked_days(days, timetables.get(pupil_id, []))
        if untracked:
            found.append({"upn": upns[pupil_id], "school_urn": school.urn, "c2_sessions": len(days),
                          "untracked_days": len(untracked), "first_untracked": str(untracked[0]),
                          "last_untracked": str(untracked[-1])})
    return sorted(found, key=lambda row: row["upn"])
