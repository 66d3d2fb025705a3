"""The one door to care records for the pages: a PEP, plan, pathway, escalation or PP+ request is
reached through the child it belongs to, and the child through `muster.people.access`. Anything
outside a person's reach answers exactly as a record that does not exist (404)."""

from __future__ import annotations

from muster.care.models import (
    AttendanceImprovementPlan,
    Escalation,
    PathwayRun,
    PupilPremiumPlusRequest,
)
from muster.core.roles import Action, RecordKind, Role
from muster.people import access
from muster.registers.models import Pupil

CARE_ROLES = frozenset({
    Role.VIRTUAL_SCHOOL_HEAD, Role.EDUCATION_ADVISOR, Role.SOCIAL_WORKER, Role.IRO,
    Role.CHILD_IN_CARE_NURSE, Role.TEAM_MANAGER, Role.DESIGNATED_TEACHER,
})
"""Roles whose work is with children in care: they read and write the shared record (issue 5:
the Virtual School, designated teacher, social worker, IRO, carer's link and nurse)."""


def works_with_children_in_care(user) -> bool:
    return any(Role(g.role) in CARE_ROLES for g in access.assignments(user))


def children_in_care_visible_to(user):
    """Children in care whose figures the user may see, if they hold a care role; else none."""
    if not works_with_children_in_care(user):
        return Pupil.objects.none()
    return access.pupils_visible_to(user, Action.VIEW, RecordKind.FIGURES).filter(looked_after=True)


def access_child(user, pupil_id: int) -> Pupil:
    try:
        return children_in_care_visible_to(user).get(pk=pupil_id)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise access.NotFound("No such child") from None


def _through_child(queryset, user, pk: int, path: str):
    try:
        return queryset.filter(**{f"{path}__in": children_in_care_visible_to(user).values("pk")}).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise access.NotFound("No such record") from None


def access_plan(user, plan_id: int) -> AttendanceImprovementPlan:
    return _through_child(AttendanceImprovementPlan.objects.select_related("pupil", "meeting", "review_meeting"),
                          user, plan_id, "pupil")


def access_run(user, run_id: int) -> PathwayRun:
    return _through_child(PathwayRun.objects.select_related("pupil"), user, run_id, "pupil")


def access_escalation(user, escalation_id: int) -> Escalation:
    return _through_child(Escalation.objects.select_related("pupil", "plan"), user, escalation_id, "pupil")


def access_pp_plus(user, request_id: int) -> PupilPremiumPlusRequest:
    return _through_child(PupilPremiumPlusRequest.objects.select_related("action__plan__pupil"), user, request_id,
                          "action__plan__pupil")
