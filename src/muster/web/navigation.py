"""Where each person's day starts and which pages their navigation offers, from the roles they
hold today (muster.core.roles through muster.people.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from muster.core.roles import Action, RecordKind, Role
from muster.people import access
from muster.targeting.scope import schools_in_conversation

SCHOOL_DAY_ROLES = frozenset({Role.HEADTEACHER, Role.ATTENDANCE_LEAD})
"""Roles whose day starts on their school's Today page."""
POLICY_ROLES = frozenset({
    Role.HEADTEACHER, Role.ATTENDANCE_LEAD, Role.LA_ATTENDANCE_OFFICER, Role.VIRTUAL_SCHOOL_HEAD,
    Role.EDUCATION_ADVISOR,
})
"""Roles that work to attendance policies and read them (the policies hold no pupil data)."""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def schools_run_by(user) -> list:
    """Schools where the user holds a role that starts on the Today page."""
    found = {}
    for grant in access.assignments(user):
        school = grant.organisation.school
        if school is not None and Role(grant.role) in SCHOOL_DAY_ROLES:
            found[school.pk] = school
    return sorted(found.values(), key=lambda s: s.urn)


CARE_ROLES = frozenset({
    Role.VIRTUAL_SCHOOL_HEAD, Role.EDUCATION_ADVISOR, Role.SOCIAL_WORKER, Role.IRO,
    Role.CHILD_IN_CARE_NURSE, Role.TEAM_MANAGER, Role.DESIGNATED_TEACHER,
})
"""Roles whose work is with children in care (issue 5: the Virtual School's shared record)."""


def works_with_children_in_care(user) -> bool:
    return any(Role(g.role) in CARE_ROLES for g in access.assignments(user))


def teaches(user) -> bool:
    return any(Role(g.role) is Role.TEACHER for g in access.assignments(user))


def links_for(user) -> list[Link]:
    """The navigation, in the order of the person's day."""
    links = [Link(f"Today at {s.name}" if len(schools_run_by(user)) > 1 else "Today",
                  reverse("web:today", args=[s.urn])) for s in schools_run_by(user)]
    if teaches(user) or schools_run_by(user):
        links.append(Link("Registers", reverse("web:registers")))
    if schools_run_by(user):
        links.append(Link("Imports", reverse("web:imports")))
        links.append(Link("Data quality", reverse("web:quality_school", args=[schools_run_by(user)[0].urn])))
    if access.can(user, RecordKind.FIGURES, Action.LIST):
        links.append(Link("Pupils", reverse("web:pupils")))
    if access.can(user, RecordKind.COHORT_FIGURES, Action.VIEW):
        links.append(Link("Cohorts", reverse("web:cohorts")))
    if works_with_children_in_care(user):
        links.append(Link("Children in care", reverse("web:children_in_care")))
    if access.can(user, RecordKind.PUPIL, Action.LIST):
        links.append(Link("Tasks", reverse("web:tasks")))
    if any(Role(g.role) in POLICY_ROLES for g in access.assignments(user)):
        links.append(Link("Policies", reverse("web:policies")))
    if schools_in_conversation(user).exists():
        links.append(Link("Targeting support", reverse("web:targeting_meetings")))
    if user.is_staff:
        links.append(Link("Admin", "/admin/"))
    return links


def start_of_day(user) -> str | None:
    """Where the person's day starts: their school's Today page, their class's registers,
    their children, their cohorts or the admin; None for someone with no role."""
    schools = schools_run_by(user)
    if schools:
        return reverse("web:today", args=[schools[0].urn])
    if teaches(user):
        return reverse("web:registers")
    if access.can(user, RecordKind.FIGURES, Action.LIST):
        return reverse("web:pupils")
    if access.can(user, RecordKind.COHORT_FIGURES, Action.VIEW):
        return reverse("web:cohorts")
    if user.is_staff:
        return "/admin/"
    return None
