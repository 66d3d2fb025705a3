"""Giving people roles and children, and keeping the local authority's involvements current."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from muster.core import figures, slots
from muster.core.roles import RecordKind, Role, definition
from muster.people.models import (
    Allocation,
    Involvement,
    Organisation,
    RoleAssignment,
    Team,
    current,
)
from muster.registers import store
from muster.registers.models import Enrolment, LocalAuthority, Pupil

AUDIT_READERS = "Audit log readers"
"""The Django group whose members may open the audit log pages (`audit.view_auditevent`)."""


def assign_role(
    *, user, role: Role, organisation: Organisation, starts: dt.date, ends: dt.date | None = None,
    team: Team | None = None,
) -> RoleAssignment:
    """Give a user a role in an organisation, checked against the role's definition."""
    assignment = RoleAssignment(
        user=user, role=Role(role).value, organisation=organisation, team=team, starts=starts, ends=ends
    )
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        sync_staff_access(user)
    return assignment


def sync_staff_access(user) -> None:
    """Everyone with a role signs in to the staff site; Django permissions follow the roles
    (only the audit log pages use them: the scoping layer decides everything about children)."""
    held = list(RoleAssignment.objects.filter(user=user))
    reads_audit = any(definition(a.role).grants.get(RecordKind.AUDIT_LOG) for a in held)
    group = _audit_readers()
    if reads_audit:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    if held and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _audit_readers() -> Group:
    group, created = Group.objects.get_or_create(name=AUDIT_READERS)
    if created:
        wanted = Permission.objects.filter(content_type__app_label="audit", codename="view_auditevent")
        group.permissions.set(wanted)
    return group


def allocate(*, worker, pupil: Pupil, role: Role, starts: dt.date) -> Allocation:
    """Allocate a child to a worker by name (social worker, IRO, nurse, education advisor)."""
    if not RoleAssignment.objects.filter(current(starts), user=worker, role=Role(role).value).exists():
        raise ValueError(f"{worker} does not hold the role {definition(role).label} on {starts}")
    allocation, _ = Allocation.objects.get_or_create(
        worker=worker, pupil=pupil, role=Role(role).value, ends=None, defaults={"starts": starts}
    )
    return allocation


def refresh_absence_involvements(*, local_authority: LocalAuthority, on: dt.date) -> tuple[int, int]:
    """Open an involvement for each pupil of the authority's schools who is persistently or
    severely absent this school year to date, and end those no longer so (reference 3.1).

    Returns (opened, ended). Referrals and statutory involvements are left as they are.
    """
    first = slots.year_start(slots.academic_year(on))
    on_roll = Enrolment.objects.filter(school__local_authority=local_authority, start__lte=on).exclude(end__lt=first)
    pupil_ids = on_roll.values("pupil_id")
    loaded = store.load(Enrolment.objects.filter(pupil_id__in=pupil_ids), first, on, look_back=False)
    result = figures.compute(loaded.matrix, first, on)
    wanted = {
        Involvement.Reason.PERSISTENT_ABSENCE: set(loaded.unit_ids[result.persistent_absence].tolist()),
        Involvement.Reason.SEVERE_ABSENCE: set(loaded.unit_ids[result.severe_absence].tolist()),
    }
    opened = ended = 0
    with transaction.atomic():
        for reason, pupils in wanted.items():
            held = Involvement.objects.filter(current(on), local_authority=local_authority, reason=reason)
            held_ids = set(held.values_list("pupil_id", flat=True))
            Involvement.objects.bulk_create(
                Involvement(pupil_id=p, local_authority=local_authority, reason=reason, starts=on,
                            note=f"{reason.label} in {first.year}/{(first.year + 1) % 100:02d} to {on}")
                for p in sorted(pupils - held_ids)
            )
            opened += len(pupils - held_ids)
            ended += held.filter(pupil_id__in=list(held_ids - pupils)).update(ends=on - dt.timedelta(days=1))
    return opened, ended
