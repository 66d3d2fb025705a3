"""A small demo (two school years of registers, 2025/26 finished, 2026/27 to 27 November 2026),
built once per module and rolled back at the end."""

from __future__ import annotations

import datetime as dt

import pytest

from muster.core.roles import Role
from muster.people.actions import assign_role
from muster.people.models import Organisation
from muster.registers.models import School
from muster.targeting.demo import demo_school
from tests.accounts.conftest import make_person
from tests.demo_world import demo_world_fixture

TODAY = dt.date(2026, 11, 27)


demo_world = demo_world_fixture(pupils=500)


@pytest.fixture
def demo(demo_world, db):
    return demo_world


@pytest.fixture
def other_school_lead(demo):
    """The attendance lead of another school than the demo's targeting school: the outsider
    who must see nothing of its meetings, log or groups (seed 002 Annex A)."""
    other = School.objects.exclude(pk=demo_school().pk).order_by("urn").first()
    organisation, _ = Organisation.objects.get_or_create(kind="school", school=other,
                                                         defaults={"name": other.name})
    user = make_person("other-school-lead", staff=False)
    assign_role(user=user, role=Role.ATTENDANCE_LEAD, organisation=organisation, starts=dt.date(2026, 9, 1))
    return user
