"""Sessions end after 30 minutes without activity and 10 hours after sign-in, whatever the
cookie says (issue "People, roles and trust": session expiry)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from tests.accounts.conftest import sign_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def is_signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_a_session_ends_after_thirty_minutes_without_activity(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person)
        traveller.shift(dt.timedelta(minutes=29, seconds=59))
        assert is_signed_in(client)
        traveller.shift(dt.timedelta(minutes=30))
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0] == "/sign-in/?next=/admin/"
        assert "You were signed out because you had not used Muster for 30 minutes" in response.text


def test_activity_keeps_a_session_open_until_ten_hours_after_sign_in(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person)
        for _ in range(33):  # a request every 18 minutes: 9 hours 54 minutes
            traveller.shift(dt.timedelta(minutes=18))
            assert is_signed_in(client)


def test_a_session_ends_ten_hours_after_sign_in_however_active(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person)
        for _ in range(39):
            traveller.shift(dt.timedelta(minutes=15))
            assert is_signed_in(client)
        traveller.shift(dt.timedelta(minutes=15))  # 10 hours
        response = client.get("/admin/", follow=True)
        assert "You were signed out because you signed in more than 10 hours ago" in response.text


@override_settings(MUSTER_SESSION_IDLE=dt.timedelta(minutes=5), MUSTER_SESSION_MAX_AGE=dt.timedelta(hours=1))
def test_the_limits_follow_the_settings(client, person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person)
        traveller.shift(dt.timedelta(minutes=5))
        assert not is_signed_in(client)


def test_the_session_cookie_goes_when_the_browser_closes(client, person):
    sign_in(client, person)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
