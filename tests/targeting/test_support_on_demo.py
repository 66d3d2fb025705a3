"""Targeting support on the demo (issue 10 "Done when": "a targeting meeting pack for a school
opens as a document and as a page, the action log round-trips between a school user and an LA
user, the no-action worklist lists the planted cases and no others, and an XmR chart shows a
planted shift as a signal"). One small demo for the module."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from muster.core import codes, slots
from muster.core.best_mark import OnConflict
from muster.core.targeting.messages import WeekNotFinal, show
from muster.core.targeting.xmr import SignalKind
from muster.people import access
from muster.registers.actions import MarkInput, record_marks
from muster.registers.models import Enrolment, MarkBatch, Pupil, School
from muster.registers.reports import missing_marks
from muster.targeting import actions, scope
from muster.targeting.charts import enrolments_for, weekly_chart
from muster.targeting.demo import demo_school, plant_targeting_demo
from muster.targeting.family import previous_schools, sibling_ids, siblings
from muster.targeting.meetings import meeting_rows
from muster.targeting.messages import school_messages, week_of
from muster.targeting.models import Meeting
from muster.targeting.worklist import no_action_rows
from tests.accounts.conftest import PASSWORD, sign_in
from tests.demo_world import TODAY, demo_world_fixture

pytestmark = pytest.mark.django_db

demo_world = demo_world_fixture(pupils=150, password=PASSWORD)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


def _noop(*_):
    return None


def test_the_action_log_round_trips_between_the_school_and_the_la_and_no_one_else(demo, other_school_lead):
    """A school user writes, the LA user sees it and adds, a user of another school sees
    neither the entries nor the pupil (seed 002 Annex A: the LA holds "a regular conversation
    with every school")."""
    lead, officer = demo.get(username="attendance-lead"), demo.get(username="la-officer")
    school = demo_school()
    meeting = actions.hold_meeting(school=school, held_on=TODAY, user=lead,
                                   attendees=["Attendance lead", "LA attendance officer"])
    rows = meeting_rows(school, TODAY, visible=scope.log_pupils_visible_to(officer))
    assert rows, "the LA officer reaches the pupils on the list"
    pupil = rows[0].pupil
    written = actions.write_log_entry(
        pupil=pupil, school=school, user=lead, written_on=TODAY, meeting=meeting,
        lead_practitioner="Attendance lead", early_help_offered=True, barriers="Transport",
        actions=[actions.ActionDraft("Home visit", "Attendance lead", TODAY + dt.timedelta(days=14))])
    seen = scope.log_visible_to(officer).filter(pupil=pupil)
    assert written in seen
    reply = actions.write_log_entry(pupil=pupil, school=school, user=officer, written_on=TODAY,
                                    meeting=meeting, note="Early help assessment booked")
    assert reply.organisation.local_authority_id == school.local_authority_id
    assert set(scope.log_visible_to(lead).filter(pupil=pupil)) >= {written, reply}
    outsider = other_school_lead
    assert not scope.log_visible_to(outsider).filter(pupil=pupil).exists()
    assert not scope.meetings_visible_to(outsider).filter(pk=meeting.pk).exists()
    with pytest.raises(access.NotFound):
        actions.write_log_entry(pupil=pupil, school=school, user=outsider, written_on=TODAY,
                                note="should not be written")


def test_the_next_meeting_starts_from_the_last_ones_open_actions(demo):
    """The demo's meeting before half term agreed an action per pupil; the list for today carries
    each still-open action and what changed since that meeting."""
    school = demo_school()
    last = Meeting.objects.get(school=school)
    lead = demo.get(username="attendance-lead")
    rows = meeting_rows(school, TODAY, visible=scope.log_pupils_visible_to(lead))
    logged = set(last.entries.values_list("pupil_id", flat=True))
    carried = {r.pupil.pk for r in rows if r.open_actions}
    assert logged and logged <= carried
    row = next(r for r in rows if r.pupil.pk in logged)
    assert any(c.startswith("Absence ") and str(last.held_on) in c for c in row.changes)
    assert all(a.review_on > last.held_on for a in row.open_actions)


def test_the_worklist_lists_the_planted_cases_and_no_others(demo):
    """Issue 10 part 4: pupils at a stage that expects action with none in N school days."""
    planted = plant_targeting_demo(today=TODAY, echo=_noop)
    assert planted.no_action
    school = School.objects.filter(pk=demo_school().pk)
    rows = no_action_rows(TODAY, schools=school, visible=Pupil.objects.all())
    assert sorted(r.pupil.pk for r in rows) == planted.no_action
    assert all(r.item.school_days >= r.item.limit for r in rows)
    _edit_a_mark_comment(rows[0].pupil, school.get())
    still = no_action_rows(TODAY, schools=school, visible=Pupil.objects.all())
    assert sorted(r.pupil.pk for r in still) == planted.no_action  # an edited note is not action
    actions.write_log_entry(pupil=rows[0].pupil, school=school.get(), user=None, written_on=TODAY,
                            note="Spoke to the family")
    after = no_action_rows(TODAY, schools=school, visible=Pupil.objects.all())
    assert sorted(r.pupil.pk for r in after) == [p for p in planted.no_action if p != rows[0].pupil.pk]


def _edit_a_mark_comment(pupil, school):
    """Put a comment on the pupil's latest mark (same code): a note edited, nothing done."""
    enrolment = Enrolment.objects.filter(pupil=pupil, school=school).order_by("-start").first()
    register = enrolment.register_years.get(academic_year=slots.academic_year(TODAY))
    marked = register.codes().nonzero()[0]
    day, session = slots.date_of(register.academic_year, int(marked[-1]))
    record_marks(marks=[MarkInput(enrolment.pk, day, session,
                                  codes.BY_ID[int(register.codes()[marked[-1]])], comment="Mum rang")],
                 source=MarkBatch.Source.CORRECTION, reason="comment added",
                 on_conflict=OnConflict.REPLACE)
    assert register.notes.filter(comment="Mum rang").exists()


def test_the_xmr_chart_shows_the_planted_shift_as_a_signal(demo):
    """Issue 10 part 6: a point outside the limits is a signal; the planted two weeks off ill."""
    planted = plant_targeting_demo(today=TODAY, echo=_noop)
    assert planted.shifted is not None
    first = slots.year_start(slots.academic_year(TODAY) - 1)
    series, chart = weekly_chart(first, TODAY, enrolments_for(first, TODAY, pupil_id=planted.shifted),
                                 pupil=True)
    below = {s.first for s in chart.signals if s.kind is SignalKind.BELOW_LIMIT}
    shifted = {i for i, week in enumerate(series.weeks) if week > TODAY - dt.timedelta(weeks=2)}
    assert len(shifted) == 2 and shifted <= below


def test_the_meeting_pack_opens_as_a_page_and_as_a_document(demo, client):
    lead = demo.get(username="la-officer")
    meeting = Meeting.objects.get(school=demo_school())
    sign_in(client, lead)
    page = client.get(f"/targeting/meetings/{meeting.pk}/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows and rows[0].pupil.upn in page.content.decode()
    document = client.get(f"/targeting/meetings/{meeting.pk}/pack.docx")
    assert document.status_code == 200
    text = "\n".join(c.text for t in Document(io.BytesIO(document.content)).tables
                     for r in t.rows for c in r.cells)
    assert all(r.pupil.upn in text for r in rows)
    assert client.get("/targeting/no-action/").status_code == 200
    listing = client.get("/targeting/")
    assert listing.status_code == 200 and f"/targeting/meetings/{meeting.pk}/" in listing.content.decode()
    posted = client.post(f"/targeting/meetings/{meeting.pk}/", {
        "pupil": rows[0].pupil.pk, "lead_practitioner": "School nurse", "early_help": "yes",
        "barriers": "Sleep", "action": "Refer to the school nurse", "owner": "LA officer",
        "review_on": "2026-12-11"})
    assert posted.status_code == 302
    assert scope.log_visible_to(demo.get(username="attendance-lead")).filter(
        pupil=rows[0].pupil, lead_practitioner="School nurse", actions__owner="LA officer").exists()
    assert client.get(f"/targeting/xmr/?school={meeting.school.urn}").status_code == 200
    pupil_page = client.get(f"/pupils/{rows[0].pupil.pk}/")
    assert pupil_page.status_code == 200 and "Family and previous schools" in pupil_page.content.decode()
    chart = client.get(f"/targeting/xmr/?pupil={rows[0].pupil.pk}")
    assert chart.status_code == 200 and "natural process limits" in chart.content.decode()


def test_siblings_by_a_shared_contact_or_a_link_and_only_those_the_reader_sees(demo):
    """Issue 10 part 5 (seed 002 Annex A: "schools previously attended and the schools of any
    siblings"): the demo's planted family, read by the LA officer and by the school."""
    school = demo_school()
    meeting = Meeting.objects.get(school=school)
    child = meeting.entries.order_by("pupil_id").first().pupil
    links = sibling_ids(child)
    assert sorted(links.values())[0].startswith("recorded as a sibling")
    assert any(how.startswith("shares a contact") for how in links.values())
    everyone = siblings(child, visible=Pupil.objects.all(), on=TODAY)
    assert {s.pupil.pk for s in everyone} == set(links)
    lead = demo.get(username="attendance-lead")
    at_school = siblings(child, visible=access.pupils_visible_to(lead), on=TODAY)
    assert {s.pupil.pk for s in at_school} < set(links)  # the other school's child is not shown


def test_previous_schools_with_their_attendance(demo):
    moved = Enrolment.objects.filter(end__lt=TODAY).order_by("pk").first()
    found = previous_schools(moved.pupil, enrolments=Enrolment.objects.all(), on=TODAY)
    assert moved.school in [p.school for p in found]
    row = next(p for p in found if p.school == moved.school)
    assert row.possible > 0 and 0 <= row.attended <= row.possible


def test_messages_wait_for_a_final_week_and_compare_with_the_median_pupil(demo):
    """Issue 10 part 7: sent only once the week's marks are final; days missed against a
    typical pupil of the school."""
    school = demo_school()
    final_week, refused = None, 0
    for weeks_back in range(0, 6):
        monday, friday = week_of(TODAY - dt.timedelta(weeks=weeks_back))
        if missing_marks(monday, friday, school=school):
            with pytest.raises(WeekNotFinal):
                school_messages(school, friday, visible=Pupil.objects.all())
            refused += 1
        elif final_week is None:
            final_week = friday
    assert final_week is not None and refused  # the demo's week to today is not all marked
    sent = school_messages(school, final_week, visible=Pupil.objects.all())
    assert sent
    for item in sent:
        assert f"has missed {show(item.message.days_missed)} of school" in item.message.text
        assert show(item.message.typical_days) in item.message.text
