"""Who holds a role for a pupil on a day: the person a policy's task goes to.

Allocated roles (education advisor, social worker, IRO, child in care nurse) go to the worker
allocated to the pupil by name. Other roles go to the organisation the role belongs to
(`core/roles.py`): the pupil's school, its local authority, or the Virtual School and children's
services of the authority that looks after the child. When one person holds the role there,
the task is theirs; when several or none do, it waits in that organisation's queue for the role.
A role a policy declares itself (seed 003's inclusion lead) belongs to the adopter's queue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from muster.core.roles import OrganisationKind, Role, definition
from muster.people.models import ALLOCATED_ROLES, Allocation, Organisation, RoleAssignment, current


@dataclass(frozen=True)
class Holder:
    organisation_id: int | None
    user_id: int | None


class Holders:
    """Role holders in force on one day, read once for a whole evaluation."""

    def __init__(self, on: dt.date) -> None:
        self.held: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.user_org: dict[tuple[int, str], int] = {}
        for user_id, role, organisation_id in RoleAssignment.objects.filter(current(on)).values_list(
            "user_id", "role", "organisation_id"
        ).order_by("pk"):
            self.held[(organisation_id, role)].append(user_id)
            self.user_org.setdefault((user_id, role), organisation_id)
        self.allocated = {
            (pupil_id, role): worker_id
            for pupil_id, role, worker_id in Allocation.objects.filter(current(on))
            .values_list("pupil_id", "role", "worker_id").order_by("pk")
        }
        self.school_org: dict[int, int] = {}
        self.authority_org: dict[tuple[int, str], int] = {}
        for pk, kind, school_id, authority_id in Organisation.objects.values_list(
            "pk", "kind", "school_id", "local_authority_id"
        ).order_by("pk"):
            if school_id is not None:
                self.school_org[school_id] = pk
            elif authority_id is not None:
                self.authority_org.setdefault((authority_id, kind), pk)

    def find(self, role: str, *, pupil_id: int, school_id: int | None, school_authority_id: int | None,
             care_authority_id: int | None, adopter_id: int | None) -> Holder:
        try:
            known = Role(role)
        except ValueError:
            return Holder(adopter_id, None)
        if known in ALLOCATED_ROLES and (pupil_id, role) in self.allocated:
            worker = self.allocated[(pupil_id, role)]
            return Holder(self.user_org.get((worker, role)), worker)
        kind = definition(known).organisation
        if kind is OrganisationKind.SCHOOL:
            organisation = self.school_org.get(school_id) if school_id is not None else None
        else:
            authority = school_authority_id if kind is OrganisationKind.LOCAL_AUTHORITY else (
                care_authority_id or school_authority_id)
            organisation = self.authority_org.get((authority, kind.value)) if authority else None
        if organisation is None:
            return Holder(adopter_id, None)
        people = self.held.get((organisation, role), [])
        return Holder(organisation, people[0] if len(people) == 1 else None)
