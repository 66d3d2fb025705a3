"""First-day calling on constructed registers.

Sources: seed 002 lines 122-132 (calls every day; a referral if no contact by the 10th day of
absence); domain reference 2.1/2.3 (`N` replaced within 5 school days), 5.1 (first-day
calling; pupils with a social worker), section 0 (no mark is listed for the school).
"""

from __future__ import annotations

import datetime as dt

from muster.audit.models import AuditEvent
from muster.core.slots import Session
from muster.statutory import actions, calling
from tests.statutory.conftest import PRESENT, week_of


def test_calling_list_is_N_or_no_mark_children_in_care_then_social_worker_first(town):
    school = town.schools[0]
    cases = [
        ("Present", {}, "/"), ("Nomark", {"social_worker": True}, "."), ("Unknown", {}, "N"),
        ("Cared", {"looked_after": True}, "N"), ("Poorly", {}, "I"),
    ]
    for surname, flags, mark in cases:
        town.enrol(town.pupil(surname, **flags), school, [PRESENT, PRESENT, mark + "/////////"])
    rows = calling.calling_list(school=school, day=week_of(3), session=Session.AM)
    assert [(r.name.split(",")[0], r.priority, r.mark) for r in rows] == [
        ("Cared", "child in care", "N"), ("Nomark", "social worker", ""), ("Unknown", "", "N"),
    ]
    hidden = calling.calling_list(school=school, day=week_of(3), session=Session.AM, sensitive=False)
    assert [r.priority for r in hidden] == ["", "", ""]


def test_day_10_referral_when_no_contact_has_been_made(town):
    pupil = town.pupil("Missingham")
    town.enrol(pupil, town.schools[0], [PRESENT, "NNNNNNNNNN", "NNNNNNNNNN"])
    friday = week_of(3) + dt.timedelta(days=4)
    (row,) = calling.calling_list(school=town.schools[0], day=friday, session=Session.PM)
    assert (row.absence_day, row.contact_made, row.referral_due) == (10, False, True)
    assert "missing education" in row.next_steps
    thursday = friday - dt.timedelta(days=1)
    (day_9,) = calling.calling_list(school=town.schools[0], day=thursday, session=Session.PM)
    assert (day_9.absence_day, day_9.referral_due) == (9, False)


def test_a_reached_parent_means_no_referral_and_the_contact_is_audited(town):
    pupil = town.pupil("Reachwell")
    town.enrol(pupil, town.schools[0], [PRESENT, "NNNNNNNNNN", "NNNNNNNNNN"])
    actions.log_contact(pupil=pupil, school=town.schools[0], method="call", outcome="no_answer",
                        by=town.staff, absence_on=week_of(2), contact="parent")
    actions.log_contact(pupil=pupil, school=town.schools[0], method="home_visit", outcome="reached",
                        by=town.staff, absence_on=week_of(3), contact="parent", note="family unwell")
    friday = week_of(3) + dt.timedelta(days=4)
    (row,) = calling.calling_list(school=town.schools[0], day=friday, session=Session.PM)
    assert (row.contact_made, row.referral_due) == (True, False)
    assert row.next_steps == "call the parents"
    assert AuditEvent.objects.filter(record_kind="contact_attempt", pupil_id=pupil.pk).count() == 2


def test_N_not_resolved_within_5_school_days_is_flagged(town):
    pupil = town.pupil("Unresolved")
    town.enrol(pupil, town.schools[0], ["N/////////", PRESENT, PRESENT])
    school = town.schools[0]
    # N on Monday 1 September: resolve by Monday 8 September; flagged from Tuesday 9.
    assert calling.unresolved_n_list(school=school, on=week_of(2)) == []
    (flag,) = calling.unresolved_n_list(school=school, on=week_of(2) + dt.timedelta(days=1))
    assert (flag["date"], flag["session"], flag["resolve_by"]) == (week_of(1), "AM", week_of(2))


def test_no_list_for_a_closed_session(town):
    town.enrol(town.pupil("Weekender"), town.schools[0], [PRESENT])
    assert calling.calling_list(school=town.schools[0], day=dt.date(2025, 9, 6), session=Session.AM) == []


def test_the_calling_list_shows_the_contacts_in_priority_order(town):
    """Issue 4 item 2: "with contacts in priority order"; seed 002 lines 128-130 (the parents
    first, then the emergency contacts)."""
    from muster.interop.models import PupilContact

    pupil = town.pupil("Fernhollow")
    town.enrol(pupil, town.schools[0], [PRESENT, "N/////////"])
    PupilContact.objects.create(pupil=pupil, order=2, forename="Aldous", surname="Pennyworth",
                                relationship="OTH", phones=[{"kind": "mobile", "number": "07700 900222"}])
    PupilContact.objects.create(pupil=pupil, order=1, title="Mr", forename="Ivo", surname="Fernhollow",
                                relationship="DAD", parental_responsibility=True,
                                phones=[{"kind": "home", "number": "01632 960111"}])
    (row,) = calling.calling_list(school=town.schools[0], day=week_of(2), session=Session.AM)
    assert row.contacts == ("1. Mr Ivo Fernhollow (DAD, parental responsibility) 01632 960111; "
                            "2. Aldous Pennyworth (OTH) 07700 900222")
    assert row.as_dict()["contacts"] == row.contacts
