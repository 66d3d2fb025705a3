"""Everything Muster holds about one child, gathered for a subject access request.

UK GDPR article 15 gives the child (or the person acting for them) a copy of their personal
data. `subject_access_record` gathers it from the registers app: details and characteristics,
enrolments, every register year mark by mark with minutes late and comments, the figures for
each school year from the one figures engine, the full history of changes to marks with who made
each change, when and why, and the audit log entries about the child when the audit app is
installed, and the child's rows in the other apps (`HELD_ELSEWHERE`: band history and tasks,
contacts and penalty-notice cases, returns, transfer-file history, care episodes, PEPs and plans).
Every query starts from the child's own enrolments, so no other child's marks,
figures or history can be drawn in. `muster.records.subject_access_export` writes it as files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.apps import apps
from django.utils import timezone

from muster.core import codes, figures, slots
from muster.core.register_checks import on_roll_slots
from muster.core.rules.penalty_notice import ThresholdRule
from muster.records.audit_trail import entries_about_pupil
from muster.registers import provenance, store
from muster.registers.models import (
    Enrolment,
    MarkBatch,
    MarkChange,
    MarkNote,
    Pupil,
    RegisterYear,
)
from muster.registers.reports import enrolments_in_period

CATEGORY_NAMES = {
    codes.Category.PRESENT: "Present",
    codes.Category.AEA: "Approved educational activity",
    codes.Category.AUTHORISED: "Authorised absence",
    codes.Category.UNAUTHORISED: "Unauthorised absence",
    codes.Category.NOT_POSSIBLE: "Not a possible session",
    codes.Category.ADMINISTRATIVE: "Administrative",
}


HELD_ELSEWHERE = (
    ("band_history", "casework.BandSpell", "pupil_id"),
    ("tasks", "casework.Task", "pupil_id"),
    ("contact_attempts", "statutory.ContactAttempt", "pupil_id"),
    ("penalty_notice_cases", "statutory.PenaltyNoticeCase", "pupil_id"),
    ("penalty_notice_case_steps", "statutory.CaseStep", "case__pupil_id"),
    ("penalty_notices", "statutory.PenaltyNotice", "pupil_id"),
    ("returns_to_the_la", "statutory.LaReturn", "pupil_id"),
    ("leave_requests", "statutory.LeaveRequest", "pupil_id"),
    ("part_time_timetables", "statutory.PartTimeTimetable", "pupil_id"),
    ("letters", "statutory.Letter", "pupil_id"),
    ("prior_attendance", "interop.PriorAttendance", "pupil_id"),
    ("family_contacts", "interop.PupilContact", "pupil_id"),
    ("sen_history", "interop.SenRecord", "pupil_id"),
    ("care_episodes", "interop.CareEpisode", "pupil_id"),
    ("pep_meetings", "care.PepMeeting", "pupil_id"),
    ("attendance_improvement_plans", "care.AttendanceImprovementPlan", "pupil_id"),
    ("plan_responsibilities", "care.ResponsibilityCheck", "plan__pupil_id"),
    ("plan_actions", "care.PlanAction", "plan__pupil_id"),
    ("pathways", "care.PathwayRun", "pupil_id"),
    ("pathway_approvals", "care.PathwayApproval", "run__pupil_id"),
    ("escalations", "care.Escalation", "pupil_id"),
    ("pupil_premium_plus_requests", "care.PupilPremiumPlusRequest", "action__plan__pupil_id"),
    ("targeting_action_log", "targeting.ActionLogEntry", "pupil_id"),
    ("targeting_agreed_actions", "targeting.AgreedAction", "pupil_id"),
    ("sibling_links", "targeting.SiblingLink", "pupil_id"),
    ("sibling_links_to_this_child", "targeting.SiblingLink", "sibling_id"),
)
"""The child's records in the other apps: (name in the export, model, path to the child)."""


def held_elsewhere(pupil: Pupil) -> dict[str, list[dict]]:
    """Every row about the child in the casework, statutory, interoperability and care apps,
    field by field as stored (ids of related rows and staff included: who did what)."""
    found = {}
    for name, label, path in HELD_ELSEWHERE:
        try:
            model = apps.get_model(label)
        except LookupError:  # an app not installed holds nothing
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model.objects.filter(**{path: pupil.pk}).order_by("pk").values(*columns)
        found[name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return found


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    if isinstance(value, bytes | memoryview):  # a stored document (a letter): named, not inlined
        return f"a document of {len(value):,} bytes, held on the child's record"
    return value


@dataclass(frozen=True)
class HeldRegister:
    """One register year with what the HTML needs beyond the JSON: the codes and open sessions."""

    register: RegisterYear
    codes: np.ndarray
    open_on_roll: np.ndarray


def pupil_with_upn(upn: str) -> Pupil | None:
    """The pupil with this UPN, for the command line (run with the database's own credentials;
    pages find the pupil through `muster.people.access` instead)."""
    return Pupil.objects.filter(upn=upn.strip().upper()).first()


def subject_access_record(pupil: Pupil, *, today: dt.date) -> tuple[dict, list[HeldRegister]]:
    """The child's data as plain values (for JSON and CSV) and their registers (for the HTML)."""
    enrolments = list(pupil.enrolments.select_related("school").order_by("start", "pk"))
    registers = list(
        RegisterYear.objects.filter(enrolment__pupil=pupil)
        .select_related("enrolment__school")
        .order_by("academic_year", "enrolment__start", "pk")
    )
    held = [_held(r) for r in registers]
    changes = list(
        MarkChange.objects.filter(register_year__enrolment__pupil=pupil)
        .select_related("register_year__enrolment__school")
        .order_by("register_year__academic_year", "slot", "pk")
    )
    marks, writes = _marks(held)
    batch_ids = set(writes) | {c.batch_id for c in changes}
    batches = {
        b.pk: b for b in MarkBatch.objects.filter(pk__in=batch_ids).select_related("created_by")
    }
    record = {
        "generated_on": today.isoformat(),
        "pupil": _details(pupil),
        "characteristics": _characteristics(pupil),
        "enrolments": [_enrolment(e) for e in enrolments],
        "marks": marks,
        "figures": _figures(pupil, sorted({r.academic_year for r in registers}), today),
        "mark_history": [_change(c, batches[c.batch_id]) for c in changes],
        "mark_writes": [_batch(batches[pk], writes.get(pk, 0)) for pk in sorted(batches)],
        "codes_used": _codes_used(marks, changes),
        "audit_log": entries_about_pupil(pupil.pk),
        **held_elsewhere(pupil),
    }
    return record, held


def _held(register: RegisterYear) -> HeldRegister:
    enrolment = register.enrolment
    year = register.academic_year
    open_slots = enrolment.school.calendar().open_slots(year)
    return HeldRegister(
        register, register.codes(), open_slots & on_roll_slots(year, enrolment.start, enrolment.end)
    )


def _details(pupil: Pupil) -> dict:
    return {
        "upn": pupil.upn,
        "legal_surname": pupil.legal_surname,
        "legal_forename": pupil.legal_forename,
        "preferred_name": pupil.preferred_name,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "sex": pupil.get_sex_display(),
        "nc_year": pupil.nc_year,
        "anonymised_on": pupil.anonymised_on.isoformat() if pupil.anonymised_on else None,
    }


def _characteristics(pupil: Pupil) -> dict:
    return {
        "child_in_care": pupil.looked_after,
        "care_authority": pupil.care_authority,
        "previously_looked_after": pupil.previously_looked_after,
        "has_social_worker": pupil.has_social_worker,
        "special_educational_needs": pupil.get_sen_display(),
        "eligible_for_free_school_meals": pupil.fsm,
    }


def _enrolment(enrolment: Enrolment) -> dict:
    return {
        "school_urn": enrolment.school.urn,
        "school_name": enrolment.school.name,
        "start": enrolment.start.isoformat(),
        "end": enrolment.end.isoformat() if enrolment.end else None,
        "registration": enrolment.get_registration_display(),
    }


def _marks(held: list[HeldRegister]) -> tuple[list[dict], dict[int, int]]:
    """Every mark held, with minutes late, comment and the write that recorded it; and how many
    of the child's marks each write recorded."""
    ids = [h.register.pk for h in held]
    notes = {(n.register_year_id, n.slot): n for n in MarkNote.objects.filter(register_year_id__in=ids)}
    sources = provenance.writers(ids)
    rows, writes = [], defaultdict(int)
    for h in held:
        register, school = h.register, h.register.enrolment.school
        written_by = sources.get(register.pk)
        for slot in np.flatnonzero(h.codes).tolist():
            code = codes.BY_ID[int(h.codes[slot])]
            day, session = slots.date_of(register.academic_year, slot)
            note = notes.get((register.pk, slot))
            batch = int(written_by[slot]) if written_by is not None else 0
            if batch:
                writes[batch] += 1
            rows.append({
                "date": day.isoformat(),
                "session": session.value,
                "school_urn": school.urn,
                "code": code.symbol,
                "meaning": code.meaning,
                "category": CATEGORY_NAMES[code.category],
                "minutes_late": note.minutes_late if note else None,
                "comment": note.comment if note else "",
                "recorded_in_write": batch or None,
            })
    return rows, dict(writes)


def _figures(pupil: Pupil, years: list[int], today: dt.date) -> list[dict]:
    """Per school year: each school's figures and, with more than one, all schools pooled."""
    rows = []
    for year in years:
        first, last = slots.year_start(year), min(slots.year_end(year), max(today, slots.year_start(year)))
        enrolments = enrolments_in_period(first, last).filter(pupil=pupil)
        try:
            rule = ThresholdRule.national(last)
        except ValueError:
            rule = None  # before the national framework (19 August 2024): not assessed
        per_school = store.load(enrolments, first, last, unit=store.Unit.ENROLMENT)
        result = figures.compute(per_school.matrix, first, last, rule)
        urns = dict(enrolments.values_list("pk", "school__urn"))
        for i, enrolment_id in enumerate(per_school.unit_ids.tolist()):
            rows.append(_figure_row(year, first, last, urns[enrolment_id], result, i, per_school, rule))
        if len(per_school.unit_ids) > 1:
            pooled = store.load(enrolments, first, last, unit=store.Unit.PUPIL)
            result = figures.compute(pooled.matrix, first, last, rule)
            rows.append(_figure_row(year, first, last, "all schools", result, 0, pooled, rule))
    return rows


def _figure_row(year, first, last, school, result, i, loaded, rule) -> dict:
    met = int(result.pn_met_slot[i])

    def pct(value: float) -> float | None:
        return None if math.isnan(value) else round(float(value), 1)

    return {
        "school_year": f"{year}/{(year + 1) % 100:02d}",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "school_urn": school,
        "possible_sessions": int(result.possible[i]),
        "present": int(result.present[i]),
        "late": int(result.late[i]),
        "approved_educational_activity": int(result.aea[i]),
        "authorised_absence": int(result.authorised[i]),
        "unauthorised_absence": int(result.unauthorised[i]),
        "attendance_pct": pct(result.attendance_pct[i]),
        "overall_absence_pct": pct(result.overall_absence_pct[i]),
        "persistent_absence": bool(result.persistent_absence[i]),
        "severe_absence": bool(result.severe_absence[i]),
        "penalty_notice_threshold_met_on": (
            loaded.matrix.day_of_slot(met).isoformat() if met >= 0
            else ("not assessed" if rule is None else None)
        ),
    }


def _change(change: MarkChange, batch: MarkBatch) -> dict:
    day, session = slots.date_of(change.register_year.academic_year, change.slot)
    return {
        "date": day.isoformat(),
        "session": session.value,
        "school_urn": change.register_year.enrolment.school.urn,
        "previous_code": change.previous_code,
        "offered_code": change.offered_code,
        "applied": change.applied,
        "previous_minutes_late": change.previous_minutes_late,
        "offered_minutes_late": change.offered_minutes_late,
        "previous_comment": change.previous_comment,
        "offered_comment": change.offered_comment,
        "reason": change.reason,
        "write": batch.pk,
        "changed_at": _local(batch.created_at),
        "changed_by": _person(batch),
        "source": batch.get_source_display(),
        "write_reason": batch.reason,
    }


def _batch(batch: MarkBatch, marks_held: int) -> dict:
    return {
        "write": batch.pk,
        "at": _local(batch.created_at),
        "by": _person(batch),
        "source": batch.get_source_display(),
        "description": batch.description,
        "reason": batch.reason,
        "marks_held_from_it": marks_held,
    }


def _local(moment: dt.datetime) -> str:
    """A time as people in England read it (Europe/London, settings.TIME_ZONE)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def _person(batch: MarkBatch) -> str:
    user = batch.created_by
    if user is None:
        return "the system (no signed-in person)"
    return user.get_full_name() or user.get_username()


def _codes_used(marks: list[dict], changes: list[MarkChange]) -> list[dict]:
    used = {m["code"] for m in marks}
    used |= {c.previous_code for c in changes if c.previous_code} | {c.offered_code for c in changes}
    return [
        {"code": c.symbol, "meaning": c.meaning, "category": CATEGORY_NAMES[c.category]}
        for c in codes.CODES
        if c.symbol in used
    ]
