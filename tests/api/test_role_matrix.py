"""Every route of the served API against every role (issue 9, "Done when": "the role matrix test
covers every endpoint"). The matrix names, for each operation in the served OpenAPI schema, the
status each role gets on one small invented town; an operation added without a row here fails
the first test. Roles and scopes: muster.core.roles (issue "People, roles and trust")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from muster.api.api import schema
from muster.casework.models import Task
from muster.core.roles import ROLES, OrganisationKind, Role
from muster.people import access
from muster.people.actions import assign_role
from muster.people.models import Organisation
from muster.registers.models import CalendarEntry, Enrolment, LocalAuthority, Pupil, School
from tests.exchange.samples import upn

pytestmark = pytest.mark.django_db

R = Role
SCHOOL_LEADERS = {R.HEADTEACHER, R.ATTENDANCE_LEAD}
CARE_READERS = SCHOOL_LEADERS | {R.DESIGNATED_TEACHER, R.VIRTUAL_SCHOOL_HEAD}
"""Who reaches the one pupil, a child in care of the town's authority with no allocated worker."""


def _day() -> dt.date:
    """A Monday in the past, in term."""
    day = access.today() - dt.timedelta(days=14)
    return day - dt.timedelta(days=day.weekday())


class Town:
    def __init__(self):
        self.day = _day()
        authority = LocalAuthority.objects.create(code="998", name="Invented Matrix Borough")
        self.school = School.objects.create(urn="199998", name="Matrix Primary", local_authority=authority)
        CalendarEntry.objects.create(school=self.school, start=self.day - dt.timedelta(days=60),
                                     end=self.day + dt.timedelta(days=60), kind="term")
        self.pupil = Pupil.objects.create(upn=upn(1), legal_surname="Quennell", legal_forename="Ivo",
                                          date_of_birth=dt.date(2016, 3, 4), nc_year="5", sex="M",
                                          looked_after=True, care_authority="998")
        Enrolment.objects.create(pupil=self.pupil, school=self.school, start=self.day - dt.timedelta(days=60))
        school_org = Organisation.objects.create(kind="school", name=self.school.name, school=self.school)
        orgs = {OrganisationKind.SCHOOL: school_org}
        for kind in (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.VIRTUAL_SCHOOL,
                     OrganisationKind.CHILDRENS_SERVICES):
            orgs[kind] = Organisation.objects.create(kind=kind.value, name=f"Matrix {kind}", local_authority=authority)
        self.users = {}
        for role, definition in ROLES.items():
            user = get_user_model().objects.create_user(f"matrix-{role.value}", password="x")
            assign_role(user=user, role=role, organisation=orgs[definition.organisation],
                        starts=self.day - dt.timedelta(days=400))
            self.users[role] = user
        self.task = Task.objects.create(
            pupil=self.pupil, title="Call home", instruction="Call the family", source="test", policy_id="matrix",
            rule="matrix", occurrence=self.day, role=R.ATTENDANCE_LEAD.value, organisation=school_org,
            created_on=self.day)

    def mark(self, n: int) -> dict:
        return {"client_batch_id": f"matrix-{n}", "marks": [
            {"upn": self.pupil.upn, "school_urn": self.school.urn, "date": self.day.isoformat(), "session": "AM",
             "mark": "/"}]}

    def enrolment(self, n: int) -> dict:
        p = self.pupil
        return {"client_batch_id": f"matrix-{n}", "enrolments": [{
            "upn": p.upn, "legal_surname": p.legal_surname, "legal_forename": p.legal_forename,
            "date_of_birth": p.date_of_birth.isoformat(), "nc_year": p.nc_year, "school_urn": self.school.urn,
            "enrolment_start": (self.day - dt.timedelta(days=60)).isoformat()}]}


def statuses(allowed: set[Role], yes: int, no: int) -> dict[Role, int]:
    return {role: yes if role in allowed else no for role in Role}


MATRIX = {
    ("post", "/api/v1/marks"): (lambda t, n: ("post", "/api/v1/marks", t.mark(n), {}),
                                 statuses(SCHOOL_LEADERS, 200, 422)),
    ("post", "/api/v1/pupils"): (lambda t, n: ("post", "/api/v1/pupils", t.enrolment(n), {}),
                                  statuses(SCHOOL_LEADERS | {R.ADMINISTRATOR}, 200, 422)),
    ("get", "/api/v1/pupils/{upn}/figures"): (
        lambda t, n: ("get", f"/api/v1/pupils/{t.pupil.upn}/figures", None, {}), statuses(CARE_READERS, 200, 404)),
    ("get", "/api/v1/schools/{urn}/figures"): (
        lambda t, n: ("get", f"/api/v1/schools/{t.school.urn}/figures", None, {}),
        statuses(SCHOOL_LEADERS | {R.GOVERNOR, R.LA_ATTENDANCE_OFFICER, R.VIRTUAL_SCHOOL_HEAD, R.ADMINISTRATOR},
                 200, 404)),
    ("get", "/api/v1/tasks"): (lambda t, n: ("get", "/api/v1/tasks", None, {}), statuses(set(Role), 200, 200)),
    ("get", "/api/v1/tasks/{task_id}"): (
        lambda t, n: ("get", f"/api/v1/tasks/{t.task.pk}", None, {}), statuses({R.ATTENDANCE_LEAD}, 200, 404)),
    ("post", "/api/v1/tasks/{task_id}/complete"): (
        lambda t, n: ("post", f"/api/v1/tasks/{t.task.pk}/complete", {"note": "done"}, {"HTTP_IF_MATCH": "*"}),
        statuses({R.ATTENDANCE_LEAD}, 200, 404)),
    ("get", "/api/v1/penalty-notice-cases"): (
        lambda t, n: ("get", "/api/v1/penalty-notice-cases", None, {}),
        statuses({R.LA_ATTENDANCE_OFFICER}, 200, 403)),
    ("get", "/api/v1/returns"): (
        lambda t, n: ("get", "/api/v1/returns", None, {}), statuses({R.LA_ATTENDANCE_OFFICER}, 200, 403)),
    ("get", "/api/v1/children-in-care"): (
        lambda t, n: ("get", "/api/v1/children-in-care", None, {}),
        statuses({R.VIRTUAL_SCHOOL_HEAD, R.EDUCATION_ADVISOR}, 200, 403)),
}


def served_operations() -> list[tuple[str, str]]:
    return [(method, path) for path, item in schema()["paths"].items() for method in item]


def test_every_served_operation_has_a_row_in_the_role_matrix():
    """A new endpoint without a matrix row fails here, so no route escapes the access check."""
    assert sorted(served_operations()) == sorted(MATRIX)


def test_each_role_gets_exactly_the_access_the_matrix_gives(caller):
    town = Town()
    callers = {role: caller(user) for role, user in town.users.items()}
    got, expected, n = {}, {}, 0
    for operation in served_operations():
        request, wanted = MATRIX[operation]
        for role in Role:
            n += 1
            method, path, body, headers = request(town, n)
            answer = (callers[role].post(path, body, **headers) if method == "post"
                      else callers[role].get(path, **headers))
            got[(operation, role.value)] = answer.status_code
            expected[(operation, role.value)] = wanted[role]
    assert got == expected
    children = callers[R.VIRTUAL_SCHOOL_HEAD].get("/api/v1/children-in-care").json()
    assert [c["upn"] for c in children["items"]] == [town.pupil.upn]
