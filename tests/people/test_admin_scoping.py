"""The admin asks the scoping layer and puts every look at a child on record (issue "People,
roles and trust": "every view of a child's record ... who, when, from where")."""

from __future__ import annotations

import pytest
from django.test import Client

from muster.audit.models import AuditEvent
from muster.core.roles import Action
from muster.people import access
from muster.registers.models import Pupil
from tests.accounts.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def signed_in_as(users, username: str) -> Client:
    user = users.get(username=username)
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    sign_in(client, user)
    return client


def test_opening_a_pupil_in_the_admin_is_on_record_with_who_and_from_where(demo):
    client = signed_in_as(demo, "attendance-lead")
    pupil = access.pupils_visible_to(demo.get(username="attendance-lead"), Action.VIEW).first()
    response = client.get(f"/admin/registers/pupil/{pupil.pk}/change/", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="view", pupil_id=pupil.pk).latest("sequence")
    assert (event.username, event.record_kind, event.source) == ("attendance-lead", "pupil", "192.0.2.7")


def test_a_search_in_the_admin_is_on_record_with_what_was_searched(demo):
    client = signed_in_as(demo, "attendance-lead")
    assert client.get("/admin/registers/pupil/", {"q": "Smith"}).status_code == 200
    event = AuditEvent.objects.filter(action="search").latest("sequence")
    assert "Smith" in event.summary and event.username == "attendance-lead"


def test_the_admin_lists_only_the_pupils_in_reach(demo):
    lead = demo.get(username="attendance-lead")
    client = signed_in_as(demo, "attendance-lead")
    response = client.get("/admin/registers/pupil/", {"all": ""})
    reach = access.pupils_visible_to(lead, Action.LIST).count()
    assert response.context["cl"].result_count == reach < Pupil.objects.count()


def test_a_pupil_out_of_reach_cannot_be_opened_in_the_admin(demo):
    lead = demo.get(username="attendance-lead")
    client = signed_in_as(demo, "attendance-lead")
    outside = Pupil.objects.exclude(pk__in=access.pupils_visible_to(lead).values("pk")).first()
    response = client.get(f"/admin/registers/pupil/{outside.pk}/change/")
    assert response.status_code == 302  # the admin's answer for a record that does not exist
    assert not AuditEvent.objects.filter(action="view", pupil_id=outside.pk).exists()


def test_a_governor_cannot_open_the_pupil_screens(demo):
    client = signed_in_as(demo, "governor")
    assert client.get("/admin/registers/pupil/").status_code == 403


def test_a_teacher_does_not_see_care_status_in_the_admin(demo):
    client = signed_in_as(demo, "teacher")
    response = client.get("/admin/registers/pupil/")
    assert response.status_code == 200
    assert "looked_after" not in response.context["cl"].list_display
