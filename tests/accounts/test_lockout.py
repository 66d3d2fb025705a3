"""Five wrong passwords or codes for one username within 15 minutes lock it for 15 minutes
(issue "People, roles and trust": lockout after repeated failures)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.accounts.models import SignInAttempt
from tests.accounts.conftest import code_for, give_code, give_password, make_person

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
LOCKED = "There have been too many wrong passwords or codes for this username"


def fail_passwords(client, username: str, times: int, **extra) -> None:
    for _ in range(times):
        give_password(client, username, "a wrong password", **extra)


def test_five_failed_attempts_lock_the_username_for_fifteen_minutes(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            response = give_password(client, person.username, "a wrong password")
            assert "The username or password is not correct" in response.text
        response = give_password(client, person.username, "a fifth wrong password")
        assert "You can try again in 15 minutes" in response.text

        traveller.shift(dt.timedelta(minutes=14))
        response = give_password(client, person.username)  # the right password, still refused
        assert "You can try again in 1 minute" in response.text
        assert "muster.sign_in.pending" not in client.session

        traveller.shift(dt.timedelta(minutes=1))
        assert give_password(client, person.username).url == "/sign-in/code/"


def test_the_lock_message_is_linked_to_the_username(client, person):
    fail_passwords(client, person.username, 4)
    response = give_password(client, person.username, "wrong again")
    assert f'<a href="#id_username">{LOCKED}' in response.text


def test_the_lock_holds_from_any_address(person):
    fail_passwords(Client(REMOTE_ADDR="192.0.2.1"), person.username, 3)
    fail_passwords(Client(REMOTE_ADDR="198.51.100.7"), person.username, 2)
    response = give_password(Client(REMOTE_ADDR="203.0.113.9"), person.username)
    assert LOCKED in response.text


def test_wrong_codes_count_with_wrong_passwords(client, person):
    device = TOTPDevice.objects.get(user=person)
    with time_machine.travel(START, tick=False):
        fail_passwords(client, person.username, 2)
        give_password(client, person.username)
        for _ in range(2):
            assert LOCKED not in give_code(client, code_for(device, steps_ahead=5)).text
        response = give_code(client, code_for(device, steps_ahead=6))
        assert LOCKED in response.text
        assert LOCKED in give_code(client, code_for(device)).text  # even the right code
        assert "_auth_user_id" not in client.session


def test_a_right_password_does_not_clear_the_count(client, person):
    """Else someone with the password could guess codes for ever, four at a time."""
    device = TOTPDevice.objects.get(user=person)
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            give_password(client, person.username)
            give_code(client, code_for(device, steps_ahead=5))
            give_code(client, code_for(device, steps_ahead=6))
        give_password(client, person.username)
        assert LOCKED in give_code(client, code_for(device, steps_ahead=7)).text


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            fail_passwords(client, person.username, 1)
            traveller.shift(dt.timedelta(minutes=4))
        assert give_password(client, person.username).url == "/sign-in/code/"


def test_signing_in_clears_earlier_failures(client, person):
    device = TOTPDevice.objects.get(user=person)
    with time_machine.travel(START, tick=False) as traveller:
        fail_passwords(client, person.username, 4)
        give_password(client, person.username)
        assert give_code(client, code_for(device)).url == "/"
        client.post("/sign-out/")
        traveller.shift(dt.timedelta(minutes=1))
        fail_passwords(client, person.username, 4)
        assert give_password(client, person.username).url == "/sign-in/code/"


def test_an_unknown_username_locks_like_a_real_one(client):
    """So the lock cannot be used to find out which usernames exist."""
    fail_passwords(client, "nobody.here", 4)
    assert LOCKED in give_password(client, "nobody.here", "still wrong").text


def test_the_username_is_counted_whatever_its_case(client, person):
    fail_passwords(client, person.username.upper(), 5)
    assert LOCKED in give_password(client, person.username).text


def test_attempts_refused_while_locked_do_not_lengthen_the_lock(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        fail_passwords(client, person.username, 5)
        for _ in range(14):
            traveller.shift(dt.timedelta(minutes=1))
            assert LOCKED in give_password(client, person.username, "guess").text
        traveller.shift(dt.timedelta(minutes=1))
        assert give_password(client, person.username).url == "/sign-in/code/"


def test_every_attempt_is_recorded_with_its_address(person):
    client = Client(REMOTE_ADDR="192.0.2.44")
    give_password(client, person.username, "wrong")
    give_password(client, person.username)
    give_code(client, code_for(TOTPDevice.objects.get(user=person)))
    outcomes = list(SignInAttempt.objects.order_by("at", "pk").values_list("outcome", "address"))
    assert outcomes == [
        ("wrong_password", "192.0.2.44"),
        ("password_accepted", "192.0.2.44"),
        ("signed_in", "192.0.2.44"),
    ]


def test_a_user_setting_up_an_app_is_locked_after_five_wrong_first_codes(client):
    newcomer = make_person("new.starter", app=False)
    give_password(client, newcomer.username)
    client.get("/sign-in/set-up-app/")
    for _ in range(4):
        assert LOCKED not in client.post("/sign-in/set-up-app/", {"code": "000000"}).text
    assert LOCKED in client.post("/sign-in/set-up-app/", {"code": "000000"}).text
