"""A new member of staff signs in for the first time by keyboard alone: password, then sets up
an authenticator app from the page's QR code or key; the admin then works under the content
security policy, and signing out ends it (issue "People, roles and trust")."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "an invented test password 42"


def code_for_key(base32_key: str, *, wrong: bool = False) -> str:
    totp = TOTP(base64.b32decode(base32_key.replace(" ", "")))
    return f"{(totp.token() + (1 if wrong else 0)) % 1_000_000:06d}"


@pytest.fixture
def breaches(page):
    """Content security policy breaches the browser reports on its console."""
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def test_a_newcomer_sets_up_an_app_and_signs_in_by_keyboard(live_server, page, screenshot, breaches):
    user = get_user_model().objects.create_superuser("new.starter", "n@example.invalid", PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    assert page.title() == "Sign in – Muster"
    screenshot("sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Tab")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/sign-in/set-up-app/")
    assert page.locator("svg.qr-code").is_visible()
    key = page.locator("#setup-key").inner_text()
    screenshot("sign-in-set-up-app")
    page.fill("#id_code", code_for_key(key, wrong=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="The code is not correct").click()
    assert page.evaluate("document.activeElement.id") == "id_code"
    screenshot("sign-in-wrong-code")

    assert page.locator("#setup-key").inner_text() == key  # the same key until it is confirmed
    page.fill("#id_code", code_for_key(key))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#content").is_visible()

    for path in ("/admin/", "/admin/registers/school/", f"/admin/auth/user/{user.pk}/change/",
                 "/admin/accounts/signinattempt/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("#content").is_visible(), path
    screenshot("admin-user-under-csp")

    page.locator("#logout-form button").click()
    page.wait_for_url("**/sign-in/")
    assert "You have signed out." in page.content()
    page.goto(f"{live_server.url}/admin/")
    assert page.title() == "Sign in – Muster"
    assert breaches == []
