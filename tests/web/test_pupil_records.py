"""The pupil page's contacts, plans, penalty-notice status, leave and letters (issue 6 page 3:
"tasks, contacts, plans, penalty-notice status, letters"), through Django's test client on the
demo. Each part shows only to a person whose roles reach it (issue "People, roles and trust":
need to know; a part one may not see is left out, as if it did not exist)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from muster.care.models import AttendanceImprovementPlan, PepMeeting
from muster.core.roles import Action, RecordKind
from muster.interop.models import PupilContact
from muster.people import access
from muster.statutory.letters.merge import merge_letter
from muster.statutory.models import PenaltyNoticeCase
from muster.web import pupil_records
from tests.web.conftest import TODAY


def _case_pupil(lead):
    """A pupil of the lead's school with a penalty-notice case on the demo, given a letter on the
    case (through the letters action) and a family contact if the demo planted none."""
    visible = access.pupils_visible_to(lead, Action.VIEW, RecordKind.FIGURES)
    case = PenaltyNoticeCase.objects.filter(pupil__in=visible.values("pk")).select_related("pupil", "school").first()
    assert case is not None, "the demo opens a penalty-notice case at the lead's school"
    if not PupilContact.objects.filter(pupil=case.pupil).exists():
        PupilContact.objects.create(pupil=case.pupil, order=1, title="Ms", forename="Avery", surname="Kestrelmoor",
                                    relationship="MUM", parental_responsibility=True,
                                    phones=[{"kind": "mobile", "number": "07700 900123"}])
    merge_letter(kind="notice_to_improve", pupil=case.pupil, school=case.school, on=TODAY, by=lead, case=case)
    return case


def test_an_attendance_lead_sees_contacts_penalty_notice_status_and_letters_with_their_files(as_user, demo):
    """Issue 6 page 3; seed 002 lines 128-131: the school calls the parents, then the emergency
    contacts, in order; reference 4.1-4.3: the case's stage on the support-first path."""
    lead = demo.get(username="attendance-lead")
    case = _case_pupil(lead)
    client = as_user("attendance-lead")
    response = client.get(f"/pupils/{case.pupil.pk}/")
    assert response.status_code == 200
    records = response.context["records"]
    held = list(PupilContact.objects.filter(pupil=case.pupil).order_by("order"))
    assert [c.order for c in records.contacts] == [c.order for c in held]
    assert held[0].surname.encode() in response.content
    assert [row.case.pk for row in records.statutory.cases] == [case.pk]
    assert case.get_stage_display().encode() in response.content
    assert [letter.kind for letter in records.letters] == [pupil_records.LETTER_KINDS["notice_to_improve"]]
    word = records.letters[0].word_url
    assert word and word.encode() in response.content
    download = client.get(word)
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.docx"')
    assert records.plans is None, "an attendance lead holds no care role (muster.care.scope)"


def test_a_teacher_sees_neither_the_contacts_nor_the_care_plans_of_a_child_in_their_class(as_user, demo):
    """Muster decision in muster.core.roles: a teacher reads no care or social-work status, so
    neither the family's contacts nor the PEP plans; the designated teacher, whose role is the
    school's children in care, sees the plans of the same child."""
    teacher = demo.get(username="teacher")
    pupil = access.pupils_visible_to(teacher, Action.VIEW, RecordKind.FIGURES).order_by("pk").first()
    assert pupil is not None, "the demo's teacher has a class"
    pupil.looked_after, pupil.care_authority = True, pupil.enrolments.first().school.local_authority.code
    pupil.save(update_fields=["looked_after", "care_authority"])
    PupilContact.objects.create(pupil=pupil, order=9, forename="Rowan", surname="Pebbleford", relationship="DAD")
    meeting = PepMeeting.objects.create(pupil=pupil, date=TODAY - dt.timedelta(days=7), attendees="Designated teacher")
    plan = AttendanceImprovementPlan.objects.create(pupil=pupil, meeting=meeting, agreed_on=meeting.date)
    client = as_user("teacher")
    response = client.get(f"/pupils/{pupil.pk}/")
    assert response.status_code == 200
    records = response.context["records"]
    assert records.contacts is None and records.plans is None
    assert b"Pebbleford" not in response.content and b'id="plans"' not in response.content
    assert records.statutory is not None, "statutory records follow the registers, which a teacher reads"
    client.logout()
    designated = as_user("designated-teacher").get(f"/pupils/{pupil.pk}/")
    assert [p.pk for p in designated.context["records"].plans.plans] == [plan.pk]
    assert f"/children-in-care/{pupil.pk}/".encode() in designated.content


def test_the_records_take_the_same_few_queries_however_many_letters_and_notices(demo):
    """Issue 6: every page under 300 ms on the demo, so no query per letter, case or contact."""
    lead = demo.get(username="attendance-lead")
    case = _case_pupil(lead)
    pupil_records.records_for(lead, case.pupil, TODAY)  # the roles held are read once per request
    with CaptureQueriesContext(connection) as once:
        pupil_records.records_for(lead, case.pupil, TODAY)
    merge_letter(kind="notice_to_improve", pupil=case.pupil, school=case.school, on=TODAY, by=lead, case=case)
    PupilContact.objects.create(pupil=case.pupil, order=99, forename="Quinn", surname="Larchmont")
    with CaptureQueriesContext(connection) as again:
        records = pupil_records.records_for(lead, case.pupil, TODAY)
    assert len(records.letters) == 2
    assert len(again.captured_queries) == len(once.captured_queries)
