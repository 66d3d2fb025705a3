"""The demo, with staff in every role and a few outsiders, built once for the people tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from muster.core.roles import Role
from muster.people.actions import allocate, assign_role
from muster.people.models import Organisation
from muster.registers.models import Pupil, School
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=700, then=lambda: _outsiders())


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
