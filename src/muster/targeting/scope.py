"""Who takes part in targeting support meetings and reads the shared action log.

The conversation is between a school and its local authority (seed 002 Annex A): the school's
headteacher or attendance lead and the authority's attendance officers. Muster decisions: a
meeting is reached by those roles at the meeting's school or its authority; a pupil's log is
reached by them when the trust layer (`muster.people.access`) lets them see the pupil's figures,
and only the entries made with a school they are in conversation with. Anything else answers
as a record that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from muster.core.roles import Action, RecordKind, Role
from muster.people import access
from muster.registers.models import Pupil, School
from muster.targeting.models import ActionLogEntry, AgreedAction, Meeting

SCHOOL_ROLES = frozenset({Role.HEADTEACHER, Role.ATTENDANCE_LEAD})
AUTHORITY_ROLES = frozenset({Role.LA_ATTENDANCE_OFFICER})


def schools_in_conversation(user) -> QuerySet[School]:
    """Schools whose targeting meetings the user takes part in."""
    condition = Q(pk__in=[])
    for grant in access.assignments(user):
        role, organisation = Role(grant.role), grant.organisation
        if role in SCHOOL_ROLES and organisation.school_id is not None:
            condition |= Q(pk=organisation.school_id)
        elif role in AUTHORITY_ROLES and organisation.local_authority_id is not None:
            condition |= Q(local_authority_id=organisation.local_authority_id)
    return School.objects.filter(condition)


def side_of(user, school: School):
    """The organisation through which the user speaks for the school or its authority."""
    for grant in access.assignments(user):
        role, organisation = Role(grant.role), grant.organisation
        if role in SCHOOL_ROLES and organisation.school_id == school.pk:
            return organisation
        if role in AUTHORITY_ROLES and organisation.local_authority_id == school.local_authority_id \
                and organisation.school_id is None:
            return organisation
    return None


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(school__in=schools_in_conversation(user).values("pk"))


def access_meeting_by_id(user, meeting_id: int) -> Meeting:
    try:
        return meetings_visible_to(user).select_related("school", "local_authority").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise access.NotFound("No such meeting") from None


def log_pupils_visible_to(user, action: Action = Action.VIEW) -> QuerySet[Pupil]:
    """Pupils whose action log the user may read: their figures, and a targeting role."""
    if not schools_in_conversation(user).exists():
        return Pupil.objects.none()
    return access.pupils_visible_to(user, action, RecordKind.FIGURES)


def access_log_pupil(user, pupil_id: int) -> Pupil:
    try:
        return log_pupils_visible_to(user).get(pk=pupil_id)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise access.NotFound("No such pupil") from None


def log_visible_to(user) -> QuerySet[ActionLogEntry]:
    return ActionLogEntry.objects.filter(
        pupil__in=log_pupils_visible_to(user).values("pk"),
        school__in=schools_in_conversation(user).values("pk"),
    )


def actions_visible_to(user) -> QuerySet[AgreedAction]:
    return AgreedAction.objects.filter(entry__in=log_visible_to(user).values("pk"))
