"""`muster api token create/revoke` and `muster api account` (issue 9, "tokens for people and for
systems (an MIS integration account scoped to its school), revocable, stored hashed")."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from muster.api.actions import secret_hash
from muster.api.models import ApiToken, IntegrationAccount
from muster.cli import main
from muster.people.models import Organisation, RoleAssignment
from muster.registers.models import LocalAuthority, School

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["api", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_token_made_on_the_command_line_shows_its_secret_once_and_can_be_revoked(client):
    get_user_model().objects.create_user("cli-person", password="x")
    shown = run("token", "create", "--user", "cli-person", "--name", "Register app")
    secret = shown.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="Register app")
    assert token.secret_sha256 == secret_hash(secret)
    assert client.get("/api/v1/tasks", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    listed = json.loads(run("token", "list", "--format", "json"))
    assert [(t["id"], t["user"], t["revoked"]) for t in listed] == [(token.pk, "cli-person", "")]
    assert secret not in json.dumps(listed)
    run("token", "revoke", str(token.pk))
    assert client.get("/api/v1/tasks", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_an_unknown_user_or_token_is_a_clear_error():
    result = CliRunner().invoke(main, ["api", "token", "create", "--user", "nobody", "--name", "x"])
    assert result.exit_code != 0 and "no active user 'nobody'" in result.output
    result = CliRunner().invoke(main, ["api", "token", "revoke", "999"])
    assert result.exit_code != 0 and "no API token 999" in result.output


def test_an_mis_account_holds_the_attendance_leads_role_at_its_school_only():
    authority = LocalAuthority.objects.create(code="998", name="Invented authority")
    school = School.objects.create(urn="199998", name="Invented Academy", local_authority=authority)
    Organisation.objects.get_or_create(school=school, defaults={"kind": "school", "name": school.name})
    run("account", "--username", "mis-199998", "--school", "199998")
    account = IntegrationAccount.objects.get(user__username="mis-199998")
    assert not account.user.has_usable_password()
    roles = list(RoleAssignment.objects.filter(user=account.user).values_list("role", "organisation__school__urn"))
    assert roles == [("attendance_lead", "199998")]
