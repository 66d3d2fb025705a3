"""A person signs in to the admin and sees schools, pupils and marks (issue "Register core",
"Done when")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from muster.registers.demo import build_demo

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "an invented test password 42"


@pytest.fixture
def signed_in(live_server, page):
    build_demo(seed=7, today=dt.date(2026, 11, 27), pupils=150, echo=lambda *_: None)
    get_user_model().objects.create_superuser("admin-tester", "tester@example.invalid", PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "admin-tester")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return live_server.url


def test_a_person_signs_in_and_sees_schools_pupils_and_marks(signed_in, page, screenshot):
    page.goto(f"{signed_in}/admin/registers/school/")
    assert page.locator("#result_list tbody tr").count() >= 6
    screenshot("admin-schools")

    page.goto(f"{signed_in}/admin/registers/pupil/?looked_after__exact=1")
    assert page.locator("#result_list tbody tr").count() >= 1
    screenshot("admin-children-in-care")

    page.goto(f"{signed_in}/admin/registers/registeryear/?academic_year=2025")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_load_state()
    screenshot("admin-register-year")
    grid = page.locator("table.register-grid")
    assert grid.locator("td.mark-present").count() > 50
    assert "attendance:" in page.locator(".field-figures").inner_text()
