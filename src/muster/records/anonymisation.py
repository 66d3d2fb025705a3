"""Anonymising leavers once the register retention period has passed: `anonymise_leavers`.

A leaver is a pupil with no open enrolment; their last day on roll is the latest enrolment end.
Their record is kept whole for the retention period after that day (SI 2024/208 explanatory note;
domain reference 1 "Retention"), then what identifies the child is removed and the marks and
figures stay, so cohort statistics over past years do not change. A dry run reports the same and
changes nothing; a second run finds nothing more to do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q

from muster.records.audit_trail import record_if_audited
from muster.records.retention import (
    ANONYMISED_FORENAME,
    ANONYMISED_SURNAME,
    RetentionPeriod,
    anonymised_upn,
    school_year_start,
)
from muster.registers.models import Enrolment, MarkChange, MarkNote, Pupil

CHUNK = 2000

FREE_TEXT = (
    ("casework.Task", "pupil_id", ("note",), "notes on completed tasks"),
    ("statutory.ContactAttempt", "pupil_id", ("contact", "note"),
     "contact attempts: who was contacted and the notes (method, outcome and day are kept)"),
    ("statutory.CaseStep", "case__pupil_id", ("note",), "notes on penalty-notice case steps"),
    ("statutory.PenaltyNotice", "pupil_id", ("parent", "withdrawn_reason"),
     "penalty notices: the parent's name and the reason for a withdrawal"),
    ("statutory.LaReturn", "pupil_id", ("note",), "notes on returns to the local authority"),
    ("statutory.LeaveRequest", "pupil_id", ("reason", "requested_by", "decision_reasons"),
     "leave requests: the parent's name, their reason and the decision's reasons (dates kept)"),
    ("statutory.PartTimeTimetable", "pupil_id", ("reason", "agreed_with", "note"),
     "part-time timetables: the reason, the parent who agreed and notes (dates kept)"),
    ("care.PepMeeting", "pupil_id", ("attendees", "notes"), "PEP meetings: who attended and the notes"),
    ("care.AttendanceImprovementPlan", "pupil_id",
     ("push_inside", "push_outside", "pull_inside", "pull_outside", "pupil_voice", "going_well",
      "incentive"),
     "attendance improvement plans: push and pull factors, the child's voice, what went well, "
     "incentives (aims, dates and measured attendance kept)"),
    ("care.ResponsibilityCheck", "plan__pupil_id", ("notes",), "notes on each role's responsibilities"),
    ("care.PlanAction", "plan__pupil_id", ("barrier", "action", "responsible", "measure"),
     "plan actions: barriers, actions, who and measures (dates kept)"),
    ("care.PathwayApproval", "run__pupil_id", ("note",), "notes on pathway approvals"),
    ("care.Escalation", "pupil_id", ("reason", "outcome"), "escalations: reasons and outcomes"),
    ("care.PupilPremiumPlusRequest", "action__plan__pupil_id", ("purpose", "note"),
     "Pupil Premium Plus requests: purpose and notes (amounts kept)"),
    ("targeting.ActionLogEntry", "pupil_id", ("lead_practitioner", "barriers", "note"),
     "targeting support log: lead practitioner, barriers and notes (dates kept)"),
    ("targeting.AgreedAction", "pupil_id", ("description", "owner"),
     "agreed actions from targeting support meetings: what and who (dates kept)"),
)
"""Free text about a pupil held by other apps: (model, path to the pupil id, fields, what)."""
ROWS_DELETED = (
    ("interop.PupilContact", "pupil_id", "family contacts from transfer files (names, phones, emails)"),
    ("statutory.Letter", "pupil_id", "letters merged for the child (they hold names and addresses)"),
    ("targeting.SiblingLink", "pupil_id", "links to siblings"),
    ("targeting.SiblingLink", "sibling_id", "links from siblings"),
)
"""Rows that are nothing but identifying details: removed whole."""

FIELDS_CLEARED = (
    f"legal surname and forename: replaced by {ANONYMISED_SURNAME!r} and {ANONYMISED_FORENAME!r}",
    "preferred name: cleared",
    "date of birth: reduced to 1 September of its school year (keeps the NC year cohort)",
    "UPN: replaced by SANON and the record number (no real UPN starts with S)",
    "comments on marks: cleared (minutes late are kept)",
    "comments and reasons in the mark history: cleared (the codes are kept)",
    *(f"{what}: cleared" for *_, what in FREE_TEXT),
    *(f"{what}: removed" for *_, what in ROWS_DELETED),
)
FIELDS_KEPT = (
    "marks, minutes late, enrolments and schools, sex, NC year, SEN, free school meals, care and "
    "social-worker flags, and who made each change: for statistics over past years"
)
NOT_CHANGED = (
    "the description and reason of each write of marks (an import, a register, a correction): "
    "one write may hold other pupils' marks too, so check correction reasons by hand"
)


@dataclass(frozen=True)
class Leaver:
    pupil_id: int
    last_day_on_roll: dt.date
    kept_until: dt.date
    date_of_birth: dt.date
    schools: tuple[str, ...]


@dataclass
class RetentionReport:
    on: dt.date
    period: RetentionPeriod
    dry_run: bool
    leavers: list[Leaver] = field(default_factory=list)
    anonymised_before: int = 0
    mark_comments: int = 0
    history_entries: int = 0
    anonymised: int = 0

    def lines(self) -> list[str]:
        period = self.period
        out = [
            f"Register retention: {period.years} years after the last day on roll, in force "
            f"since {period.in_force_from} ({period.reference}).",
            f"On {self.on}: {len(self.leavers)} leaver(s) past retention to anonymise; "
            f"{self.anonymised_before} anonymised before.",
        ]
        if self.leavers:
            out.append("  pupil record  last day on roll  kept until  schools")
            out += [
                f"  {x.pupil_id:>12}  {x.last_day_on_roll}        {x.kept_until}  "
                f"{','.join(x.schools)}"
                for x in self.leavers
            ]
            out.append("Fields:")
            out += [f"  {line}" for line in FIELDS_CLEARED]
            out.append(
                f"  ({self.mark_comments} comment(s) on marks, {self.history_entries} mark "
                "history entr(ies) with comments or reasons)"
            )
            out.append(f"Kept: {FIELDS_KEPT}.")
            out.append(f"Not changed: {NOT_CHANGED}.")
        if self.dry_run:
            out.append("Dry run: nothing was changed.")
        else:
            out.append(f"Anonymised {self.anonymised} pupil record(s).")
        return out


def anonymise_leavers(*, on: dt.date, dry_run: bool, user=None) -> RetentionReport:
    """Find the leavers past retention on `on` and, unless `dry_run`, anonymise them."""
    period = RetentionPeriod.national(on)
    with transaction.atomic():
        report = RetentionReport(on=on, period=period, dry_run=dry_run)
        report.leavers = find_leavers(period, on)
        report.anonymised_before = Pupil.objects.filter(anonymised_on__isnull=False).count()
        ids = [x.pupil_id for x in report.leavers]
        for chunk in _chunks(ids):
            report.mark_comments += _mark_comments(chunk).count()
            report.history_entries += _history_with_text(chunk).count()
        if not dry_run:
            for leaver in report.leavers:
                report.anonymised += _anonymise(leaver, on, user)
    return report


def find_leavers(period: RetentionPeriod, on: dt.date) -> list[Leaver]:
    """Pupils not yet anonymised, with no open enrolment, whose retention ended before `on`."""
    rows = (
        Pupil.objects.filter(anonymised_on__isnull=True)
        .annotate(
            last_day=Max("enrolments__end"),
            open_enrolments=Count("enrolments", filter=Q(enrolments__end__isnull=True)),
        )
        .filter(open_enrolments=0, last_day__lte=period.earliest_kept(on))
        .order_by("last_day", "pk")
        .values_list("pk", "last_day", "date_of_birth")
    )
    past = [(pk, last, born) for pk, last, born in rows if period.has_passed(last, on)]
    schools: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks([pk for pk, _, _ in past]):
        enrolments = Enrolment.objects.filter(pupil_id__in=chunk).order_by("start")
        for pupil_id, urn in enrolments.values_list("pupil_id", "school__urn"):
            if urn not in schools[pupil_id]:
                schools[pupil_id].append(urn)
    return [
        Leaver(pk, last, period.kept_until(last), born, tuple(schools[pk]))
        for pk, last, born in past
    ]


def _anonymise(leaver: Leaver, on: dt.date, user) -> int:
    """Anonymise one leaver, only if still a leaver with that last day (a conditional update)."""
    still_on_roll = Enrolment.objects.filter(pupil=OuterRef("pk")).filter(
        Q(end__isnull=True) | Q(end__gt=leaver.last_day_on_roll)
    )
    updated = (
        Pupil.objects.filter(pk=leaver.pupil_id, anonymised_on__isnull=True)
        .filter(~Exists(still_on_roll))
        .update(
            legal_surname=ANONYMISED_SURNAME,
            legal_forename=ANONYMISED_FORENAME,
            preferred_name="",
            date_of_birth=school_year_start(leaver.date_of_birth),
            upn=anonymised_upn(leaver.pupil_id),
            anonymised_on=on,
        )
    )
    if updated != 1:
        return 0
    ids = [leaver.pupil_id]
    _mark_comments(ids).filter(minutes_late__isnull=True).delete()
    _mark_comments(ids).update(comment="")
    _history_with_text(ids).clear_free_text()
    for label, path, fields, _ in FREE_TEXT:
        apps.get_model(label).objects.filter(**{f"{path}__in": ids}).update(**dict.fromkeys(fields, ""))
    for label, path, _ in ROWS_DELETED:
        apps.get_model(label).objects.filter(**{f"{path}__in": ids}).delete()
    _record_in_audit_log(leaver, user)
    return 1


def _mark_comments(pupil_ids: list[int]):
    return MarkNote.objects.filter(register_year__enrolment__pupil_id__in=pupil_ids).exclude(
        comment=""
    )


def _history_with_text(pupil_ids: list[int]):
    return MarkChange.objects.filter(register_year__enrolment__pupil_id__in=pupil_ids).exclude(
        previous_comment="", offered_comment="", reason=""
    )


def _record_in_audit_log(leaver: Leaver, user) -> None:
    """Nothing that identified the child goes into the entry, or the log would undo the
    anonymisation: only the record's id, the new UPN and the dates."""
    record_if_audited(
        user=user,
        action="anonymise",
        record_kind="pupil",
        record_id=leaver.pupil_id,
        pupil_id=leaver.pupil_id,
        summary=(
            f"Anonymised after the register retention period: last day on roll "
            f"{leaver.last_day_on_roll}, kept until {leaver.kept_until}"
        ),
        purpose="register retention (SI 2024/208)",
        source="muster records retention",
        before=None,
        after={"upn": anonymised_upn(leaver.pupil_id), "fields_cleared": list(FIELDS_CLEARED)},
    )


def _chunks(items: list[int]):
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
