"""Running the data-quality rules (`muster.core.data_quality`) over what a user may see.

The rules are pure; this module loads the registers, calendars, enrolments and pupils in the
user's reach (`muster.people.access`; every pupil for the operator) and records the look in the
audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from muster.audit.log import record_event
from muster.care.models import PepMeeting
from muster.core import data_quality, slots
from muster.core.calendar import SchoolCalendar
from muster.core.data_quality import Finding
from muster.core.parameters import national
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers.models import CalendarEntry, Enrolment, Pupil, RegisterYear, School
from muster.statutory.models import PartTimeTimetable


@dataclass(frozen=True)
class DataQualityReport:
    findings: tuple[Finding, ...]
    names: dict[str, str]
    """UPN -> the pupil's display name."""
    skipped: dict[str, str]
    """Checks not run, and why."""


def check_data(*, user=None, today: dt.date, school_urn: str | None = None) -> DataQualityReport:
    """Every finding in the registers, enrolments and pupils the user may list (all for the
    operator, `user=None`), optionally for one school."""
    if user is None:
        enrolments = Enrolment.objects.all()
        pupils = Pupil.objects.all()
    else:
        enrolments = access.enrolments_visible_to(user, Action.LIST, RecordKind.REGISTER, on=today)
        pupils = access.pupils_visible_to(user, Action.LIST, RecordKind.PUPIL, on=today)
    if school_urn is not None:
        enrolments = enrolments.filter(school__urn=school_urn)
        pupils = pupils.filter(enrolments__school__urn=school_urn).distinct()
    n_days = national("data_quality", "n_code_school_days").value_on(today)
    rows = list(enrolments.values_list("pk", "pupil__upn", "school__urn", "school_id", "start", "end",
                                       "registration"))
    findings = findings_in_registers(rows, today, n_days)
    findings += data_quality.dual_registration_findings(
        data_quality.Registration(upn, urn, start, end, kind) for _, upn, urn, _, start, end, kind in rows
    )
    school_of = {upn: urn for _, upn, urn, *_ in rows}
    identities = [
        data_quality.Identity(upn, surname, forename, birth, school_of.get(upn, ""))
        for upn, surname, forename, birth in pupils.filter(anonymised_on__isnull=True).values_list(
            "upn", "legal_surname", "legal_forename", "date_of_birth")
    ]
    findings += data_quality.duplicate_pupil_findings(identities)
    findings += _care_and_part_time_findings(enrolments, today, school_urn)
    upns = {f.upn for f in findings}
    names = {p.upn: p.display_name for p in pupils.filter(upn__in=upns)}
    record_event(
        user=user, action=Action.LIST.value, record_kind="data_quality",
        summary=f"Data-quality check{' of ' + school_urn if school_urn else ''} on {today}: "
        f"{len(findings)} finding(s)",
        source="muster lint",
    )
    return DataQualityReport(tuple(findings), names, dict(data_quality.SKIPPED))


def findings_in_registers(rows, today: dt.date, n_days: int) -> list[Finding]:
    """The session-level findings of each enrolment (rows of pk, UPN, URN, school id, start,
    end, registration), in every year its school has registers for, up to today."""
    enrolment_ids = [r[0] for r in rows]
    held: dict[tuple[int, int], np.ndarray] = {}
    for chunk_start in range(0, len(enrolment_ids), 2000):
        chunk = enrolment_ids[chunk_start:chunk_start + 2000]
        for enrolment_id, year, marks in RegisterYear.objects.filter(enrolment_id__in=chunk).values_list(
            "enrolment_id", "academic_year", "marks"
        ):
            held[(enrolment_id, year)] = np.frombuffer(bytes(marks), dtype=np.uint8)
    school_ids = {r[3] for r in rows}
    years_of_school: dict[int, set[int]] = defaultdict(set)
    for school_id, year in (
        RegisterYear.objects.filter(enrolment__school_id__in=school_ids)
        .values_list("enrolment__school_id", "academic_year").distinct()
    ):
        years_of_school[school_id].add(year)
    calendars = {
        s.pk: SchoolCalendar.build(e.as_core() for e in s.calendar_entries.all())
        for s in School.objects.filter(pk__in=school_ids).prefetch_related("calendar_entries")
    }
    current = slots.academic_year(today)
    empty = np.zeros(slots.SLOTS_PER_YEAR, dtype=np.uint8)
    found: list[Finding] = []
    for enrolment_id, upn, urn, school_id, start, end, _ in rows:
        for year in sorted(years_of_school[school_id]):
            if year > current or slots.year_start(year) > (end or dt.date.max) or slots.year_end(year) < start:
                continue
            row = data_quality.RegisterRow(upn, urn, year, held.get((enrolment_id, year), empty), start, end)
            found += data_quality.register_findings(row, calendars[school_id], today=today, n_school_days=n_days)
    return found


def _care_and_part_time_findings(enrolments, today: dt.date, school_urn: str | None) -> list[Finding]:
    """Children in care on roll today with no PEP meeting this term, and part-time timetables
    with no end date, for the enrolments in reach."""
    on_roll = list(enrolments.filter(start__lte=today).exclude(end__lt=today).values_list(
        "pupil_id", "pupil__upn", "school__urn", "school_id", "pupil__looked_after"))
    term_start: dict[int, dt.date] = {}
    for school_id, start in CalendarEntry.objects.filter(
            school_id__in={r[3] for r in on_roll}, kind="term", start__lte=today).order_by("start").values_list(
            "school_id", "start"):
        term_start[school_id] = start
    cared = [r for r in on_roll if r[4]]
    meetings: dict[int, list[dt.date]] = defaultdict(list)
    for pupil_id, day in PepMeeting.objects.filter(pupil_id__in=[r[0] for r in cared]).values_list("pupil_id", "date"):
        meetings[pupil_id].append(day)
    found = data_quality.child_in_care_findings(
        (data_quality.ChildInCare(upn, urn, term_start.get(school_id), tuple(meetings[pupil_id]))
         for pupil_id, upn, urn, school_id, _ in cared), today)
    reach = {(pupil_id, school_id) for pupil_id, _, _, school_id, _ in on_roll}
    timetables = PartTimeTimetable.objects.filter(pupil_id__in={r[0] for r in on_roll})
    if school_urn is not None:
        timetables = timetables.filter(school__urn=school_urn)
    found += data_quality.part_time_findings(
        (data_quality.PartTime(upn, urn, start, end, closed_on)
         for pupil_id, school_id, upn, urn, start, end, closed_on in timetables.values_list(
             "pupil_id", "school_id", "pupil__upn", "school__urn", "start", "end", "closed_on")
         if (pupil_id, school_id) in reach), today)
    return found
