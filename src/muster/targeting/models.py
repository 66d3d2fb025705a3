"""The termly targeting support meeting between a school and its local authority, and the
per-pupil action log both sides share (issue 10 part 3; seed 002 Annex A: local authorities
"hold a regular conversation with every school" about pupils at risk, persistently or severely
absent).

The log belongs to the pupil, not to a meeting: an entry may be written at a meeting or between
meetings, by the school or by the authority, and the next meeting starts from the agreed actions
still open. Entries are history: a correction is a new entry, never an edit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from muster.people.models import Organisation
from muster.registers.models import LocalAuthority, Pupil, School


class Meeting(models.Model):
    """One targeting support meeting of a school and its local authority."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="targeting_meetings")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT,
                                        related_name="targeting_meetings")
    held_on = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line (name and role).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["school", "-held_on"]
        constraints = [models.UniqueConstraint(fields=["school", "held_on"], name="one_meeting_a_day")]

    def __str__(self) -> str:
        return f"Targeting support meeting, {self.school.name}, {self.held_on}"

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class ActionLogEntry(models.Model):
    """What the school and the authority know and agreed about one pupil, on one day."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="targeting_log")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+",
                               help_text="The school the pupil was discussed with.")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="entries", help_text="Empty: between meetings.")
    lead_practitioner = models.CharField(max_length=150, blank=True)
    early_help_offered = models.BooleanField(null=True, help_text="Empty: not known yet.")
    barriers = models.TextField(blank=True)
    note = models.TextField(blank=True)
    written_on = models.DateField()
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_by_name = models.CharField(max_length=150, help_text="Kept if the account is removed.")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="The side that wrote it.")

    class Meta:
        ordering = ["pupil", "written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: {self.written_on} by {self.written_by_name}"


class AgreedAction(models.Model):
    """An action agreed for a pupil, with its owner and review date."""

    entry = models.ForeignKey(ActionLogEntry, on_delete=models.PROTECT, related_name="actions")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="targeting_actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    review_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return f"{self.description} ({self.owner}, review {self.review_on})"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None


class SiblingLink(models.Model):
    """Two pupils recorded as siblings by someone who knows, where no contact is shared
    (shared contacts are read from the transfer files' `interop.PupilContact`)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    sibling = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    recorded_by_name = models.CharField(max_length=150)
    recorded_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "sibling"], name="sibling_once")]

    def __str__(self) -> str:
        return f"{self.pupil.upn} and {self.sibling.upn}"


TARGETING_TABLES = (AgreedAction, ActionLogEntry, Meeting, SiblingLink)
"""Dependants first (for replacing the demo)."""
