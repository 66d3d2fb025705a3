"""The pupil page's records beyond the figures (issue 6 item 3): the family contacts in priority
order, the care plans, the penalty-notice case, leave requests and part-time timetables, and the
letters sent. Each part is built only for a person whose roles reach it (muster.people.access); a
part they may not see is None, and the page leaves it out, as if it did not exist.

Who sees what, by the rules that already hold elsewhere:
- contacts are other people's details, read by need to know: a role that reaches the pupil's
  record and reads the need-to-know fields (`access.visible_fields`, as the calling list does);
- care plans follow `muster.care.scope`, the door of the children-in-care pages they link to;
- the statutory records follow the pupil's registers, as their admin does (StatutoryAdmin), and a
  letter's file is offered only to a person who may export them (the admin's download checks the
  same, and audits it).

A handful of queries whatever the pupil's history (the 300 ms page budget, issue 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse

from muster.care import scope as care_scope
from muster.care.models import AttendanceImprovementPlan, PepMeeting
from muster.core.roles import Action, RecordKind
from muster.interop.models import PupilContact
from muster.people import access
from muster.registers.models import Pupil
from muster.statutory.leave import part_time_flags
from muster.statutory.models import LeaveRequest, Letter, PartTimeTimetable, PenaltyNoticeCase

LETTER_KINDS = {
    "below_96": "Attendance below 96%",
    "meeting_invitation": "Invitation to an attendance meeting",
    "notice_to_improve": "Notice to improve",
    "penalty_notice_request": "Request to the local authority for a penalty notice",
    "evidence_pack": "Evidence pack for the local authority",
}
"""The shipped letters (muster.statutory.letters.templates.BUILDERS) in words; another kind is
shown by its name."""


@dataclass(frozen=True)
class Contact:
    order: int
    name: str
    relationship: str
    parental_responsibility: bool | None
    phones: str
    email: str


@dataclass(frozen=True)
class Plans:
    meetings: list[PepMeeting]
    plans: list[AttendanceImprovementPlan]
    url: str
    """The child's children-in-care page, where plans are made and reviewed."""


@dataclass(frozen=True)
class Case:
    case: PenaltyNoticeCase
    notices: list
    """The penalty notices issued on the case, with those withdrawn."""


@dataclass(frozen=True)
class TimetableRow:
    timetable: PartTimeTimetable
    flags: str


@dataclass(frozen=True)
class LetterRow:
    kind: str
    created_at: dt.datetime
    by: str
    school: str
    word_url: str
    pdf_url: str
    """Empty when the person may not download it, or there is no PDF."""


@dataclass(frozen=True)
class Statutory:
    cases: list[Case]
    leave: list[LeaveRequest]
    part_time: list[TimetableRow]


@dataclass(frozen=True)
class PupilRecords:
    contacts: list[Contact] | None
    plans: Plans | None
    statutory: Statutory | None
    letters: list[LetterRow] | None


def records_for(user, pupil: Pupil, today: dt.date) -> PupilRecords:
    """Every part of the page the person may see for this pupil; None for each they may not."""
    registers = _reaches(user, pupil, Action.VIEW, RecordKind.REGISTER)
    return PupilRecords(
        contacts=contacts(pupil) if _may_see_contacts(user, pupil) else None,
        plans=plans(pupil) if care_scope.children_in_care_visible_to(user).filter(pk=pupil.pk).exists() else None,
        statutory=statutory(pupil, today) if registers else None,
        letters=letters(pupil, downloads=registers and _may_download(user, pupil)) if registers else None,
    )


def _reaches(user, pupil: Pupil, action: Action, kind: RecordKind) -> bool:
    return access.can(user, kind, action) and access.pupils_visible_to(user, action, kind).filter(pk=pupil.pk).exists()


def _may_see_contacts(user, pupil: Pupil) -> bool:
    return access.visible_fields(user) >= access.SENSITIVE_FIELDS and _reaches(user, pupil, Action.VIEW, RecordKind.PUPIL)


def _may_download(user, pupil: Pupil) -> bool:
    """The admin's letter download (statutory.admin.LetterAdmin.file_view) is for staff who may
    export the pupil's register records."""
    return user.is_staff and _reaches(user, pupil, Action.EXPORT, RecordKind.REGISTER)


def contacts(pupil: Pupil) -> list[Contact]:
    """Who to call, in the order the school holds (seed 002 lines 128-131: the parents, then the
    emergency contacts), as `muster.statutory.calling.contacts_in_order` lists them."""
    return [
        Contact(
            order=c.order,
            name=" ".join(p for p in (c.title, c.forename, c.surname) if p),
            relationship=c.relationship,
            parental_responsibility=c.parental_responsibility,
            phones=", ".join(p.get("number", "") for p in c.phones or [] if isinstance(p, dict)),
            email=c.email,
        )
        for c in PupilContact.objects.filter(pupil=pupil).order_by("order")
    ]


def plans(pupil: Pupil) -> Plans:
    """The child's PEP meetings and attendance improvement plans, latest first."""
    meetings = list(PepMeeting.objects.filter(pupil=pupil).order_by("-date", "-pk"))
    plan_rows = list(AttendanceImprovementPlan.objects.filter(pupil=pupil)
                     .select_related("review_meeting").order_by("-agreed_on", "-pk"))
    return Plans(meetings, plan_rows, reverse("web:care_child", args=[pupil.pk]))


def statutory(pupil: Pupil, today: dt.date) -> Statutory:
    """The penalty-notice cases (stage and notices), leave requests and part-time timetables."""
    cases = PenaltyNoticeCase.objects.filter(pupil=pupil).select_related("school").prefetch_related("notices")
    return Statutory(
        cases=[Case(c, list(c.notices.all())) for c in cases.order_by("-opened_on", "-pk")],
        leave=list(LeaveRequest.objects.filter(pupil=pupil).select_related("school").order_by("-first_day", "-pk")),
        part_time=[TimetableRow(t, "; ".join(part_time_flags(t, today)))
                   for t in PartTimeTimetable.objects.filter(pupil=pupil).select_related("school")
                   .order_by("-start", "-pk")],
    )


def letters(pupil: Pupil, *, downloads: bool) -> list[LetterRow]:
    """The letters kept on the pupil's record, latest first: kind, date and who; the files are
    not read here (only whether there is a PDF)."""
    rows = (Letter.objects.filter(pupil=pupil).select_related("school")
            .only("pk", "kind", "created_at", "created_by_name", "school__name")
            .annotate(has_pdf=ExpressionWrapper(Q(pdf__isnull=False), output_field=BooleanField()))
            .order_by("-created_at", "-pk"))
    return [
        LetterRow(
            kind=LETTER_KINDS.get(letter.kind, letter.kind.replace("_", " ").capitalize()),
            created_at=letter.created_at, by=letter.created_by_name or "Muster", school=letter.school.name,
            word_url=reverse("admin:statutory_letter_file", args=[letter.pk, "docx"]) if downloads else "",
            pdf_url=reverse("admin:statutory_letter_file", args=[letter.pk, "pdf"])
            if downloads and letter.has_pdf else "",
        )
        for letter in rows
    ]
