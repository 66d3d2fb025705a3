"""Policy adoptions, band spells (the history of each pupil's band) and tasks.

A policy file (`muster/policies/`) is a template: a school's, authority's or Virtual School's
adoption says who uses it and from when, and so which pupils it covers (`covers.kind` read
relative to the adopter). National policies cover every pupil and need no adoption.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from muster.people.models import Organisation
from muster.registers.models import Pupil


class PolicyAdoption(models.Model):
    policy_id = models.CharField(max_length=80, help_text="The `id` of a shipped policy file.")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="policy_adoptions")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["policy_id", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["policy_id", "organisation", "starts"], name="adoption_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} uses {self.policy_id} from {self.starts}"


class BandSpell(models.Model):
    """A run of days on which a pupil stayed in one band of a policy with one absence column.

    Spells are history: they are closed (given `ends`), never deleted or rewritten, so the
    product can say when a pupil entered persistent absence and when they left it.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="band_spells")
    policy_id = models.CharField(max_length=80)
    policy_version = models.PositiveIntegerField()
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="band_spells",
        help_text="The adopter whose policy placed the pupil; empty for national policies.",
    )
    band = models.CharField(max_length=40, blank=True, help_text="Empty: in no band (a policy gap).")
    band_label = models.CharField(max_length=200)
    absence_type = models.CharField(max_length=12)
    band_since = models.DateField(help_text="First day of the run of spells in this band.")
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="Last day; empty while current.")
    explanation = models.TextField(help_text="Why, on the first day of the spell.")
    tasks_made = models.BooleanField(
        default=False, help_text="The band's one-off tasks have been made (they wait for enough "
        "sessions, and a move to a better band for enough school days in it: policies/national/casework/).")

    class Meta:
        ordering = ["pupil", "policy_id", "starts"]
        indexes = [models.Index(fields=["policy_id", "organisation", "pupil"])]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "policy_id", "organisation"], condition=Q(ends__isnull=True),
                                    name="one_current_spell"),
        ]

    def __str__(self) -> str:
        return f"{self.band_label} from {self.starts}"


class Task(models.Model):
    """Work a policy requires of the person holding a role for a pupil."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SUPERSEDED = "superseded", "Superseded"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    instruction = models.TextField()
    source = models.CharField(max_length=200, help_text="Where the policy says so, e.g. seed 001 line 68.")
    policy_id = models.CharField(max_length=80)
    rule = models.CharField(max_length=300, help_text="The intervention: band/absence/role/title.")
    occurrence = models.DateField(help_text="The band entry date, or the day of absence for daily work.")
    role = models.CharField(max_length=40)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tasks")
    spell = models.ForeignKey(BandSpell, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    created_on = models.DateField(help_text="The evaluation day that required it.")
    due = models.DateField(null=True, blank=True, help_text="Empty: the policy sets no deadline.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    note = models.TextField(blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    superseded_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due", "created_on", "pk"]
        indexes = [models.Index(fields=["status", "assignee"]), models.Index(fields=["status", "organisation", "role"])]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "policy_id", "rule", "occurrence"], name="task_once"),
        ]

    def __str__(self) -> str:
        return self.title
