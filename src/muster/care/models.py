"""PEP meetings, attendance improvement plans (seed 000, with seed 004's action table), process
pathway runs (seed 001), escalations and Pupil Premium Plus requests.

The figures on a plan's review (before and after) are measured from the marks by
`actions.review_plan`, never typed in. A pathway's steps are casework Tasks
(`policy_id = "pathway:<id>"`, `rule` = the step id, `occurrence` = the day it started).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from muster.registers.models import Pupil

PATHWAY_POLICY_PREFIX = "pathway:"


class PepMeeting(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="pep_meetings")
    date = models.DateField()
    attendees = models.TextField(help_text="Who attended, one per line (name and role).")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["pupil", "date", "pk"]
        verbose_name = "PEP meeting"

    def __str__(self) -> str:
        return f"PEP meeting {self.date}"


class AttendanceImprovementPlan(models.Model):
    """Seed 000's plan, agreed at a PEP meeting and reviewed at the next (the follow-up)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active: awaiting review"
        IMPROVED = "improved", "Reviewed: improved"
        NOT_IMPROVED = "not_improved", "Reviewed: not improved"
        CLOSED = "closed", "Closed"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="attendance_plans")
    meeting = models.ForeignKey(PepMeeting, on_delete=models.RESTRICT, related_name="plans_agreed")
    agreed_on = models.DateField()
    push_inside = models.TextField(blank=True, help_text="Push factors INSIDE school (seed 000 line 26).")
    push_outside = models.TextField(blank=True, help_text="Push factors OUTSIDE school (seed 000 line 28).")
    pull_inside = models.TextField(blank=True, help_text="Pull factors INSIDE school (seed 000 line 30).")
    pull_outside = models.TextField(blank=True, help_text="Pull factors OUTSIDE school (seed 000 line 32).")
    pupil_voice = models.TextField(blank=True, help_text="The pupil's voice (seed 000 line 21; seed 004 line 198).")
    going_well = models.TextField(blank=True, help_text="What is going well (seed 004 line 202).")
    aim_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True,
                                      help_text="Target attendance % (seed 004 line 243).")
    aim_date = models.DateField(null=True, blank=True, help_text="The date to reach the aim.")
    incentive = models.TextField(blank=True, help_text="Incentive or reward (seed 000 line 36).")
    reduced_timetable = models.BooleanField(default=False)
    reduced_timetable_ends = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    review_meeting = models.ForeignKey(PepMeeting, null=True, blank=True, on_delete=models.RESTRICT,
                                       related_name="plans_reviewed")
    before_first = models.DateField(null=True, blank=True)
    before_attended = models.PositiveIntegerField(null=True, blank=True)
    before_possible = models.PositiveIntegerField(null=True, blank=True)
    after_attended = models.PositiveIntegerField(null=True, blank=True)
    after_possible = models.PositiveIntegerField(null=True, blank=True)
    revised_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="revisions",
                                     help_text="The plan this one replaced at its review.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["pupil", "agreed_on", "pk"]

    def __str__(self) -> str:
        return f"Attendance improvement plan agreed {self.agreed_on}"


class ResponsibilityCheck(models.Model):
    """Seed 000 line 11: "confirm the responsibilities below have been discussed", Yes/No."""

    plan = models.ForeignKey(AttendanceImprovementPlan, on_delete=models.CASCADE, related_name="responsibilities")
    who = models.CharField(max_length=40, help_text="The checklist row id (policies/virtual_school/care/).")
    label = models.CharField(max_length=200)
    discussed = models.BooleanField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "who"], name="responsibility_once")]

    def __str__(self) -> str:
        return f"{self.label}: {'yes' if self.discussed else 'no'}"


class PlanAction(models.Model):
    """A row of seed 004's action table (line 245)."""

    plan = models.ForeignKey(AttendanceImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField()
    barrier = models.TextField(blank=True, verbose_name="identified barrier")
    action = models.TextField(blank=True, verbose_name="actions/interventions to address the barrier")
    by_when = models.DateField(null=True, blank=True)
    responsible = models.CharField(max_length=200, blank=True, verbose_name="person responsible")
    measure = models.TextField(blank=True, verbose_name="how will we know it is working for the child?")

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="plan_action_order_once")]

    def __str__(self) -> str:
        return self.action[:80]


class PathwayRun(models.Model):
    """A seed 001 process started for a child; its steps are casework Tasks."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="pathway_runs")
    pathway_id = models.CharField(max_length=80)
    version = models.DateField(help_text="The dated entry of the pathway file in force when it started.")
    starts = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["pupil", "starts", "pk"]
        constraints = [models.UniqueConstraint(fields=["pupil", "pathway_id", "starts"], name="pathway_run_once")]

    def __str__(self) -> str:
        return f"{self.pathway_id} from {self.starts}"

    @property
    def policy_id(self) -> str:
        return f"{PATHWAY_POLICY_PREFIX}{self.pathway_id}"


class PathwayApproval(models.Model):
    """Who approved a step that needs approval (school move protocol, reunification protocol)."""

    run = models.ForeignKey(PathwayRun, on_delete=models.CASCADE, related_name="approvals")
    step_id = models.CharField(max_length=80)
    what = models.CharField(max_length=200)
    approved = models.BooleanField(help_text="Approved, or refused.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "decided_at"]
        constraints = [models.UniqueConstraint(fields=["run", "step_id"], name="pathway_approval_once")]

    def __str__(self) -> str:
        return f"{self.what}: {'approved' if self.approved else 'refused'}"


class Escalation(models.Model):
    """Proposed by the rule (seed 001 line 61) at a plan's review; people record the outcome."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ESCALATED = "escalated", "Escalated to team manager and IRO"
        NOT_ESCALATED = "not_escalated", "Not escalated"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="escalations")
    plan = models.OneToOneField(AttendanceImprovementPlan, on_delete=models.CASCADE, related_name="escalation")
    proposed_on = models.DateField()
    reason = models.TextField()
    source = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    outcome = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_on", "pk"]

    def __str__(self) -> str:
        return f"Escalation proposed {self.proposed_on}: {self.get_status_display()}"


class PupilPremiumPlusRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    action = models.ForeignKey(PlanAction, on_delete=models.RESTRICT, related_name="pp_plus_requests")
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    purpose = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_on = models.DateField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_on", "pk"]
        verbose_name = "Pupil Premium Plus request"

    def __str__(self) -> str:
        return f"PP+ £{self.amount}: {self.get_status_display()}"


CARE_TABLES = (PupilPremiumPlusRequest, Escalation, PathwayApproval, PathwayRun, PlanAction, ResponsibilityCheck,
               AttendanceImprovementPlan, PepMeeting)
"""Care tables, dependants first, for the demo to clear."""
