"""`muster at-risk` on the demo: the pupils flagged on a day, with their drivers and Annex A
stages, through the trust layer (issue 10 part 2: "Every flag lists the drivers that raised it")."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.core.roles import Action, RecordKind
from muster.core.slots import Session
from muster.people import access
from muster.registers.models import Enrolment
from muster.targeting.backtest import Roll

pytestmark = pytest.mark.django_db
ON = "2026-11-27"


def at_risk(*args):
    result = CliRunner().invoke(main, ["at-risk", "--on", ON, *args])
    assert result.exit_code == 0, result.output
    return result


def test_each_flagged_pupil_has_drivers_and_their_counts_match_the_pupil_report(demo):
    rows = json.loads(at_risk("--format", "json").output)
    assert rows
    report = CliRunner().invoke(main, ["report", "pupils", "--from", "2026-08-01", "--to", ON,
                                       "--format", "json"])
    figures = {p["upn"]: p for p in json.loads(report.output)}
    for row in rows:
        assert row["rules"] and len(row["drivers"].split("; ")) >= len(row["rules"].split(","))
        assert row["stages"].startswith("all_pupils")
        pupil = figures[row["upn"]]
        assert row["possible"] == pupil["possible"]
        assert row["absent"] == pupil["authorised"] + pupil["unauthorised"]
        if row["absent"] * 10 >= row["possible"]:
            assert "persistent" in row["stages"] or "severe" in row["stages"]
        else:
            assert "at_risk" in row["stages"]


def test_a_member_of_staff_sees_only_the_pupils_their_roles_reach(demo):
    lead = demo.get(username="attendance-lead")
    rows = json.loads(at_risk("--format", "json", "--as", "attendance-lead").output)
    allowed = set(access.pupils_visible_to(lead, Action.EXPORT, RecordKind.FIGURES)
                  .values_list("upn", flat=True))
    assert rows and {r["upn"] for r in rows} <= allowed


def test_a_teacher_is_not_shown_care_social_work_or_sen_stages(demo):
    rows = at_risk("--as", "teacher").output
    for stage in ("looked_after", "social_worker", "send_or_medical_poor_attendance"):
        assert stage not in rows


def test_a_move_at_the_start_of_a_school_year_is_not_a_change_of_school_but_an_in_year_move_is(demo):
    on = dt.date(2026, 11, 27)
    enrolments = Enrolment.objects.exclude(registration="subsidiary")
    pupil_ids = np.array(sorted(set(enrolments.values_list("pupil_id", flat=True))))
    roll = Roll(Enrolment.objects.filter(pupil_id__in=pupil_ids.tolist()), pupil_ids, 2026)
    changed = roll.school_changed(on)
    index = {p: i for i, p in enumerate(pupil_ids.tolist())}
    checked = {"start of year": 0, "in year": 0}
    for pupil_id in pupil_ids.tolist():
        mine = list(enrolments.filter(pupil_id=pupil_id).order_by("start").select_related("school"))
        if len(mine) < 2 or mine[-1].school_id == mine[-2].school_id or mine[-1].start > on:
            continue
        latest = mine[-1]
        calendar = latest.school.calendar()
        year_start = dt.date(latest.start.year if latest.start.month >= 8 else latest.start.year - 1,
                             8, 1)
        first_open = min(d for d in (year_start + dt.timedelta(days=k) for k in range(60))
                         if calendar.is_open(d, Session.AM) or calendar.is_open(d, Session.PM))
        if latest.start <= first_open:
            checked["start of year"] += 1
            assert np.isnat(changed[index[pupil_id]]) or changed[index[pupil_id]] < np.datetime64(latest.start)
        elif latest.start > first_open:
            checked["in year"] += 1
            assert changed[index[pupil_id]] == np.datetime64(latest.start)
    assert checked["start of year"] > 0 and checked["in year"] > 0
