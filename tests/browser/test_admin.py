"""A person signs in to the admin and sees schools, pupils and marks (issue "Register core",
"Done when"): here a school's attendance lead, who sees the pupils of their school."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.registers.demo import build_demo

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "an invented test password 42"


@pytest.fixture
def signed_in(live_server, page):
    """Signed in with password and authenticator-app code; no page breaks the content security
    policy meanwhile (the browser reports each breach on the console)."""
    breaches = []
    page.on("console", lambda m: breaches.append(m.text) if "Content Security Policy" in m.text else None)
    build_demo(seed=7, today=dt.date(2026, 11, 27), pupils=150, echo=lambda *_: None)
    lead = get_user_model().objects.get(username="attendance-lead")  # a demo account
    lead.set_password(PASSWORD)
    lead.save()
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "attendance-lead")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/sign-in/code/")
    page.fill("#id_code", code_for(TOTPDevice.objects.get(user=lead)))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    yield live_server.url
    assert breaches == []


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
