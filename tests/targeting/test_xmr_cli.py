"""`muster xmr` on the demo (issue 10 part 6): weekly attendance of a school, of every school or
of one pupil as an XmR chart, read through the trust layer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.core.roles import Action, RecordKind
from muster.core.targeting.xmr import chart
from muster.people import access
from muster.registers.models import School

pytestmark = pytest.mark.django_db
PERIOD = ["--from", "2025-09-01", "--to", "2026-07-22"]


def xmr(*args):
    return CliRunner().invoke(main, ["xmr", *PERIOD, *args])


def test_a_schools_chart_has_its_limits_and_signals_from_its_weekly_attendance(demo):
    urn = School.objects.order_by("urn").first().urn
    result = xmr("--school", urn, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) > 30  # the school weeks of a year, holidays left out
    assert all(r["possible"] > 0 for r in rows)
    recomputed = chart([100 * r["attended"] / r["possible"] for r in rows], baseline=12)
    table = xmr("--school", urn, "--baseline", "12")
    assert table.exit_code == 0, table.output
    assert f"centre line {recomputed.mean:.2f}%" in table.output
    assert f"limits {recomputed.lower_limit:.2f}% to {recomputed.upper_limit:.2f}%" in table.output
    assert table.output.count("Signal: ") == len(recomputed.signals)


def test_one_pupils_chart_through_the_trust_layer(demo):
    lead = demo.get(username="attendance-lead")
    pupil = access.pupils_visible_to(lead, Action.VIEW, RecordKind.FIGURES).order_by("upn").first()
    result = xmr("--upn", pupil.upn, "--as", "attendance-lead", "--format", "table")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Weekly attendance of pupil {pupil.upn}")
    outsider = xmr("--upn", pupil.upn, "--as", "governor")
    assert outsider.exit_code != 0 and "do not allow" in outsider.output
    unknown = xmr("--upn", "Z000000000000", "--as", "attendance-lead")
    assert unknown.exit_code != 0 and "no pupil with UPN Z000000000000" in unknown.output


def test_a_governor_charts_their_schools_cohort_but_not_a_teacher(demo):
    governor = xmr("--as", "governor")
    assert governor.exit_code == 0, governor.output
    everyone = xmr()
    assert governor.output != everyone.output  # their school only
    teacher = xmr("--as", "teacher")
    assert teacher.exit_code != 0 and "do not allow" in teacher.output


def test_a_period_with_no_school_weeks_is_refused(demo):
    result = CliRunner().invoke(main, ["xmr", "--from", "2026-08-03", "--to", "2026-08-14"])
    assert result.exit_code != 0
    assert "fewer than two weeks with a possible session from 2026-08-03 to 2026-08-14" in result.output
