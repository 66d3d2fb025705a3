"""The cohort gaps page on the demo (issue 10 part 6: "cohorts with lower attendance than their
peers (Annex A) shown with the gap and its trend"; seed 002 line 248, Annex A "Support for
cohorts of pupils with lower attendance than their peers"). One small demo for the module."""

from __future__ import annotations

import pytest

from muster.core import slots
from muster.registers.reports import cohort_rows, enrolments_in_period
from muster.targeting.demo import demo_school
from tests.accounts.conftest import PASSWORD, sign_in
from tests.targeting.conftest import TODAY

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    sign_in(client, user)
    return client


def test_the_attendance_lead_sees_the_schools_groups_with_their_gap_and_another_school_does_not(
        demo, client, other_school_lead):
    school = demo_school()
    page = _signed_in(client, demo.get(username="attendance-lead")).get(
        f"/targeting/gaps/{school.urn}/")
    assert page.status_code == 200
    rows = page.context["found"].rows
    html = page.content.decode()
    assert rows and "<caption" in html
    assert {r.gap.characteristic for r in rows} >= {"fsm", "sex", "nc_year"}
    for row in rows:
        assert f"{row.heading}: {row.label}" in html
        assert row.gap.lower is (row.gap.gap > page.context["found"].rules.gap_points)
    assert ("govuk-tag--red" in html) is any(r.gap.lower for r in rows)
    # the FSM group's figures are the figures engine's for the same enrolments (reference 3.1)
    first = slots.year_start(slots.academic_year(TODAY))
    engine = {r["group"]: r for r in cohort_rows(
        first, TODAY, by=["fsm"], enrolments=enrolments_in_period(first, TODAY).filter(school=school))}
    fsm = next(r.gap for r in rows if r.gap.characteristic == "fsm" and r.gap.group == "True")
    assert fsm.possible == engine["Y"]["possible"]
    assert fsm.attended == engine["Y"]["present"] + engine["Y"]["aea"]
    assert fsm.peers_possible == engine["N"]["possible"]
    client.logout()
    outsider = _signed_in(client, other_school_lead)
    assert outsider.get(f"/targeting/gaps/{school.urn}/").status_code == 404
