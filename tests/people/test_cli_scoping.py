"""The command line goes through the same door: `--as USERNAME` reports only what that person's
roles reach (issue "People, roles and trust": one scoping layer "used by admin, pages, CLI and
API")."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.core.roles import Action, RecordKind
from muster.people import access

pytestmark = pytest.mark.django_db


def report(*args):
    result = CliRunner().invoke(main, ["report", *args, "--from", "2026-09-01", "--to", "2026-11-27"])
    return result


def test_a_teachers_pupils_report_holds_their_class_only(demo):
    teacher = demo.get(username="teacher")
    result = report("pupils", "--format", "table", "--as", "teacher")
    assert result.exit_code == 0, result.output
    got = {line.split()[0] for line in result.output.splitlines()[1:-1]}
    allowed = set(access.pupils_visible_to(teacher, Action.LIST, RecordKind.FIGURES).values_list("upn", flat=True))
    assert got and got == allowed


def test_an_attendance_lead_exports_their_schools_pupils_only(demo):
    lead = demo.get(username="attendance-lead")
    result = report("pupils", "--format", "json", "--as", "attendance-lead")
    assert result.exit_code == 0, result.output
    got = {row["upn"] for row in json.loads(result.output)}
    allowed = set(access.pupils_visible_to(lead, Action.EXPORT, RecordKind.FIGURES).values_list("upn", flat=True))
    assert got and got <= allowed


def test_a_teacher_may_list_but_not_export(demo):
    result = report("pupils", "--format", "table", "--as", "teacher")
    assert result.exit_code == 0
    # Teachers have no export of figures (muster.core.roles): a CSV is refused.
    assert report("pupils", "--format", "csv", "--as", "teacher").exit_code != 0


def test_a_governor_gets_cohort_figures_but_no_pupil_report(demo):
    refused = report("pupils", "--as", "governor")
    assert refused.exit_code != 0 and "do not allow" in refused.output
    cohorts = report("cohorts", "--by", "school", "--as", "governor")
    assert cohorts.exit_code == 0, cohorts.output
    assert cohorts.output.strip().endswith("(1 row)")  # their own school only
    assert "upn" not in cohorts.output
    # Governors may look at figures, not take them away (muster.core.roles).
    assert report("cohorts", "--format", "csv", "--as", "governor").exit_code != 0


def test_an_unknown_user_is_refused(demo):
    result = report("pupils", "--as", "nobody-here")
    assert result.exit_code != 0 and "no active user" in result.output


def test_every_report_is_on_record_under_the_name_it_was_run_as(demo):
    from muster.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    assert report("pupils", "--format", "json", "--as", "attendance-lead").exit_code == 0
    assert report("pupils", "--format", "csv").exit_code == 0
    made = list(AuditEvent.objects.order_by("sequence")[before:])
    assert [(e.username, e.action, e.record_kind) for e in made] == [
        ("attendance-lead", "export", "figures"),
        ("system", "export", "figures"),
    ]
    assert "pupils report 2026-09-01 to 2026-11-27" in made[0].summary


def test_refreshing_involvements_brings_newly_persistent_absentees_into_the_la_officers_reach(demo):
    from muster.people.models import Involvement

    officer = demo.get(username="la-officer")
    Involvement.objects.filter(reason="persistent_absence").delete()
    assert not access.pupils_visible_to(officer).filter(involvements__reason="persistent_absence").exists()
    result = CliRunner().invoke(main, ["people", "refresh-involvements", "--on", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert "opened" in result.output
    assert access.pupils_visible_to(officer).filter(involvements__reason="persistent_absence").exists()
