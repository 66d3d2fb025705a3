"""Each role's pages in a real browser (issue 6, "Done when"): sign in with password and code
through the real form as a demo account, walk the page's main job by keyboard where it matters,
save a screenshot in test-artefacts/, and find no serious or critical accessibility violations
with axe-core (installed by npm, node_modules/axe-core)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.people import access
from muster.registers.demo import build_demo
from muster.registers.models import Pupil
from tests.browser.test_admin import PASSWORD, code_for

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo_site(live_server, page, monkeypatch):
    """The demo on TODAY at 3 pm, after both registers have closed; the browser reports any
    breach of the content security policy."""
    traveller = time_machine.travel(dt.datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo("Europe/London")), tick=True)
    traveller.start()
    monkeypatch.setattr(access, "today", lambda: TODAY)
    breaches = []
    page.on("console", lambda m: breaches.append(m.text) if "Content Security Policy" in m.text else None)
    build_demo(seed=7, today=TODAY, pupils=150, echo=lambda *_: None)
    yield live_server.url
    traveller.stop()
    assert breaches == []


def sign_in(page, url: str, username: str, start: str = "/") -> None:
    """Through the real form: password, then the authenticator app's code."""
    user = get_user_model().objects.get(username=username)
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{url}{start}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/sign-in/code/")
    page.fill("#id_code", code_for(TOTPDevice.objects.get(user=user)))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (python3 dev.py test does)"
    # Run through the DevTools protocol: the pages' content security policy rightly refuses
    # a script tag added to them (add_script_tag), and that refusal must stand.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])} elements, e.g. {v['nodes'][0]['html'][:120]})"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def test_an_attendance_lead_starts_on_today_and_opens_a_pupil_absent_without_reason(demo_site, page, screenshot):
    sign_in(page, demo_site, "attendance-lead")
    assert re.search(r"/schools/\d{6}/today/$", page.url), page.url
    assert page.locator("h1").inner_text().startswith("Today, Friday 27 November 2026")
    assert page.locator("header").get_by_text("Muster").is_visible()
    assert page.get_by_role("link", name="Cohorts").is_visible()
    screenshot("web-today")
    assert serious_violations(page) == []
    absent = page.locator("#absent + p + table tbody tr")
    assert absent.count() >= 1
    first_absent = absent.first.locator("a").inner_text()

    page.fill("#date", "2026-11-26")
    page.get_by_role("button", name="Show the day").click()
    page.wait_for_load_state()
    assert "Thursday 26 November 2026" in page.locator("h1").inner_text()
    assert page.locator("table").first.get_by_text("Taken", exact=True).count() == 2
    page.go_back()
    page.get_by_role("link", name=first_absent).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Attendance trend").is_visible()
    assert page.locator("svg.muster-chart").is_visible()
    screenshot("web-pupil")
    assert serious_violations(page) == []


def test_a_pupil_page_gives_figures_for_a_range_calendar_and_trend(demo_site, page, screenshot):
    sign_in(page, demo_site, "headteacher")
    page.get_by_role("link", name="Pupils").click()
    page.wait_for_load_state()
    page.locator("table tbody tr a").first.click()
    page.wait_for_load_state()
    assert page.locator(".muster-calendar").count() >= 3  # September to November
    assert page.locator(".muster-calendar abbr.category-present").count() > 50
    assert page.locator(".muster-legend li").count() == 7
    page.get_by_text("The trend as a table").click()
    assert page.locator(".govuk-details__text table tbody tr").count() >= 10
    page.fill("#from", "2026-09-01")
    page.fill("#to", "2026-09-30")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1 September 2026 to 30 September 2026").is_visible()
    screenshot("web-pupil-range")
    assert serious_violations(page) == []

    page.fill("#from", "2026-10-01")
    page.fill("#to", "2026-09-01")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="The last day must be the same as or after the first day").click()
    assert page.evaluate("document.activeElement.id") == "to"


def test_a_social_worker_sees_their_children_and_no_other(demo_site, page, screenshot):
    sign_in(page, demo_site, "social-worker")
    assert page.url.endswith("/pupils/")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    screenshot("web-social-worker-pupils")
    assert serious_violations(page) == []
    worker = get_user_model().objects.get(username="social-worker")
    mine = set(access.pupils_visible_to(worker).values_list("pk", flat=True))
    stranger = Pupil.objects.exclude(pk__in=mine).order_by("pk").first()
    response = page.goto(f"{demo_site}/pupils/{stranger.pk}/")
    assert response.status == 404

    page.goto(f"{demo_site}/pupils/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the first thing in the page's main content
    assert page.evaluate("document.activeElement.closest('main') !== null")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")
    assert "You have signed out." in page.content()


def test_a_virtual_school_advisor_opens_an_allocated_child(demo_site, page, screenshot):
    sign_in(page, demo_site, "vs-advisor")
    assert page.url.endswith("/pupils/")
    page.locator("table tbody tr a").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="This year: 1 August 2026 to 27 November 2026").is_visible()
    screenshot("web-vs-advisor-pupil")
    assert serious_violations(page) == []


def test_an_la_officer_reads_cohorts_and_the_pupils_behind_a_number(demo_site, page, screenshot):
    sign_in(page, demo_site, "la-officer")
    page.get_by_role("link", name="Cohorts").click()
    page.wait_for_load_state()
    assert page.get_by_role("table", name="Year group").is_visible()
    screenshot("web-cohorts")
    assert serious_violations(page) == []
    page.get_by_role("table", name="All pupils").locator("tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "All pupils"
    screenshot("web-cohort-pupils")
    assert serious_violations(page) == []


def test_policies_show_bands_interventions_and_findings(demo_site, page, screenshot):
    sign_in(page, demo_site, "attendance-lead", start="/policies/")
    assert page.url.endswith("/policies/")
    assert page.locator("main section").count() >= 4
    assert page.get_by_role("heading", name="Policy check").count() == page.locator("main section").count()
    screenshot("web-policies")
    assert serious_violations(page) == []


def test_a_teacher_takes_the_afternoon_register_from_the_keyboard(demo_site, page, screenshot):
    sign_in(page, demo_site, "teacher")
    assert page.url.endswith("/registers/")
    page.get_by_role("link", name=re.compile("^Afternoon register of")).first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name=re.compile("Mark everyone without a mark present")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    selects = page.locator("select.govuk-select")
    assert selects.count() >= 1
    assert {selects.nth(i).input_value() for i in range(selects.count())} == {"\\"}
    selects.first.focus()
    page.keyboard.type("N")
    assert selects.first.input_value() == "N"
    screenshot("web-register")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save register").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Register saved:" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("select.govuk-select").first.input_value() == "N"

    page.locator("select.govuk-select").first.select_option("M")
    page.get_by_role("button", name="Save register").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    page.get_by_role("link", name=re.compile("Say why you are changing the marks")).click()
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("A letter from the dentist came in")
    page.get_by_role("button", name="Save register").click()
    page.wait_for_load_state()
    assert "1 corrected" in page.locator(".govuk-notification-banner").inner_text()
    screenshot("web-register-corrected")


def test_a_social_worker_completes_a_task_from_the_keyboard(demo_site, page, screenshot):
    """Issue 6, "Tasks": my tasks; complete with a note."""
    from muster.casework.models import Task
    from muster.casework.worklists import tasks_for

    worker = get_user_model().objects.get(username="social-worker")
    mine = list(tasks_for(worker, on=TODAY))
    assert mine, "the demo gives the social worker tasks"
    sign_in(page, demo_site, "social-worker", start="/tasks/")
    assert page.locator("h1").inner_text() == "Tasks"
    screenshot("web-tasks")
    assert serious_violations(page) == []
    first = mine[0]
    page.fill(f"#note-{first.pk}", "Talked to the carer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Done:" in page.content()
    first.refresh_from_db()
    assert (first.status, first.note) == (Task.Status.DONE, "Talked to the carer")


def test_the_virtual_school_head_reads_the_single_school_and_tries_a_what_if(demo_site, page, screenshot):
    """Issue 5 item 1 and issue 6 page 7 (the what-if with its results)."""
    sign_in(page, demo_site, "vs-head", start="/children-in-care/")
    assert page.locator("h1").inner_text() == "Children in care"
    screenshot("web-children-in-care")
    assert serious_violations(page) == []
    page.goto(f"{demo_site}/policies/what-if/?policy=vs-attendance-processes-matrix")
    page.fill("#edge-good", "99")
    with page.expect_navigation():
        page.get_by_role("button", name="Try it").click()
    assert "It would have made" in page.content()
    screenshot("web-what-if")
    assert serious_violations(page) == []
