"""Planting one data-quality problem of each kind in the demo, for `muster lint` to find.

Called by `muster.registers.demo.build_demo` once the registers exist. The demo's own registers
are clean for the rules of `muster.core.data_quality` except for one thing real schools also do:
a pupil's last `N` marks before leaving stay `N`. Those are first resolved as a school would,
to `O` with the reason, so that the planted problems are the only findings. Each planted problem
is recorded in `PlantedProblem`. Marks go through `record_marks` (with their history, as one
correction with its reason) where a mark is written; a mark removed is written directly, since
no action removes a mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
from stdnum.gb import upn as upn_check

from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.data_quality import Rule
from muster.core.parameters import national
from muster.interop.data_checks import findings_in_registers
from muster.interop.models import PlantedProblem
from muster.registers.actions import MarkInput, record_marks
from muster.registers.models import Enrolment, MarkBatch, Pupil, RegisterYear

PRESENT = {codes.code("/").id, codes.code("\\").id}


def plant_data_quality_problems(*, today: dt.date, echo: Callable[[str], object] = print) -> list[PlantedProblem]:
    PlantedProblem.objects.all().delete()
    typed: list[MarkInput] = []
    resolved = _resolve_stale_n_marks(today)
    candidates = _candidates(today)
    planted: list[PlantedProblem] = []
    plans = [_unmarked, _unresolved_n, _closed_day, _retired_code, _dual_without_pair, _duplicate]
    for plan in plans:
        while candidates:
            enrolment, register = candidates.pop(0)
            found = plan(enrolment, register, today, typed)
            if found:
                planted += found
                break
    planted += _outside_enrolment(today, typed)
    record_marks(marks=typed, source=MarkBatch.Source.CORRECTION, on_conflict=OnConflict.REPLACE,
                 description="Demo correction",
                 reason="A mistaken change, planted for the data-quality checks (muster lint)")
    PlantedProblem.objects.bulk_create(planted)
    echo(f"Planted {len(planted)} data-quality problems for muster lint "
         f"({resolved} stale N marks set to O first)")
    return planted


def _resolve_stale_n_marks(today: dt.date) -> int:
    rows = list(Enrolment.objects.values_list("pk", "pupil__upn", "school__urn", "school_id", "start",
                                              "end", "registration"))
    n_days = national("data_quality", "n_code_school_days").value_on(today)
    stale = [f for f in findings_in_registers(rows, today, n_days) if f.rule is Rule.N_UNRESOLVED]
    enrolment_of = {(upn, urn): pk for pk, upn, urn, *_ in rows}
    marks = [
        MarkInput(enrolment_of[(f.upn, f.school_urn)], f.day, slots.Session(f.session), codes.code("O"))
        for f in stale
    ]
    if marks:
        record_marks(marks=marks, source=MarkBatch.Source.CORRECTION, description="Demo correction",
                     reason="No reason given after five school days of follow-up.",
                     on_conflict=OnConflict.REPLACE)
    return len(marks)


def _candidates(today: dt.date) -> list[tuple[Enrolment, RegisterYear]]:
    """Pupils of one enrolment, single, on roll all this year, not in care: their registers
    touch nothing else in the demo. In URN then UPN order, so a seed always plants the same, at
    the first school first (the demo staff's school, `muster.people.demo`)."""
    year = slots.academic_year(today)
    single = (
        Enrolment.objects.filter(registration="single", end__isnull=True, start__lt=slots.year_start(year),
                                 pupil__looked_after=False)
        .exclude(pupil__enrolments__registration__in=["main", "subsidiary"])
        .select_related("pupil", "school")
        .order_by("school__urn", "pupil__upn")
    )
    found = []
    for enrolment in single:
        if Enrolment.objects.filter(pupil_id=enrolment.pupil_id).count() != 1:
            continue
        register = RegisterYear.objects.filter(enrolment=enrolment, academic_year=year).first()
        if register is not None:
            found.append((enrolment, register))
        if len(found) >= 40:
            break
    return found


def _problem(rule: Rule, enrolment: Enrolment, day: dt.date | None, session: str, description: str,
             upn: str | None = None) -> PlantedProblem:
    return PlantedProblem(rule=rule.value, upn=upn or enrolment.pupil.upn, school_urn=enrolment.school.urn,
                          day=day, session=session, description=description)


def _present_slot(enrolment: Enrolment, register: RegisterYear, today: dt.date, school_days_back: int):
    """A present mark on an open session about `school_days_back` school days before today."""
    marks = register.codes()
    open_slots = enrolment.school.calendar().open_slots(register.academic_year)
    _, today_slot = slots.slot_of(today, slots.Session.AM)
    present = np.flatnonzero(open_slots & np.isin(marks, list(PRESENT)) & (np.arange(len(marks)) < today_slot))
    if len(present) < 2 * school_days_back:
        return None
    slot = int(present[-2 * school_days_back])
    day, session = slots.date_of(register.academic_year, slot)
    return slot, day, session


def _write(typed: list[MarkInput], enrolment: Enrolment, day: dt.date, session: slots.Session,
           symbol: str) -> None:
    """A mark a planted problem needs; all are written together as one register batch."""
    typed.append(MarkInput(enrolment.pk, day, session, codes.code(symbol)))


def _unmarked(enrolment, register, today, typed):
    found = _present_slot(enrolment, register, today, 12)
    if found is None:
        return None
    slot, day, session = found
    marks = register.codes().copy()
    marks[slot] = codes.NO_MARK
    RegisterYear.objects.filter(pk=register.pk).update(marks=marks.tobytes(), version=register.version + 1)
    return [_problem(Rule.UNMARKED, enrolment, day, session.value, "A mark removed: the session is unmarked")]


def _unresolved_n(enrolment, register, today, typed):
    found = _present_slot(enrolment, register, today, 15)
    if found is None:
        return None
    _, day, session = found
    _write(typed, enrolment, day, session, "N")
    return [_problem(Rule.N_UNRESOLVED, enrolment, day, session.value, "N left unresolved")]


def _closed_day(enrolment, register, today, typed):
    saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7 + 7)
    if slots.academic_year(saturday) != register.academic_year:
        return None
    _write(typed, enrolment, saturday, slots.Session.AM, "/")
    return [_problem(Rule.CLOSED_DAY, enrolment, saturday, "AM", "Present on a Saturday")]


def _retired_code(enrolment, register, today, typed):
    found = _present_slot(enrolment, register, today, 20)
    if found is None:
        return None
    _, day, session = found
    _write(typed, enrolment, day, session, "H")
    return [_problem(Rule.RETIRED_CODE, enrolment, day, session.value, "H (withdrawn 2024) used")]


def _dual_without_pair(enrolment, register, today, typed):
    Enrolment.objects.filter(pk=enrolment.pk).update(registration="main")
    return [_problem(Rule.DUAL_WITHOUT_PAIR, enrolment, enrolment.start, "",
                     "Registered as main with no subsidiary school")]


def _duplicate(enrolment, register, today, typed):
    """The same child admitted again today under a second, invented UPN."""
    pupil = enrolment.pupil
    body = pupil.upn[1:]
    for serial in range(999, 0, -1):
        new_body = body[:9] + f"{serial:03d}"
        upn = upn_check.calc_check_digit(new_body) + new_body
        if not Pupil.objects.filter(upn=upn).exists():
            break
    twin = Pupil.objects.create(
        upn=upn, legal_surname=pupil.legal_surname, legal_forename=pupil.legal_forename,
        date_of_birth=pupil.date_of_birth, sex=pupil.sex, nc_year=pupil.nc_year,
    )
    Enrolment.objects.create(pupil=twin, school=enrolment.school, start=today)
    return [
        _problem(Rule.DUPLICATE_PUPIL, enrolment, None, "", f"Also admitted today as {upn}"),
        _problem(Rule.DUPLICATE_PUPIL, enrolment, None, "", f"The same child as {pupil.upn}", upn=upn),
    ]


def _outside_enrolment(today: dt.date, typed: list[MarkInput]) -> list[PlantedProblem]:
    """A mark on an open day before a pupil who joined this year was on roll."""
    year = slots.academic_year(today)
    joiners = (
        Enrolment.objects.filter(registration="single", start__gt=slots.year_start(year), start__lt=today,
                                 pupil__looked_after=False)
        .select_related("pupil", "school").order_by("school__urn", "pupil__upn")
    )
    for enrolment in joiners:
        open_slots = enrolment.school.calendar().open_slots(year)
        _, start_slot = slots.slot_of(enrolment.start, slots.Session.AM)
        before = np.flatnonzero(open_slots[:start_slot])
        if not len(before) or not RegisterYear.objects.filter(enrolment=enrolment, academic_year=year).exists():
            continue
        day, session = slots.date_of(year, int(before[-1]))
        _write(typed, enrolment, day, session, "/")
        return [_problem(Rule.OUTSIDE_ENROLMENT, enrolment, day, session.value,
                         f"Present the school day before joining on {enrolment.start}")]
    return []


def plant_care_data_problems(*, today: dt.date, echo: Callable[[str], object] = print) -> list[PlantedProblem]:
    """After the statutory and care demos: one child in care with no PEP meeting this term and
    one part-time timetable with no end date, recorded as planted; the other children in care
    get their termly PEP meeting, as schools hold them. A child whose care-demo plan was agreed
    before this term is left as the care demo made it, and recorded as planted too. Also gives
    each school Notify templates with no key, so `muster notify first-day` shows what it would
    have sent."""
    from django.contrib.auth import get_user_model

    from muster.care.actions import record_pep_meeting
    from muster.care.models import AttendanceImprovementPlan, PathwayRun, PepMeeting
    from muster.interop.models import NotifySettings
    from muster.registers.models import CalendarEntry, School
    from muster.statutory.leave import record_part_time_timetable
    from muster.statutory.models import PartTimeTimetable

    planted: list[PlantedProblem] = []
    teacher = get_user_model().objects.filter(username="designated-teacher").first()
    on_roll = (Enrolment.objects.filter(pupil__looked_after=True, start__lte=today).exclude(end__lt=today)
               .select_related("pupil", "school").order_by("school__urn", "pupil__upn"))
    with_states = set(AttendanceImprovementPlan.objects.values_list("pupil_id", flat=True)) | set(
        PathwayRun.objects.values_list("pupil_id", flat=True))
    left: int | None = None
    for enrolment in on_roll:
        term = (CalendarEntry.objects.filter(school=enrolment.school, kind="term", start__lte=today)
                .order_by("-start").values_list("start", flat=True).first())
        if term is None or PepMeeting.objects.filter(pupil=enrolment.pupil, date__gte=term, date__lte=today).exists():
            continue
        if enrolment.pupil_id in with_states:
            planted.append(_problem(Rule.CHILD_IN_CARE_WITHOUT_PEP, enrolment, term, "",
                                    "The care demo's plan was agreed before this term: no PEP meeting since"))
        elif left in (None, enrolment.pupil_id):
            left = enrolment.pupil_id
            planted.append(_problem(Rule.CHILD_IN_CARE_WITHOUT_PEP, enrolment, term, "",
                                    "No PEP meeting this term (planted)"))
        else:
            record_pep_meeting(pupil=enrolment.pupil, date=min(today, term + dt.timedelta(days=9)), user=teacher,
                               attendees=["Designated teacher", "Social worker", "Foster carer"],
                               notes="Termly PEP review (demo)")
    open_ended = list(PartTimeTimetable.objects.filter(end__isnull=True, closed_on__isnull=True, start__lte=today)
                      .select_related("pupil", "school"))
    if not open_ended:
        candidates = _candidates(today)
        if candidates:
            enrolment = candidates[-1][0]
            open_ended = [record_part_time_timetable(
                pupil=enrolment.pupil, school=enrolment.school, start=today - dt.timedelta(weeks=3), end=None,
                review_on=None, reason="Found with no end or review date (demo)", by=None, as_found=True)]
    planted += [PlantedProblem(rule=Rule.PART_TIME_WITHOUT_END.value, upn=t.pupil.upn, school_urn=t.school.urn,
                               day=t.start, session="", description="Part-time timetable with no end date")
                for t in open_ended]
    PlantedProblem.objects.bulk_create(planted)
    for n, urn in enumerate(School.objects.order_by("urn").values_list("urn", flat=True)):
        NotifySettings.objects.update_or_create(school_urn=urn, defaults={
            "api_key_name": "", "first_day_sms_template": f"00000000-0000-4000-8000-{n:012d}",
            "first_day_email_template": f"00000000-0000-4000-9000-{n:012d}",
            "letter_email_template": f"00000000-0000-4000-a000-{n:012d}"})
    echo(f"Planted {len(planted)} care and part-time data-quality problems")
    echo("Notify templates set with no key: messages are recorded as would-have-sent")
    return planted
