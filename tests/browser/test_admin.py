"""A person signs in to the admin and sees schools, pupils and marks (issue "Register core",
"Done when"): here a school's attendance lead, who sees the pupils of their school."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "an invented test password 42"


@pytest.fixture
def signed_in(live_demo, page, csp_breaches):
    """Signed in with password and authenticator-app code on the shared demo (conftest.live_demo);
    no page breaks the content security policy meanwhile."""
    lead = get_user_model().objects.get(username="attendance-lead")  # a demo account
    lead.set_password(PASSWORD)
    lead.save()
    page.goto(f"{live_demo}/admin/")
    page.fill("#id_username", "attendance-lead")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/sign-in/code/")
    page.fill("#id_code", code_for(TOTPDevice.objects.get(user=lead)))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_demo}/admin/")
    return live_demo


def code_for(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_a_person_signs_in_and_sees_schools_pupils_and_marks(signed_in, page, screenshot):
    page.goto(f"{signed_in}/admin/registers/school/")
    assert page.locator("#result_list tbody tr").count() >= 6
    screenshot("admin-schools")

    page.goto(f"{signed_in}/admin/registers/pupil/")
    assert page.locator("#result_list tbody tr").count() >= 5
    screenshot("admin-pupils")

    page.goto(f"{signed_in}/admin/registers/registeryear/?academic_year=2025")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_load_state()
    screenshot("admin-register-year")
    grid = page.locator("table.register-grid")
    assert grid.locator("td.mark-present").count() > 50
    assert "attendance:" in page.locator(".field-figures").inner_text()
