"""Each role's pages in a real browser (issue 6, "Done when"): sign in with password and code
through the real form as a demo account, walk the page's main job by keyboard where it matters,
save a screenshot in test-artefacts/, and find no serious or critical accessibility violations
with axe-core (installed by npm, node_modules/axe-core)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.people import access
from muster.registers.models import Pupil
from tests.browser.conftest import TODAY
from tests.browser.test_admin import PASSWORD, code_for

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def demo_site(live_demo, csp_breaches):
    """The demo, built once for the package (conftest.live_demo), on TODAY at 3 pm; the browser
    reports any breach of the content security policy."""
    return live_demo


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
    device = TOTPDevice.objects.get(user=user)
    device.last_t = -1  # the same account may sign in twice within one 30-second step here
    device.save(update_fields=["last_t"])
    page.fill("#id_code", code_for(device))
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


def test_an_attendance_lead_logs_calls_from_the_calling_list_without_a_reload(demo_site, page, screenshot):
    """Issue 6 page 1: the first-day calling list with one-click contact logging (htmx), each
    contact the statutory app's record (seed 002 lines 128-131)."""
    from muster.statutory.models import ContactAttempt

    sign_in(page, demo_site, "attendance-lead")
    page.evaluate("window.notReloaded = true")
    row = page.locator("table.muster-calling-list tbody tr").first
    name = row.locator("th a").inner_text()
    row.locator("select[name=method]").select_option("sms")
    row.locator("select[name=outcome]").select_option("message_left")
    row.get_by_role("button", name=f"Log contact for {name}").click()
    contacts = row.locator("td[id^=contacts-]")
    contacts.get_by_text("Text message: Message left").wait_for()
    assert page.evaluate("window.notReloaded") is True
    row.locator("select[name=method]").focus()  # the keyboard still works in place
    page.keyboard.type("H")
    row.locator("select[name=outcome]").select_option("nobody_home")
    row.get_by_role("button", name=f"Log contact for {name}").press("Enter")
    contacts.get_by_text("Home visit: Nobody at home").wait_for()
    assert page.evaluate("window.notReloaded") is True
    pupil_id = int(contacts.get_attribute("id").removeprefix("contacts-"))
    logged = ContactAttempt.objects.filter(pupil_id=pupil_id, absence_on=TODAY).order_by("made_at")
    assert [(c.method, c.made_by.username) for c in logged] == [("sms", "attendance-lead"), ("home_visit", "attendance-lead")]
    screenshot("web-today-calling-list")
    assert serious_violations(page) == []


def test_an_attendance_lead_uploads_marks_sees_the_bad_lines_then_what_changed(demo_site, page, screenshot, tmp_path):
    """Issue 6 page 8: upload a CSV, the error report naming line and field (nothing changes),
    then what changed."""
    from muster.registers.models import MarkBatch
    from muster.web import navigation
    from tests.web.test_today_and_imports import held_mark, on_roll

    lead = get_user_model().objects.get(username="attendance-lead")
    school = navigation.schools_run_by(lead)[0]
    enrolment = on_roll(school)
    upn, was = enrolment.pupil.upn, held_mark(enrolment)
    new = "B" if was == "C" else "C"
    bad, good = tmp_path / "bad-marks.csv", tmp_path / "good-marks.csv"
    header = "upn,school_urn,date,session,mark\n"
    bad.write_text(header + f"{upn},{school.urn},2026-11-31,AM,C\n")
    good.write_text(header + f"{upn},{school.urn},{TODAY.isoformat()},AM,{new}\n")
    batches = MarkBatch.objects.count()

    sign_in(page, demo_site, "attendance-lead")
    page.get_by_role("link", name="Imports").click()
    page.wait_for_load_state()
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Import marks").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    report = page.get_by_role("table", name="The bad rows of the file, by line")
    assert report.locator("tbody tr").count() == 1
    assert report.locator("tbody td").nth(0).inner_text() == "2"
    assert report.locator("tbody td").nth(1).inner_text() == "date"
    assert MarkBatch.objects.count() == batches
    screenshot("web-imports-rejected")
    assert serious_violations(page) == []

    page.set_input_files("#file", str(good))
    page.get_by_label("Take the file's mark").check()
    page.get_by_role("button", name="Import marks").click()
    page.wait_for_load_state()
    assert "good-marks.csv imported" in page.locator(".govuk-panel__title").inner_text()
    changed = page.locator(".govuk-summary-list__row", has_text="Sessions changed")
    added = page.locator(".govuk-summary-list__row", has_text="Sessions added")
    assert (changed.locator("dd").inner_text()[:1], added.locator("dd").inner_text()) == (
        ("1", "0") if was else ("0", "1"))
    assert held_mark(enrolment) == new
    assert MarkBatch.objects.count() == batches + 1
    screenshot("web-imports-done")
    assert serious_violations(page) == []
