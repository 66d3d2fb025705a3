"""On the demo: `muster lint` finds every problem the demo planted, and nothing else (issue
"Interoperability", "Done when"; `muster.interop.demo`); `muster export` gives the figures in
DfE's column names (reference 2.4), scoped like every other read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner

from muster.cli import main
from muster.interop.exports import PUPIL_COLUMNS, SCHOOL_COLUMNS
from muster.interop.models import PlantedProblem
from muster.people import access
from muster.registers.models import Pupil
from muster.registers.reports import cohort_rows, enrolments_in_period
from tests.accounts.conftest import PASSWORD, sign_in
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)
KINDS = {"unmarked-session", "n-unresolved", "mark-on-closed-day", "mark-outside-enrolment",
         "retired-code", "dual-registration-without-pair", "duplicate-pupil", "child-in-care-without-pep",
         "part-time-timetable-without-end"}


demo_world = demo_world_fixture(pupils=700, password=PASSWORD)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


def lint(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["lint", "--date", TODAY.isoformat(), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def key(rule, upn, school, day, session) -> tuple:
    return (rule, upn, school, day, session)


def test_the_demo_plants_one_problem_of_each_kind(demo):
    assert {p.rule for p in PlantedProblem.objects.all()} == KINDS


def test_muster_lint_finds_every_planted_problem_and_nothing_else(demo):
    status, rows = lint()
    planted = {
        key(p.rule, p.upn, p.school_urn, p.day.isoformat() if p.day else "", p.session)
        for p in PlantedProblem.objects.all()
    }
    found = [key(r["rule"], r["upn"], r["school"], r["date"], r["session"]) for r in rows]
    assert status == 1
    assert sorted(found) == sorted(planted)
    assert all(r["pupil"] and r["fix_in"] for r in rows), "each finding names the pupil and the fix"


def test_lint_runs_every_check_the_issue_asks_for(demo):
    """PEPs and part-time timetables are held now: no check is reported as not run (issue 9 item 5)."""
    result = CliRunner().invoke(main, ["lint", "--date", TODAY.isoformat(), "--format", "json"])
    assert "not checked" not in result.stderr
    assert {r["rule"] for r in json.loads(result.stdout)} == KINDS


def test_a_school_sees_only_its_own_findings(demo):
    school = PlantedProblem.objects.get(rule="mark-on-closed-day").school_urn
    _, rows = lint("--school", school)
    expected = {p.upn for p in PlantedProblem.objects.filter(school_urn=school)}
    assert {r["upn"] for r in rows} == expected
    assert {r["school"] for r in rows} == {school}


def test_lint_as_a_member_of_staff_is_scoped_by_their_roles(demo):
    """Every read goes through muster.people.access: the headteacher of one school sees that
    school's findings only; a user with no role sees none."""
    from django.contrib.auth import get_user_model

    from muster.people.models import RoleAssignment

    head = RoleAssignment.objects.filter(role="headteacher").select_related("organisation__school").first()
    urn = head.organisation.school.urn
    _, rows = lint("--as", head.user.username)
    assert rows and {r["school"] for r in rows} == {urn}
    assert {r["upn"] for r in rows} == {p.upn for p in PlantedProblem.objects.filter(school_urn=urn)}
    get_user_model().objects.create_user("nobody-in-particular", password="x")
    status, rows = lint("--as", "nobody-in-particular")
    assert (status, rows) == (0, [])


def test_the_quality_pages_name_pupil_session_and_rule_and_link_to_the_fix(demo, client, monkeypatch):
    """Issue 9 item 5: "a page per school and LA ... each finding names the pupil, session and
    rule, and links to where it is fixed"."""
    from django.urls import reverse

    from muster.people.models import RoleAssignment

    monkeypatch.setattr(access, "today", lambda: TODAY)
    head = RoleAssignment.objects.filter(role="headteacher").select_related("organisation__school").first()
    urn = head.organisation.school.urn
    sign_in(client, head.user)
    page = client.get(reverse("web:quality_school", args=[urn])).content.decode()
    planted = PlantedProblem.objects.filter(school_urn=urn)
    assert planted.exists()
    for problem in planted:
        pupil = Pupil.objects.get(upn=problem.upn)
        assert problem.upn in page and problem.rule in page
        assert (reverse("web:care_child", args=[pupil.pk]) if problem.rule == "child-in-care-without-pep"
                else reverse("web:pupil", args=[pupil.pk])) in page
    client.logout()
    sign_in(client, demo.get(username="administrator"))
    la_page = client.get(reverse("web:quality_la", args=["938"]))
    assert la_page.status_code == 200
    text = la_page.content.decode()
    from muster.registers.models import School

    in_la = PlantedProblem.objects.filter(
        school_urn__in=School.objects.filter(local_authority__code="938").values("urn"))
    assert in_la.exists()
    for problem in in_la:
        assert problem.upn in text and problem.rule in text


FIRST, LAST = dt.date(2025, 9, 1), dt.date(2026, 7, 31)


def export(*args: str):
    return CliRunner().invoke(main, ["export", *args, "--from", FIRST.isoformat(), "--to", LAST.isoformat()])


def test_school_export_uses_dfe_column_names_and_the_one_figures_engine(demo):
    result = export("schools", "--la", "938")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == SCHOOL_COLUMNS
    engine = {r["group"]: r for r in cohort_rows(
        FIRST, LAST, by=("school",),
        enrolments=enrolments_in_period(FIRST, LAST).filter(school__local_authority__code="938"))}
    assert {r["school_urn"] for r in rows} == set(engine)
    for row in rows:
        possible, attended = int(row["possible_sessions"]), int(row["overall_attendance"])
        assert possible == engine[row["school_urn"]]["possible"]
        # reference 2.4: possible = overall attendance + overall absence; attendance_perc = attendance / possible x 100
        assert attended + int(row["overall_absence"]) == possible
        assert attended == int(row["present_sessions"]) + int(row["approved_educational_activity"])
        assert float(row["attendance_perc"]) == pytest.approx(attended * 100 / possible, rel=1e-12)
        assert row["la_code"] == "938"


def test_parquet_export_holds_the_same_rows_as_csv(demo, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "schools.parquet"
    assert export("schools", "--format", "parquet", "--out", str(out)).exit_code == 0
    table = pq.read_table(out)
    assert tuple(table.column_names) == SCHOOL_COLUMNS
    from_csv = list(csv.DictReader(io.StringIO(export("schools").stdout)))
    assert [str(v) for v in table.column("possible_sessions").to_pylist()] == [r["possible_sessions"] for r in from_csv]


def test_children_in_care_export_has_only_children_in_care(demo):
    result = export("pupils", "--children-in-care")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == PUPIL_COLUMNS
    in_care = set(Pupil.objects.filter(looked_after=True).values_list("upn", flat=True))
    assert rows and {r["upn"] for r in rows} <= in_care


def test_exports_are_scoped_to_what_the_user_may_see(demo):
    from django.contrib.auth import get_user_model

    from muster.people.models import RoleAssignment

    head = RoleAssignment.objects.filter(role="headteacher").select_related("organisation__school").first()
    rows = list(csv.DictReader(io.StringIO(export("schools", "--as", head.user.username).stdout)))
    assert [r["school_urn"] for r in rows] == [head.organisation.school.urn]
    pupils = list(csv.DictReader(io.StringIO(export("pupils", "--as", head.user.username).stdout)))
    visible = set(access.pupils_visible_to(head.user).values_list("upn", flat=True))
    assert pupils and {r["upn"] for r in pupils} <= visible
    get_user_model().objects.create_user("no-role-at-all", password="x")
    refused = export("pupils", "--as", "no-role-at-all")
    assert refused.exit_code == 1 and "do not allow" in refused.output
