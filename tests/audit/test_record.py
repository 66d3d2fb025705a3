"""Writing an entry (issue "People, roles and trust"): "every view of a child's record, every
export, every change (before and after), who, when, from where, and for what purpose where the
page asks"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from muster.audit.log import client_address, record_event, record_request_event
from muster.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(db):
    return get_user_model().objects.create_user("c.teacher", password="an invented password 42")


def test_a_change_records_who_when_where_why_and_before_and_after(teacher):
    entry = record_event(
        user=teacher, action=Action.CHANGE, record_kind="register", record_id=17, pupil_id=5,
        summary="Corrected a mark", purpose="Parent's letter", source="192.0.2.7",
        before={"code": "O"}, after={"code": "M", "on": dt.date(2026, 1, 5)},
    )
    stored = AuditEvent.objects.get(sequence=entry.sequence)
    assert (stored.username, stored.user_id) == ("c.teacher", str(teacher.pk))
    assert (stored.action, stored.record_kind, stored.record_id, stored.pupil_id) == ("change", "register", "17", 5)
    assert (stored.purpose, stored.source) == ("Parent's letter", "192.0.2.7")
    assert (stored.before, stored.after) == ({"code": "O"}, {"code": "M", "on": "2026-01-05"})
    assert stored.occurred_at.tzinfo is not None


def test_who_is_kept_when_the_user_is_deleted(teacher):
    entry = record_event(user=teacher, action=Action.VIEW, record_kind="pupil", pupil_id=5)
    teacher.delete()
    assert AuditEvent.objects.get(sequence=entry.sequence).username == "c.teacher"


def test_the_system_and_the_command_line_are_recorded_as_system(db):
    entry = record_event(user=None, action=Action.ANONYMISE, record_kind="pupil", record_id=42,
                         pupil_id=42, source="muster records retention")
    assert (entry.username, entry.user_id, entry.source) == ("system", "", "muster records retention")


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError):
        record_event(user=None, action="peek", record_kind="pupil")


def test_text_is_stored_as_either_database_keeps_it(db):
    entry = record_event(user=None, action=Action.SEARCH, record_kind="pupil",
                         summary="Searched " + "x" * 400 + "\x00")
    assert len(entry.summary) == 300 and "\x00" not in entry.summary
    assert AuditEvent.objects.get().computed_hash() == entry.hash


def request(**meta):
    made = RequestFactory().get("/pupils/5/", **meta)
    made.user = AnonymousUser()
    return made


def test_a_page_records_the_signed_in_user_and_their_address(teacher):
    page = request(REMOTE_ADDR="198.51.100.4")
    page.user = teacher
    entry = record_request_event(page, action=Action.VIEW, record_kind="pupil", record_id=5, pupil_id=5)
    assert (entry.username, entry.source) == ("c.teacher", "198.51.100.4")


def test_a_request_from_nobody_signed_in_is_recorded_as_anonymous(db):
    entry = record_request_event(request(), action=Action.SIGN_IN_FAILED, record_kind="user",
                                 summary='Refused sign-in as "someone"')
    assert (entry.username, entry.source) == ("anonymous", "127.0.0.1")


def test_x_forwarded_for_is_not_believed_without_a_trusted_proxy(settings):
    settings.MUSTER_TRUSTED_PROXIES = 0
    assert client_address(request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "10.0.0.2"


def test_behind_trusted_proxies_the_address_the_outermost_saw_is_recorded(settings):
    """Entries left of those the proxies wrote are the client's own claims, never believed."""
    spoofed = "1.2.3.4, 203.0.113.9, 10.0.0.5"
    settings.MUSTER_TRUSTED_PROXIES = 1
    assert client_address(request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=spoofed)) == "10.0.0.5"
    settings.MUSTER_TRUSTED_PROXIES = 2
    assert client_address(request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=spoofed)) == "203.0.113.9"
    settings.MUSTER_TRUSTED_PROXIES = 4
    assert client_address(request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=spoofed)) == "10.0.0.2"
