"""The data protection officer's page (issue "People, roles and trust": "a DPO page to search
it"). Open only with the permission `audit.view_auditevent`, which the roles layer gives data
protection officers through a group; read-only for everyone; and itself audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.audit.log import record_event
from muster.audit.models import Action, AuditEvent
from muster.registers.models import Pupil
from tests.accounts.conftest import PASSWORD, sign_in
from tests.exchange.samples import upn

pytestmark = pytest.mark.django_db

LOG = "/admin/audit/auditevent/"


def staff(client, username: str, *, reads_audit: bool = False, superuser: bool = False):
    """A member of staff signed in through the real pages: password, then authenticator code."""
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    if reads_audit:
        group, _ = Group.objects.get_or_create(name="Data protection officers")
        group.permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_auditevent"))
        user.groups.add(group)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    sign_in(client, user)
    return user


@pytest.fixture
def dpo(client):
    staff(client, "d.officer", reads_audit=True)
    return client


@pytest.fixture
def logged(entries):
    teacher = get_user_model().objects.create_user("c.teacher", password=PASSWORD)
    entries(3, user=teacher)
    record_event(user=None, action=Action.EXPORT, record_kind="figures", summary="Termly return to the LA")


def audit_of_the_log():
    return AuditEvent.objects.filter(record_kind="audit")


def test_a_user_without_the_permission_gets_no_access(client, logged):
    staff(client, "a.teacher")
    assert client.get(LOG).status_code == 403
    assert client.get(f"{LOG}1/change/").status_code == 403
    assert b"Audit log" not in client.get("/admin/").content
    assert not audit_of_the_log().exists()


def test_someone_not_signed_in_is_sent_to_sign_in(client, logged):
    assert client.get(LOG).status_code == 302


def test_a_data_protection_officer_can_search_by_who_what_and_record(dpo, logged):
    page = dpo.get(LOG, {"q": "c.teacher"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3
    assert dpo.get(LOG, {"q": "Termly return"}).context["cl"].result_count == 1
    assert dpo.get(LOG, {"q": "101"}).context["cl"].result_count == 1


def test_the_log_filters_by_action_kind_and_date(dpo, logged):
    assert dpo.get(LOG, {"action__exact": "export"}).context["cl"].result_count == 2
    assert dpo.get(LOG, {"record_kind__exact": "register"}).context["cl"].result_count == 1
    this_year = str(timezone.now().year)
    assert dpo.get(LOG, {"occurred_at__year": this_year, "record_kind__exact": "pupil"}).context["cl"].result_count == 1
    assert dpo.get(LOG, {"occurred_at__year": "2001"}).context["cl"].result_count == 0


def test_the_log_filters_by_pupil_id_or_upn(dpo, logged):
    pupil = Pupil.objects.create(
        pk=101, upn=upn(901), legal_surname="Invented", legal_forename="Child",
        date_of_birth="2015-01-01", nc_year="5",
    )
    by_id = dpo.get(LOG, {"pupil": "101"})
    assert [e.pupil_id for e in by_id.context["cl"].result_list] == [101]
    by_upn = dpo.get(LOG, {"pupil": pupil.upn.lower()})
    found = by_upn.context["cl"].result_list
    assert {e.pupil_id for e in found} == {101}
    assert [e.record_kind for e in found] == ["audit", "figures"]  # the search by id, the export
    assert dpo.get(LOG, {"pupil": "A999999999999"}).context["cl"].result_count == 0
    assert b'name="pupil"' in by_id.content


def test_looking_at_the_log_is_itself_recorded(dpo, logged):
    """"Viewing or searching the audit log is itself audited"."""
    export = AuditEvent.objects.get(action=Action.EXPORT, pupil_id=101)
    dpo.get(LOG)
    dpo.get(LOG, {"q": "c.teacher", "pupil": "101"})
    dpo.get(f"{LOG}{export.sequence}/change/")
    listed, searched, opened = audit_of_the_log().order_by("sequence")
    assert (listed.action, listed.username, listed.source) == ("list", "d.officer", "127.0.0.1")
    assert (searched.action, searched.pupil_id) == ("search", 101)
    assert searched.summary == 'Searched the audit log: "c.teacher"; pupil=101'
    assert (opened.action, opened.record_id, opened.pupil_id) == ("view", str(export.sequence), 101)


def test_nobody_may_add_change_or_delete_entries_not_even_a_superuser(client, logged):
    staff(client, "root", superuser=True)
    assert client.get(f"{LOG}add/").status_code == 403
    assert client.post(f"{LOG}2/delete/").status_code == 403
    page = client.get(f"{LOG}2/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"{LOG}2/change/", {"summary": "Nothing to see"}).status_code == 403
    assert AuditEvent.objects.get(sequence=2).computed_hash() == AuditEvent.objects.get(sequence=2).hash
    assert b'name="action"' not in client.get(LOG).content
