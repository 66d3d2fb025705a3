"""Sign-ins, failed sign-ins and sign-outs are written to the audit log, with who and from
where (issue "People, roles and trust")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from muster.audit.models import AuditEvent
from tests.accounts.conftest import give_password, sign_in

pytestmark = pytest.mark.django_db


def logged() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", "username", "source"))


def test_sign_ins_failed_sign_ins_and_sign_outs_are_in_the_audit_log(person):
    client = Client(REMOTE_ADDR="192.0.2.7")
    give_password(client, "nobody.here", "a wrong password")
    give_password(client, person.username, "a wrong password")
    sign_in(client, person)
    client.post("/sign-out/")
    assert logged() == [
        ("sign_in_failed", "anonymous", "192.0.2.7"),
        ("sign_in_failed", "anonymous", "192.0.2.7"),
        ("sign_in", person.username, "192.0.2.7"),
        ("sign_out", person.username, "192.0.2.7"),
    ]
    summaries = list(AuditEvent.objects.order_by("sequence").values_list("summary", flat=True))
    assert "'nobody.here'" in summaries[0] and f"'{person.username}'" in summaries[1]


def test_a_wrong_code_is_logged_against_the_person_whose_password_was_right(client, person):
    give_password(client, person.username)
    client.post("/sign-in/code/", {"code": "000000"})
    assert logged()[-1][:2] == ("sign_in_failed", person.username)


def test_a_session_ended_for_inactivity_is_logged_as_a_sign_out(client, person):
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False) as traveller:
        sign_in(client, person)
        traveller.shift(dt.timedelta(minutes=31))
        client.get("/admin/")
    event = AuditEvent.objects.order_by("sequence").last()
    assert (event.action, event.username) == ("sign_out", person.username)
    assert event.summary == "Session ended after 30 minutes without activity"
