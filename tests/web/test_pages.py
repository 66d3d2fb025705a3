"""The pages through Django's test client on the demo (issue 6): each role starts its day on its
own page, every figure is the reports' figure, nobody reaches a child outside their role's scope
(issue "People, roles and trust": the same answer as a record that does not exist), and every
look at children's records is on the audit log."""

from __future__ import annotations

import datetime as dt
import re

from muster.audit.models import AuditEvent
from muster.core import slots
from muster.core.policy import load_all
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers import reports
from muster.registers.models import Pupil
from muster.web import navigation
from tests.web.conftest import TODAY


def test_each_role_starts_its_day_on_its_own_page(as_user, demo):
    school = navigation.schools_run_by(demo.get(username="attendance-lead"))[0]
    expected = {
        "attendance-lead": f"/schools/{school.urn}/today/",
        "headteacher": f"/schools/{school.urn}/today/",
        "teacher": "/registers/",
        "social-worker": "/pupils/",
        "vs-advisor": "/pupils/",
        "la-officer": "/pupils/",
        "governor": "/cohorts/",
    }
    for username, url in expected.items():
        client = as_user(username)
        response = client.get("/")
        assert response.status_code == 302 and response.url == url, username
        assert client.get(url).status_code == 200, username
        client.logout()


def test_a_person_with_no_role_is_told_so(client, demo):
    from tests.accounts.conftest import make_person, sign_in

    sign_in(client, make_person("no.role.yet", staff=False))
    response = client.get("/")
    assert response.status_code == 200
    assert b"You have no role in Muster yet" in response.content


def test_the_pupil_page_shows_the_reports_figures_and_puts_the_look_on_record(as_user, demo):
    lead = demo.get(username="attendance-lead")
    client = as_user("attendance-lead")
    pupil = access.pupils_visible_to(lead).order_by("pk").first()
    first = slots.year_start(slots.academic_year(TODAY))
    row = reports.pupil_rows(first, TODAY, pupils=Pupil.objects.filter(pk=pupil.pk))[0]
    before = AuditEvent.objects.filter(pupil_id=pupil.pk, action="view").count()
    response = client.get(f"/pupils/{pupil.pk}/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["possible"], figures["unauthorised"], figures["attendance_pct"]) == (
        row["possible"], row["unauthorised"], row["attendance_pct"])
    assert response.context["chart"] is not None
    assert response.context["trend"][-1].year_pct == round(
        (row["present"] + row["aea"]) * 100 / row["possible"], 1)
    assert AuditEvent.objects.filter(pupil_id=pupil.pk, action="view").count() == before + 1


def test_figures_for_a_chosen_range_and_a_clear_error_for_a_range_backwards(as_user, demo):
    lead = demo.get(username="attendance-lead")
    client = as_user("attendance-lead")
    pupil = access.pupils_visible_to(lead).order_by("pk").first()
    response = client.get(f"/pupils/{pupil.pk}/", {"from": "2026-09-01", "to": "2026-09-30"})
    row = reports.pupil_rows(dt.date(2026, 9, 1), dt.date(2026, 9, 30), pupils=Pupil.objects.filter(pk=pupil.pk))[0]
    assert response.context["in_range"]["possible"] == row["possible"]
    response = client.get(f"/pupils/{pupil.pk}/", {"from": "2026-10-01", "to": "2026-09-01"})
    assert response.context["in_range"] is None
    assert b"The last day must be the same as or after the first day" in response.content
    assert response.content.count(b"<title>Error:") == 1


def test_a_role_that_may_not_see_a_pupil_gets_not_found(as_user, demo):
    for username in ("social-worker", "vs-advisor", "headteacher", "governor"):
        user = demo.get(username=username)
        stranger = Pupil.objects.exclude(pk__in=access.pupils_visible_to(user).values("pk")).order_by("pk").first()
        client = as_user(username)
        assert client.get(f"/pupils/{stranger.pk}/").status_code == 404, username
        assert client.get("/pupils/999999999/").status_code == 404, username
        client.logout()


def test_today_counts_the_same_missing_marks_as_the_report(as_user, demo):
    lead = demo.get(username="attendance-lead")
    school = navigation.schools_run_by(lead)[0]
    client = as_user("attendance-lead")
    day = dt.date(2026, 11, 27)
    response = client.get(f"/schools/{school.urn}/today/", {"date": day.isoformat()})
    assert response.status_code == 200
    summary = response.context["day"]
    missing = reports.missing_marks(day, day, school=school)
    for register in summary.registers:
        expected = sum(1 for m in missing if m["session"] == register.session.value)
        assert register.missing == expected, register.session
    listed = {a.pupil_id for a in summary.absent}
    assert listed <= set(access.pupils_visible_to(lead).values_list("pk", flat=True))


def test_today_is_only_for_the_schools_a_person_runs(as_user, demo):
    other = demo.get(username="attendance-lead")
    school = navigation.schools_run_by(other)[0]
    assert as_user("social-worker").get(f"/schools/{school.urn}/today/").status_code == 404


def test_cohort_figures_are_the_reports_and_the_pupils_behind_are_scoped(as_user, demo):
    officer = demo.get(username="la-officer")
    client = as_user("la-officer")
    response = client.get("/cohorts/")
    first = slots.year_start(slots.academic_year(TODAY))
    pooled = access.cohort_enrolments_visible_to(officer)
    expected = reports.cohort_rows(first, TODAY, by=("all", "nc_year"),
                                   enrolments=reports.enrolments_in_period(first, TODAY).filter(pk__in=pooled.values("pk")))
    tables = {t.dimension: t for t in response.context["tables"]}
    assert tables["all"].rows[0]["enrolments"] == expected[0]["enrolments"]
    assert {r["group"]: r["enrolments"] for r in tables["nc_year"].rows} == {
        r["group"]: r["enrolments"] for r in expected if r["dimension"] == "nc_year"}
    link = re.search(rb'href="(/cohorts/pupils/\?dimension=all[^"]+)"', response.content).group(1).decode()
    behind = client.get(link.replace("&amp;", "&"))
    visible = set(access.pupils_visible_to(officer, Action.LIST, RecordKind.FIGURES).values_list("upn", flat=True))
    shown = {r["upn"] for r in behind.context["rows"]}
    assert shown and shown <= visible
    assert len(shown) < tables["all"].rows[0]["enrolments"]  # the officer sees only pupils involved


def test_a_governor_sees_cohort_figures_without_names_or_sensitive_groups(as_user, demo):
    client = as_user("governor")
    response = client.get("/cohorts/")
    assert response.status_code == 200
    assert b"/cohorts/pupils/" not in response.content
    assert {t.dimension for t in response.context["tables"]} == {"all", "nc_year", "sex"}
    assert client.get("/cohorts/pupils/", {"dimension": "fsm", "group": "Y"}).status_code == 404
    assert client.get("/pupils/").status_code == 200
    assert client.get("/pupils/").context["rows"] == []


def test_policies_show_every_shipped_policy_with_its_findings(as_user, demo):
    response = as_user("attendance-lead").get("/policies/")
    assert response.status_code == 200
    pages = response.context["policies"]
    assert [p.policy.id for p in pages] == [p.id for p in load_all()]
    for policy in load_all():
        assert policy.title.encode() in response.content.replace(b"&#x27;", b"'")
    assert sum(len(p.bands) for p in pages) == sum(len(p.bands) for p in load_all())


def test_pages_load_scripts_only_from_files(as_user, demo):
    """The content security policy stays strict (settings.SECURE_CSP): no inline script."""
    client = as_user("attendance-lead")
    for url in ("/pupils/", "/cohorts/", "/policies/", "/registers/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        scripts = re.findall(rb"<script[^>]*>", response.content)
        assert scripts and all(b" src=" in s for s in scripts), url
        assert b" style=" not in response.content, url
