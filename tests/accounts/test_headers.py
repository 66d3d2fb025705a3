"""Every response carries a content security policy and the other security headers, and every
form needs its CSRF token (issue "People, roles and trust")."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/", "/sign-out/"])
def test_every_response_has_a_content_security_policy(client, person, path):
    if path != "/sign-in/":
        sign_in(client, person)
    policy = directives(client.get(path))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline scripts, no other origins
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert not any("unsafe" in value or "http" in value for value in policy.values())


def test_responses_carry_the_other_security_headers(client):
    headers = client.get("/sign-in/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "no-store" in headers["Cache-Control"]


def test_the_sign_in_pages_have_no_scripts_or_inline_styles(client):
    page = client.get("/sign-in/").text
    assert "<script" not in page and "style=" not in page


def test_a_post_without_a_csrf_token_is_refused(person):
    client = Client(enforce_csrf_checks=True)
    client.get("/sign-in/")
    response = client.post("/sign-in/", {"username": person.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "muster.sign_in.pending" not in client.session


def test_a_post_with_its_csrf_token_is_accepted(person):
    client = Client(enforce_csrf_checks=True)
    token = client.get("/sign-in/").context["csrf_token"]
    response = client.post("/sign-in/", {"username": person.username, "password": PASSWORD,
                                         "csrfmiddlewaretoken": str(token)})
    assert response.url == "/sign-in/code/"


def test_signing_out_needs_a_csrf_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post("/sign-out/").status_code == 403
