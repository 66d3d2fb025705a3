"""The demo's accounts sign in with a printed key, or without a phone through
`muster demo-code`, which serves only demo accounts and only while MUSTER_DEBUG is on."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.accounts.demo import give_demo_authenticator
from muster.cli import main as muster
from tests.accounts.conftest import code_for, give_code, give_password, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_person(db):
    user = make_person("demo-admin", app=False)
    give_demo_authenticator([user.username])
    return user


def run(*args: str):
    return CliRunner().invoke(muster, list(args))


@override_settings(DEBUG=True)
def test_demo_code_prints_the_code_a_demo_accounts_app_shows(demo_person):
    result = run("demo-code", "demo-admin")
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    assert code == code_for(TOTPDevice.objects.get(user=demo_person))


@override_settings(DEBUG=True)
def test_the_printed_code_signs_in(client, demo_person):
    give_password(client, "demo-admin")
    assert give_code(client, run("demo-code", "demo-admin").stdout.strip()).url == "/"


@override_settings(DEBUG=False)
def test_demo_code_refuses_to_run_without_debug(demo_person):
    result = run("demo-code", "demo-admin")
    assert result.exit_code == 1
    assert "only while MUSTER_DEBUG=true" in result.output


@override_settings(DEBUG=True)
def test_demo_code_refuses_an_account_the_demo_did_not_make(db):
    make_person("real.person")
    result = run("demo-code", "real.person")
    assert result.exit_code == 1
    assert "not a demo account" in result.output


def test_all_demo_accounts_share_one_printed_key(db):
    users = [make_person(name, app=False) for name in ("demo-admin", "headteacher")]
    key = give_demo_authenticator([u.username for u in users])
    devices = TOTPDevice.objects.filter(user__in=users, confirmed=True)
    assert devices.count() == 2 and len({d.key for d in devices}) == 1
    assert len(key.replace(" ", "")) == 32
