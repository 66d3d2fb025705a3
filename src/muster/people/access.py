"""The one door to children's records: which pupils, records and fields a user may reach.

Every page, admin screen, export and API call asks here (STYLE.md, "One door to each record").
A role (muster.core.roles) gives a scope of pupils and the actions allowed per kind of record;
a user's reach is the union over the roles they hold today. A record outside it answers exactly
as a record that does not exist, so existence does not leak.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from muster.core.roles import PUPIL_KINDS, Action, RecordKind, Role, Scope, definition
from muster.people.models import Allocation, Involvement, RoleAssignment, TeachingGroup, current
from muster.registers.models import Enrolment, Pupil, RegisterYear

SENSITIVE_FIELDS = frozenset(
    {"looked_after", "care_authority", "previously_looked_after", "has_social_worker", "sen", "fsm"}
)


class NotFound(Http404):
    """The same answer for a record the user may not reach and one that does not exist."""


def today() -> dt.date:
    return timezone.localdate()


def assignments(user, on: dt.date | None = None) -> list[RoleAssignment]:
    """The roles a user holds on a day (default today)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    on = on or today()
    cache = user.__dict__.setdefault("_muster_roles", {})
    if on not in cache:
        cache[on] = list(
            RoleAssignment.objects.filter(current(on), user=user).select_related(
                "organisation__school", "organisation__local_authority", "team"
            )
        )
    return cache[on]


def can(user, kind: RecordKind, action: Action, on: dt.date | None = None) -> bool:
    """Whether any role the user holds allows this action on this kind of record."""
    return any(definition(a.role).allows(kind, action) for a in assignments(user, on))


def pupils_visible_to(
    user, action: Action = Action.LIST, kind: RecordKind = RecordKind.PUPIL, on: dt.date | None = None
) -> QuerySet[Pupil]:
    """The pupils whose `kind` records the user may `action`."""
    if kind not in PUPIL_KINDS:
        raise ValueError(f"{kind} is not a kind of pupil record")
    on = on or today()
    conditions = [
        _scope(scope, grant, user, on)
        for grant in assignments(user, on)
        if definition(grant.role).allows(kind, action)
        for scope in definition(grant.role).scopes
    ]
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        return Pupil.objects.none()
    return Pupil.objects.filter(reduce(lambda a, b: a | b, conditions))


def access_pupil_by_id(
    user, pupil_id: int, action: Action = Action.VIEW, kind: RecordKind = RecordKind.PUPIL,
    on: dt.date | None = None,
) -> Pupil:
    """The pupil, if the user may `action` their `kind` records; NotFound otherwise."""
    try:
        return pupils_visible_to(user, action, kind, on).get(pk=pupil_id)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pupil") from None


def access_pupil_by_upn(
    user, upn: str, action: Action = Action.VIEW, kind: RecordKind = RecordKind.PUPIL,
    on: dt.date | None = None,
) -> Pupil:
    try:
        return pupils_visible_to(user, action, kind, on).get(upn=upn)
    except Pupil.DoesNotExist:
        raise NotFound("No such pupil") from None


def enrolments_visible_to(
    user, action: Action = Action.LIST, kind: RecordKind = RecordKind.REGISTER,
    on: dt.date | None = None,
) -> QuerySet[Enrolment]:
    """Enrolments (and so registers) the user may reach. A school sees its own registers of its
    pupils; the local authority, the Virtual School and allocated workers follow the child to
    every school (the penalty-notice window and the Virtual School's single school need it)."""
    on = on or today()
    conditions = []
    for grant in assignments(user, on):
        if not definition(grant.role).allows(kind, action):
            continue
        for scope in definition(grant.role).scopes:
            pupils = _scope(scope, grant, user, on)
            if pupils is None:
                continue
            school = grant.organisation.school if scope in _SCHOOL_SCOPES else None
            condition = Q(pupil__in=Pupil.objects.filter(pupils).values("pk"))
            conditions.append(condition & Q(school=school) if school else condition)
    if not conditions:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(reduce(lambda a, b: a | b, conditions))


def register_years_visible_to(user, action: Action = Action.LIST, on: dt.date | None = None) -> QuerySet[RegisterYear]:
    return RegisterYear.objects.filter(
        enrolment__in=enrolments_visible_to(user, action, RecordKind.REGISTER, on).values("pk")
    )


def visible_fields(user, on: dt.date | None = None) -> frozenset[str]:
    """Pupil fields the user may read: care, social-work and SEN/FSM details need to be known."""
    names = {f.name for f in Pupil._meta.get_fields() if f.concrete}
    if any(definition(a.role).sensitive_fields for a in assignments(user, on)):
        return frozenset(names)
    return frozenset(names - SENSITIVE_FIELDS)


_SCHOOL_SCOPES = frozenset({Scope.SCHOOL_ROLL, Scope.TEACHING_GROUPS, Scope.SCHOOL_CHILDREN_IN_CARE})


def _ids(queryset) -> Q:
    return Q(pk__in=queryset)


def _scope(scope: Scope, grant: RoleAssignment, user, on: dt.date) -> Q | None:
    """The pupils one role assignment reaches, as a condition on Pupil."""
    organisation = grant.organisation
    authority = organisation.local_authority
    if scope is Scope.SCHOOL_ROLL:
        return _ids(Enrolment.objects.filter(school=organisation.school).values("pupil_id"))
    if scope is Scope.TEACHING_GROUPS:
        groups = TeachingGroup.objects.filter(school=organisation.school, teachers=user)
        return _ids(groups.values("pupils"))
    if scope is Scope.SCHOOL_CHILDREN_IN_CARE:
        at_school = Enrolment.objects.filter(school=organisation.school).values("pupil_id")
        return _ids(at_school) & (Q(looked_after=True) | Q(previously_looked_after=True))
    if scope is Scope.LA_INVOLVEMENT:
        involved = Involvement.objects.filter(current(on), local_authority=authority)
        at_schools = Enrolment.objects.filter(school__local_authority=authority)
        return _ids(involved.values("pupil_id")) & _ids(at_schools.values("pupil_id"))
    if scope is Scope.LA_CHILDREN_IN_CARE:
        return Q(looked_after=True, care_authority=authority.code)
    if scope is Scope.ALLOCATED:
        mine = Allocation.objects.filter(current(on), worker=user, role=grant.role)
        return _ids(mine.values("pupil_id"))
    if scope is Scope.TEAM_ALLOCATED:
        if grant.team_id is None:
            return None
        members = RoleAssignment.objects.filter(current(on), team_id=grant.team_id).values("user_id")
        team_children = Allocation.objects.filter(
            current(on), worker__in=members, role=Role.SOCIAL_WORKER
        )
        return _ids(team_children.values("pupil_id"))
    if scope is Scope.LA_SCHOOLS:
        return _ids(Enrolment.objects.filter(school__local_authority=authority).values("pupil_id"))
    return None


def cohort_enrolments_visible_to(user, on: dt.date | None = None) -> QuerySet[Enrolment]:
    """Enrolments a user may see pooled in figures with no names (governors, LA officers): those
    of their school, of their authority's schools, or of the children their authority looks
    after, by the organisation each role with cohort figures is held in."""
    on = on or today()
    conditions = []
    for grant in assignments(user, on):
        if not definition(grant.role).allows(RecordKind.COHORT_FIGURES, Action.VIEW):
            continue
        organisation = grant.organisation
        if organisation.school_id is not None:
            conditions.append(Q(school_id=organisation.school_id))
        elif Scope.LA_CHILDREN_IN_CARE in definition(grant.role).scopes:
            conditions.append(Q(pupil__looked_after=True, pupil__care_authority=organisation.local_authority.code))
        else:
            conditions.append(Q(school__local_authority_id=organisation.local_authority_id))
    if not conditions:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(reduce(lambda a, b: a | b, conditions))
