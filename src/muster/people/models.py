"""Organisations, the roles people hold in them, and the children allocated to them by name.

The roles themselves, and what each may see and do, are data in `muster.core.roles`; these
models say who holds which role where and since when. Scoping reads them in `access.py`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from muster.core.roles import OrganisationKind, Role, definition
from muster.registers.models import LocalAuthority, Pupil, School

ROLE_CHOICES = [(r.value, definition(r).label) for r in Role]
ALLOCATED_ROLES = [Role.EDUCATION_ADVISOR, Role.SOCIAL_WORKER, Role.IRO, Role.CHILD_IN_CARE_NURSE]


def current(on: dt.date) -> Q:
    """Rows in force on a day: started, and not yet ended."""
    return Q(starts__lte=on) & (Q(ends__isnull=True) | Q(ends__gte=on))


class Organisation(models.Model):
    kind = models.CharField(max_length=20, choices=[(k.value, k.value.replace("_", " ")) for k in OrganisationKind])
    name = models.CharField(max_length=200)
    school = models.OneToOneField(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="organisation"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations",
        help_text="The authority a local authority, Virtual School or children's services team "
        "belongs to.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="school") & Q(school__isnull=False))
                | (~Q(kind="school") & Q(local_authority__isnull=False)),
                name="organisation_anchored",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A social work team: its manager sees the children allocated to its members."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class RoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="roles")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="roles")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user", "role"]

    def __str__(self) -> str:
        return f"{self.user} as {definition(self.role).label} at {self.organisation}"

    def clean(self) -> None:
        wanted = definition(self.role).organisation
        if self.organisation_id and self.organisation.kind != wanted:
            raise ValidationError(f"a {definition(self.role).label} is held in a {wanted.value.replace('_', ' ')}")
        if self.ends and self.ends < self.starts:
            raise ValidationError("the role ends before it starts")


class Allocation(models.Model):
    """A child allocated by name to a worker: social worker, IRO, nurse, education advisor."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="allocations")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="allocations")
    role = models.CharField(max_length=32, choices=[(r.value, definition(r).label) for r in ALLOCATED_ROLES])
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["worker", "pupil"]

    def __str__(self) -> str:
        return f"{self.pupil.upn} allocated to {self.worker} ({definition(self.role).label})"


class TeachingGroup(models.Model):
    """A class or registration group: its teachers take its registers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teaching_groups")
    name = models.CharField(max_length=80)
    academic_year = models.PositiveSmallIntegerField()
    pupils = models.ManyToManyField(Pupil, related_name="teaching_groups", blank=True)
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_groups", blank=True)

    class Meta:
        ordering = ["school", "academic_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "name"], name="one_group_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year}/{(self.academic_year + 1) % 100:02d} ({self.school.urn})"


class Involvement(models.Model):
    """Why a local authority works with a pupil: what brings the pupil into an LA attendance
    officer's scope (issue: "referred, PA/SA or in a statutory workflow")."""

    class Reason(models.TextChoices):
        REFERRAL = "referral", "Referred by the school"
        PERSISTENT_ABSENCE = "persistent_absence", "Persistently absent"
        SEVERE_ABSENCE = "severe_absence", "Severely absent"
        STATUTORY = "statutory", "In a statutory workflow"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="involvements")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="involvements")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pupil", "starts"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: {self.get_reason_display()} from {self.starts}"


PEOPLE_TABLES = (Allocation, Involvement, TeachingGroup.pupils.through, TeachingGroup.teachers.through,
                 TeachingGroup, RoleAssignment, Team, Organisation)
"""Every table of people and roles, dependants first (for replacing the demo)."""
