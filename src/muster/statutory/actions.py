"""The steps of the statutory workflows, one keyword-only function each, audited.

Command line, admin and pages call these alike. The rules come from `muster.core.rules`;
nothing here decides a threshold, a count or an amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from muster.audit.log import record_event
from muster.audit.models import Action as AuditAction
from muster.core import codes, figures, slots
from muster.core.best_mark import OnConflict
from muster.core.rules import returns as return_rules
from muster.core.rules.lateness import arrival_mark
from muster.core.rules.penalty_notice import ThresholdRule, evidence
from muster.core.rules.penalty_notice_case import (
    check_improvement_period,
    check_next_stage,
    window_weeks,
)
from muster.core.rules.penalty_notice_offences import IssuedNotice, next_notice
from muster.core.rules.returns import ReturnKind
from muster.people.models import Involvement
from muster.registers import store
from muster.registers.actions import MarkInput, record_marks
from muster.registers.models import NC_YEARS, Enrolment, MarkBatch, Pupil, School
from muster.statutory.models import (
    CaseStep,
    ContactAttempt,
    LaReturn,
    PenaltyNotice,
    PenaltyNoticeCase,
)

CONTACT = "contact_attempt"
CASE = "penalty_notice_case"
RETURN = "la_return"


class StatutoryError(ValueError):
    """A step the rules do not allow, in words for the person who asked."""


def _name(user) -> str:
    return getattr(user, "username", "") or "system"


# First-day calling -------------------------------------------------------------------------


def log_contact(
    *, pupil: Pupil, school: School, method: str, outcome: str, by, absence_on: dt.date,
    made_at: dt.datetime | None = None, contact: str = "", note: str = "",
) -> ContactAttempt:
    """Record one try to reach the family about an absence (seed 002 lines 128-131)."""
    attempt = ContactAttempt(
        pupil=pupil, school=school, method=ContactAttempt.Method(method),
        outcome=ContactAttempt.Outcome(outcome), made_by=by if getattr(by, "pk", None) else None,
        made_by_name=_name(by), made_at=made_at or timezone.now(), absence_on=absence_on,
        contact=contact, note=note,
    )
    attempt.full_clean()
    with transaction.atomic():
        attempt.save()
        record_event(
            user=by, action=AuditAction.CREATE, record_kind=CONTACT, record_id=attempt.pk,
            pupil_id=pupil.pk,
            summary=f"Logged {attempt.get_method_display().lower()} about absence on {absence_on}: "
            f"{attempt.get_outcome_display().lower()}",
        )
    return attempt


# Lateness ----------------------------------------------------------------------------------


def record_arrival(
    *, enrolment: Enrolment, day: dt.date, session: slots.Session, arrived: dt.time, by,
    note: str = "",
):
    """A late arrival signed in at the office: `L` or `U` from the school's register times,
    with the minutes late (reference 1; seed 002 lines 150-158). The mark replaces the one the
    register was taken with (usually `N`), which stays in the mark's history."""
    school = enrolment.school
    afternoon = slots.Session(session) is slots.Session.PM
    opens = school.pm_register_opens if afternoon else school.am_register_opens
    closes = school.pm_register_closes if afternoon else school.am_register_closes
    try:
        mark = arrival_mark(arrived, opens, closes, afternoon=afternoon)
    except ValueError as problem:
        raise StatutoryError(f"{school}: {problem}") from None
    if not school.calendar().is_open(day, slots.Session(session)) or not enrolment.on_roll(day):
        raise StatutoryError(f"{enrolment.pupil.upn} has no open session at {school.urn} on {day} {session}")
    comment = f"arrived {arrived:%H:%M}" + (f"; {note}" if note else "")
    with transaction.atomic():
        result = record_marks(
            marks=[MarkInput(enrolment.pk, day, slots.Session(session), codes.code(mark.code),
                             mark.minutes_late or None, comment)],
            source=MarkBatch.Source.REGISTER, description=f"Late arrival at {school.urn}",
            user=by if getattr(by, "pk", None) else None, reason="late arrival signed in",
            on_conflict=OnConflict.REPLACE,
        )
        record_event(
            user=by, action=AuditAction.CHANGE, record_kind="register", record_id=enrolment.pk,
            pupil_id=enrolment.pupil_id,
            summary=f"Late arrival {day} {session}: {mark.code}, {mark.minutes_late} minutes late",
        )
    return mark, result


# Penalty-notice cases ----------------------------------------------------------------------


def _threshold_for(enrolments: QuerySet[Enrolment], first: dt.date, on: dt.date):
    loaded = store.load(enrolments, first, on)
    rule = ThresholdRule.national(on)
    result = figures.compute(loaded.matrix, first, on, rule)
    return loaded, rule, result.pn_met_slot


def _case_from(loaded, rule, unit: int, met_slot: int, *, school: School, opened_on: dt.date):
    matrix = loaded.matrix
    schools = dict(
        Enrolment.objects.filter(pk__in=[int(e) for e in loaded.enrolment_ids]).values_list("pk", "school__urn")
    )
    sessions = evidence(matrix, unit, met_slot, rule)
    mondays = window_weeks(matrix, unit, met_slot, rule)
    return PenaltyNoticeCase(
        pupil_id=int(loaded.unit_ids[unit]), school=school, opened_on=opened_on,
        threshold_met_on=matrix.day_of_slot(met_slot),
        threshold_met_session=matrix.session_of_slot(met_slot).value,
        window_first_week=mondays[0], window_last_week=mondays[-1],
        school_weeks=[m.isoformat() for m in mondays],
        evidence=[
            {"date": s.day.isoformat(), "session": s.session, "code": s.code,
             "school_urn": schools[int(loaded.enrolment_ids[s.row])]}
            for s in sessions
        ],
        rule=f"{rule.sessions} sessions of {', '.join(sorted(rule.codes))} in {rule.school_weeks} "
        f"school weeks: {rule.reference}"[:300],
    )


def _save_case(case: PenaltyNoticeCase, by, note: str) -> PenaltyNoticeCase:
    case.full_clean()
    with transaction.atomic():
        case.save()
        authority = case.school.local_authority
        if authority is not None:
            # The pupil is now in a statutory workflow: in the LA attendance officer's reach
            # (muster.core.roles, Scope.LA_INVOLVEMENT).
            Involvement.objects.get_or_create(
                pupil_id=case.pupil_id, local_authority=authority,
                reason=Involvement.Reason.STATUTORY, ends=None,
                defaults={"starts": case.opened_on, "note": "Penalty-notice case"},
            )
        CaseStep.objects.create(
            case=case, stage=PenaltyNoticeCase.Stage.OPENED, on=case.opened_on,
            by=by if getattr(by, "pk", None) else None, by_name=_name(by),
            note=note or f"Threshold met on {case.threshold_met_on} {case.threshold_met_session}",
        )
        record_event(
            user=by, action=AuditAction.CREATE, record_kind=CASE, record_id=case.pk,
            pupil_id=case.pupil_id,
            summary=f"Opened a penalty-notice case: threshold met on {case.threshold_met_on} "
            f"({len(case.evidence)} sessions in {len(case.school_weeks)} school weeks)",
        )
    return case


def _earliest_new(pupil_id: int, year_first: dt.date) -> dt.date:
    """A new case counts sessions after the threshold date of the pupil's last case."""
    last = (
        PenaltyNoticeCase.objects.filter(pupil_id=pupil_id).order_by("-threshold_met_on")
        .values_list("threshold_met_on", flat=True).first()
    )
    if last is None:
        return year_first
    return max(year_first, last + dt.timedelta(days=1))


def open_penalty_notice_case(
    *, pupil: Pupil, school: School, on: dt.date, by, note: str = ""
) -> PenaltyNoticeCase:
    """Open a case for a pupil who has met the threshold by `on`, with its evidence.

    The registers of every school the pupil has been at are read (seed 002 line 189: the 10
    school weeks can span settings). Refused if the pupil already has an open case or has not
    met the threshold since their last case.
    """
    if PenaltyNoticeCase.objects.filter(pupil=pupil, closed_on__isnull=True).exists():
        raise StatutoryError(f"{pupil.upn} already has an open penalty-notice case")
    first = _earliest_new(pupil.pk, on - dt.timedelta(days=365))
    loaded, rule, met = _threshold_for(Enrolment.objects.filter(pupil=pupil), first, on)
    if not len(met) or met[0] < 0:
        raise StatutoryError(
            f"{pupil.upn} has not met the penalty-notice threshold between {first} and {on} "
            f"({rule.sessions} sessions of {', '.join(sorted(rule.codes))} in {rule.school_weeks} school weeks)"
        )
    case = _case_from(loaded, rule, 0, int(met[0]), school=school, opened_on=on)
    return _save_case(case, by, note)


def detect_penalty_notice_cases(
    *, on: dt.date, by=None, enrolments: QuerySet[Enrolment] | None = None
) -> list[PenaltyNoticeCase]:
    """Open a case for every pupil who met the threshold this school year and has no case
    since (seed 002 line 189: the threshold is when a notice "must be considered")."""
    year_first = slots.year_start(slots.academic_year(on))
    enrolments = (enrolments if enrolments is not None else Enrolment.objects.all()).filter(
        start__lte=on
    )
    loaded, rule, met = _threshold_for(enrolments, year_first, on)
    opened = []
    for unit in np.flatnonzero(met >= 0):
        pupil_id = int(loaded.unit_ids[unit])
        met_day = loaded.matrix.day_of_slot(int(met[unit]))
        if met_day < _earliest_new(pupil_id, year_first):
            continue
        if PenaltyNoticeCase.objects.filter(pupil_id=pupil_id, closed_on__isnull=True).exists():
            continue
        school = _school_at(loaded, unit, int(met[unit]))
        case = _case_from(loaded, rule, int(unit), int(met[unit]), school=school, opened_on=on)
        opened.append(_save_case(case, by, "Opened by the daily check of the threshold"))
    return opened


def advance_penalty_notice_case(
    *, case: PenaltyNoticeCase, stage: str, on: dt.date, by, note: str = "",
    improvement_weeks: int | None = None,
) -> PenaltyNoticeCase:
    """Move a case along the "support first" path (reference 4.1, 4.3). The decision is
    `decide_penalty_notice_case`."""
    if not case.is_open:
        raise StatutoryError("the case is closed")
    stage = PenaltyNoticeCase.Stage(stage)
    if stage is PenaltyNoticeCase.Stage.DECIDED:
        raise StatutoryError("record the decision with decide_penalty_notice_case")
    try:
        check_next_stage(case.stage, stage.value)
    except ValueError as problem:
        raise StatutoryError(str(problem)) from None
    before = {"stage": case.stage}
    if stage is PenaltyNoticeCase.Stage.NOTICE_TO_IMPROVE:
        if improvement_weeks is None:
            raise StatutoryError("a notice to improve needs its improvement period in weeks")
        try:
            check_improvement_period(improvement_weeks, on)
        except ValueError as problem:
            raise StatutoryError(str(problem)) from None
        case.improvement_weeks = improvement_weeks
        case.improvement_ends_on = on + dt.timedelta(weeks=improvement_weeks)
    case.stage = stage.value
    with transaction.atomic():
        case.save()
        CaseStep.objects.create(
            case=case, stage=stage.value, on=on, by=by if getattr(by, "pk", None) else None,
            by_name=_name(by), note=note,
        )
        record_event(
            user=by, action=AuditAction.CHANGE, record_kind=CASE, record_id=case.pk,
            pupil_id=case.pupil_id, summary=f"Penalty-notice case: {stage.label}",
            before=before, after={"stage": case.stage},
        )
    return case


def notice_history(pupil: Pupil) -> list[IssuedNotice]:
    """Every notice issued for this child, at any school (the history follows the pupil)."""
    return [
        IssuedNotice(n.parent, str(n.pupil_id), n.issued_on, n.withdrawn)
        for n in PenaltyNotice.objects.filter(pupil=pupil)
    ]


def decide_penalty_notice_case(
    *, case: PenaltyNoticeCase, route: str, on: dt.date, by, parents: Sequence[str] = (),
    note: str = "",
) -> list[PenaltyNotice]:
    """Record the decision. For a penalty notice, one per parent named (reference 4.4: each
    parent, per child), each the offence the 2-in-3-years rule makes it; a parent past two
    notices gets none and the decision says to refer for other action."""
    if not case.is_open:
        raise StatutoryError("the case is closed")
    route = PenaltyNoticeCase.Route(route)
    try:
        check_next_stage(case.stage, PenaltyNoticeCase.Stage.DECIDED.value)
    except ValueError as problem:
        raise StatutoryError(str(problem)) from None
    if route is PenaltyNoticeCase.Route.PENALTY_NOTICE and not parents:
        raise StatutoryError("name each parent a notice is to be issued to")
    history = notice_history(case.pupil)
    issued, refused = [], []
    for parent in parents if route is PenaltyNoticeCase.Route.PENALTY_NOTICE else ():
        nxt = next_notice(history, parent, str(case.pupil_id), on)
        if not nxt.notice:
            refused.append(f"{parent}: {nxt.offence.instruction}")
            continue
        issued.append(
            PenaltyNotice(
                case=case, pupil=case.pupil, parent=parent, offence=nxt.number, issued_on=on,
                amounts=[
                    {"amount_pence": p.amount_pence, "pay_by": p.pay_by.isoformat(), "source": p.source}
                    for p in nxt.payments(on)
                ],
            )
        )
    with transaction.atomic():
        for notice in issued:
            notice.save()
        case.stage = PenaltyNoticeCase.Stage.DECIDED
        case.route = route.value
        case.decided_on = on
        case.closed_on = on
        case.save()
        text = "; ".join([note, *refused]).strip("; ")
        CaseStep.objects.create(
            case=case, stage=case.stage, on=on, by=by if getattr(by, "pk", None) else None,
            by_name=_name(by), note=f"{route.label}. {text}".strip(),
        )
        record_event(
            user=by, action=AuditAction.CHANGE, record_kind=CASE, record_id=case.pk,
            pupil_id=case.pupil_id,
            summary=f"Penalty-notice case decided: {route.label}; {len(issued)} notice(s) issued"
            + (f", {len(refused)} parent(s) past the limit" if refused else ""),
        )
    return issued


def withdraw_penalty_notice(*, notice: PenaltyNotice, on: dt.date, by, reason: str) -> PenaltyNotice:
    """Withdraw a notice: it stays on record and no longer counts (reference 4.4)."""
    if notice.withdrawn:
        raise StatutoryError("the notice is already withdrawn")
    if not reason.strip():
        raise StatutoryError("give the reason for withdrawing the notice")
    notice.withdrawn, notice.withdrawn_on, notice.withdrawn_reason = True, on, reason
    with transaction.atomic():
        notice.save()
        record_event(
            user=by, action=AuditAction.CHANGE, record_kind=CASE, record_id=notice.case_id,
            pupil_id=notice.pupil_id, summary=f"Withdrew penalty notice to {notice.parent} of {notice.issued_on}",
            before={"withdrawn": False}, after={"withdrawn": True, "reason": reason},
        )
    return notice


# Returns to the local authority ------------------------------------------------------------


def _school_at(loaded, unit: int, slot: int) -> School:
    """The school whose register holds the session: the row of the unit with a mark there."""
    rows = np.flatnonzero(loaded.matrix.unit == unit)
    marked = [r for r in rows if loaded.matrix.marks[r, slot] != codes.NO_MARK] or list(rows)
    enrolment = int(loaded.enrolment_ids[marked[0]])
    return Enrolment.objects.select_related("school").get(pk=enrolment).school


def _new_return(kind: ReturnKind, pupil_id: int, school: School, met_on: dt.date, ground: str = ""):
    return dict(
        kind=kind.value, pupil_id=pupil_id, school=school, met_on=met_on, ground=ground,
        due_on=return_rules.due_on(kind, met_on),
    )


def _first_day_of_year(school: School, year: int) -> dt.date | None:
    """The first day of the school's first term in the year (an INSET day included)."""
    return (
        school.calendar_entries.filter(
            kind="term", start__gte=slots.year_start(year), start__lte=slots.year_end(year)
        ).order_by("start").values_list("start", flat=True).first()
    )


def _new_entries(enrolments: QuerySet[Enrolment], first: dt.date, on: dt.date) -> list[dict]:
    """New pupil returns: every name entered from `first` to `on`, except pupils placed in the
    school's most junior class who start on the first day of the school year (reference 5.2)."""
    found = []
    starters = enrolments.filter(start__gte=first, start__lte=on).select_related("school", "pupil")
    lowest: dict[int, str] = {}
    first_days: dict[int, dt.date | None] = {}
    for enrolment in starters:
        school = enrolment.school
        if school.pk not in lowest:
            years = set(Enrolment.objects.filter(school=school).values_list("pupil__nc_year", flat=True))
            lowest[school.pk] = min(years, key=NC_YEARS.index)
            first_days[school.pk] = _first_day_of_year(school, slots.academic_year(enrolment.start))
        if enrolment.start == first_days[school.pk] and enrolment.pupil.nc_year == lowest[school.pk]:
            continue
        found.append(_new_return(ReturnKind.NEW_ENTRY, enrolment.pupil_id, school, enrolment.start))
    return found


def detect_returns(
    *, on: dt.date, by=None, enrolments: QuerySet[Enrolment] | None = None
) -> list[LaReturn]:
    """Record every return met from the start of the school year of `on` to `on` and not yet
    recorded: attendance, sickness, deletion ground 9(1)(i) (from the marks) and new entries
    (from the admission register). Returns the new ones."""
    year_first = slots.year_start(slots.academic_year(on))
    enrolments = enrolments if enrolments is not None else Enrolment.objects.all()
    loaded = store.load(enrolments.filter(start__lte=on), year_first, on)
    matrix = loaded.matrix
    start = max(0, matrix.slot(year_first))
    found: list[dict] = []
    detected = (
        (ReturnKind.ATTENDANCE, return_rules.attendance_returns(matrix, on, start), ""),
        (ReturnKind.SICKNESS, return_rules.sickness_returns(matrix, on, start), ""),
        (ReturnKind.DELETION, return_rules.deletion_ground_i(matrix, on, start),
         return_rules.GROUND_CONTINUOUS_ABSENCE),
    )
    for kind, met, ground in detected:
        for m in met:
            pupil_id = int(loaded.unit_ids[m.unit])
            if kind is ReturnKind.SICKNESS and _sickness_return_in_year(pupil_id, m.day):
                continue  # one per pupil per school year, raised early or not (reference 0)
            school = _school_at(loaded, m.unit, m.slot)
            found.append(_new_return(kind, pupil_id, school, m.day, ground))
    found += _new_entries(enrolments, year_first, on)
    created = []
    with transaction.atomic():
        for row in found:
            keys = {k: row[k] for k in ("kind", "pupil_id", "school", "met_on")}
            record, new = LaReturn.objects.get_or_create(**keys, defaults=row)
            if new:
                created.append(record)
        if created:
            record_event(
                user=by, action=AuditAction.CREATE, record_kind=RETURN,
                summary=f"Detected {len(created)} returns to the local authority on {on}",
                after={k.value: sum(r.kind == k.value for r in created) for k in ReturnKind},
            )
    return created


def _sickness_return_in_year(pupil_id: int, day: dt.date) -> bool:
    year = slots.academic_year(day)
    return LaReturn.objects.filter(
        pupil_id=pupil_id, kind=ReturnKind.SICKNESS.value,
        met_on__gte=slots.year_start(year), met_on__lte=slots.year_end(year),
    ).exclude(status=LaReturn.Status.CANCELLED).exists()


def raise_sickness_return(*, pupil: Pupil, school: School, on: dt.date, by, note: str) -> LaReturn:
    """Staff raise the sickness return before the count reaches 15 days, because they
    reasonably believe the pupil will miss 15 school days (reference 5.2 and section 0:
    "staff may also raise one early"). One per pupil per school year."""
    if _sickness_return_in_year(pupil.pk, on):
        raise StatutoryError(f"{pupil.upn} already has a sickness return this school year")
    if not note.strip():
        raise StatutoryError("say why the pupil is expected to miss 15 school days")
    record = LaReturn(**_new_return(ReturnKind.SICKNESS, pupil.pk, school, on), note=note)
    record.full_clean()
    with transaction.atomic():
        record.save()
        record_event(
            user=by, action=AuditAction.CREATE, record_kind=RETURN, record_id=record.pk,
            pupil_id=pupil.pk, summary=f"Sickness return raised early on {on}",
        )
    return record


def record_deletion_return(
    *, pupil: Pupil, school: School, ground: str, on: dt.date, by, note: str = ""
) -> LaReturn:
    """A deletion notification on a ground staff know (reference 5.3: the 15 grounds)."""
    if ground not in return_rules.DELETION_GROUNDS:
        raise StatutoryError(f"{ground!r} is not a ground of regulation 9(1): "
                             f"{', '.join(return_rules.DELETION_GROUNDS)}")
    record = LaReturn(**_new_return(ReturnKind.DELETION, pupil.pk, school, on, ground), note=note)
    record.full_clean()
    with transaction.atomic():
        record.save()
        record_event(
            user=by, action=AuditAction.CREATE, record_kind=RETURN, record_id=record.pk,
            pupil_id=pupil.pk, summary=f"Deletion return, ground {ground}, due {record.due_on}",
        )
    return record


def mark_returns_exported(*, returns: Iterable[LaReturn], on: dt.date, by) -> int:
    """The returns were sent to the local authority (in an export) on `on`."""
    records = [r for r in returns if r.status == LaReturn.Status.DUE]
    with transaction.atomic():
        for record in records:
            record.status, record.exported_on = LaReturn.Status.SENT, on
            record.save(update_fields=["status", "exported_on"])
        if records:
            record_event(
                user=by, action=AuditAction.EXPORT, record_kind=RETURN,
                summary=f"Exported {len(records)} returns to the local authority on {on}",
                after=[r.pk for r in records],
            )
    return len(records)
