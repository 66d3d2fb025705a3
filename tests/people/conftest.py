"""The demo, with staff in every role and a few outsiders, built once for the people tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from muster.core.roles import Role
from muster.people import access
from muster.people.actions import allocate, assign_role
from muster.people.models import Organisation
from muster.registers.demo import build_demo
from muster.registers.models import Pupil, School

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """Build the demo and the outsiders once per module; roll everything back at the end."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "today", lambda: TODAY)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_demo(seed=11, today=TODAY, pupils=700, echo=lambda *_: None)
            _outsiders()
            yield get_user_model().objects
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


def _outsiders() -> None:
    """A headteacher of another school, a social worker with no children, a member of staff whose
    role ended yesterday, and an account with no role at all."""
    users = get_user_model().objects
    other_school = (
        School.objects.exclude(organisation__roles__isnull=False)
        .filter(local_authority__code="938").order_by("urn").last()
    )
    children_services = Organisation.objects.get(kind="childrens_services")
    start = dt.date(2026, 9, 1)
    outsider = users.create_user("other-head", password="x")
    assign_role(user=outsider, role=Role.HEADTEACHER, organisation=Organisation.objects.get(school=other_school), starts=start)
    idle = users.create_user("idle-social-worker", password="x")
    assign_role(user=idle, role=Role.SOCIAL_WORKER, organisation=children_services, starts=start)
    leaver = users.create_user("leaver", password="x")
    assign_role(user=leaver, role=Role.SOCIAL_WORKER, organisation=children_services, starts=start,
                ends=TODAY - dt.timedelta(days=1))
    allocate(worker=leaver, pupil=Pupil.objects.filter(looked_after=True).first(),
             role=Role.SOCIAL_WORKER, starts=start)
    users.create_user("no-role", password="x")
