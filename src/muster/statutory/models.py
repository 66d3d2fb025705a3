"""The records of the statutory workflows: contacts, penalty-notice cases, returns to the LA.

Sources: seed 002 lines 122-132 (first-day calling and its ladder), 187-191 (penalty notices);
domain reference 4.2-4.4 (threshold, notice to improve, amounts), 5.1-5.3 (returns, grounds).
Every record belongs to a pupil, not a school, so the history follows the pupil across schools
(reference 5.4); the school is where the step was taken.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from muster.core.rules.returns import DELETION_GROUNDS, ReturnKind
from muster.registers.models import Pupil, School


class ContactAttempt(models.Model):
    """One try to reach a pupil's family about an absence (seed 002 lines 128-131)."""

    class Method(models.TextChoices):
        CALL = "call", "Telephone call"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        HOME_VISIT = "home_visit", "Home visit"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached: reason given"
        MESSAGE_LEFT = "message_left", "Message left"
        NO_ANSWER = "no_answer", "No answer"
        NOT_DELIVERED = "not_delivered", "Not delivered / number not in service"
        NOBODY_HOME = "nobody_home", "Nobody at home"
        SENT = "sent", "Sent (no reply yet)"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="contact_attempts")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="contact_attempts")
    absence_on = models.DateField(help_text="The day of absence the contact is about.")
    method = models.CharField(max_length=12, choices=Method.choices)
    contact = models.CharField(
        max_length=120, blank=True, help_text="Who was contacted, e.g. parent, emergency contact."
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_by_name = models.CharField(max_length=150, help_text="Kept if the account is removed.")
    made_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pupil", "-made_at"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: {self.get_method_display()} {self.made_at:%Y-%m-%d %H:%M}, {self.get_outcome_display()}"

    @property
    def reached(self) -> bool:
        return self.outcome == self.Outcome.REACHED


class PenaltyNoticeCase(models.Model):
    """A case opened when the penalty-notice threshold is met, on the "support first" path
    (reference 4.1-4.3): support offered, attendance contract, notice to improve, decision."""

    class Stage(models.TextChoices):
        OPENED = "opened", "Threshold met: case opened"
        SUPPORT_OFFERED = "support_offered", "Support offered"
        ATTENDANCE_CONTRACT = "attendance_contract", "Attendance contract"
        NOTICE_TO_IMPROVE = "notice_to_improve", "Notice to improve sent"
        DECIDED = "decided", "Decision made"

    class Route(models.TextChoices):
        PENALTY_NOTICE = "penalty_notice", "Penalty notice per parent per child"
        OTHER = "other", "Another route (e.g. prosecution, education supervision order)"
        NO_ACTION = "no_action", "No further action: attendance improved"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="penalty_notice_cases")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="penalty_notice_cases")
    opened_on = models.DateField()
    threshold_met_on = models.DateField()
    threshold_met_session = models.CharField(max_length=2)
    window_first_week = models.DateField(help_text="Monday of the first of the 10 school weeks.")
    window_last_week = models.DateField(help_text="Monday of the last of the 10 school weeks.")
    school_weeks = models.JSONField(help_text="Mondays of the school weeks in the window.")
    evidence = models.JSONField(
        help_text="The threshold-coded sessions: date, session, code and school URN of each."
    )
    rule = models.CharField(max_length=300, help_text="The threshold rule applied and its source.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.OPENED)
    improvement_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Improvement period of the notice to improve: 3 to 6 weeks."
    )
    improvement_ends_on = models.DateField(null=True, blank=True)
    route = models.CharField(max_length=16, choices=Route.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "pupil"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: penalty-notice case opened {self.opened_on} ({self.get_stage_display()})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CaseStep(models.Model):
    """One step on a case, in order: the case's history (who, when, what, why)."""

    case = models.ForeignKey(PenaltyNoticeCase, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(max_length=20, choices=PenaltyNoticeCase.Stage.choices)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_stage_display()}"


class PenaltyNotice(models.Model):
    """A notice issued to one parent for one child (reference 4.4). Withdrawn notices stay on
    record but do not count towards the 2-in-3-years limit."""

    case = models.ForeignKey(PenaltyNoticeCase, on_delete=models.PROTECT, related_name="notices")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="penalty_notices")
    parent = models.CharField(max_length=150, help_text="The parent the notice is issued to.")
    offence = models.PositiveSmallIntegerField(help_text="1 for a first notice, 2 for a second.")
    issued_on = models.DateField()
    amounts = models.JSONField(help_text="Each amount in pence with its pay-by date and source.")
    withdrawn = models.BooleanField(default=False)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["pupil", "issued_on"]

    def __str__(self) -> str:
        state = " (withdrawn)" if self.withdrawn else ""
        return f"{self.pupil.upn}: notice {self.offence} to {self.parent} on {self.issued_on}{state}"


class LaReturn(models.Model):
    """A return the school owes its local authority (reference 5.2; formats.md "Returns")."""

    class Kind(models.TextChoices):
        ATTENDANCE = ReturnKind.ATTENDANCE.value, "Attendance return (10 continuous school days)"
        SICKNESS = ReturnKind.SICKNESS.value, "Sickness return (15 school days)"
        NEW_ENTRY = ReturnKind.NEW_ENTRY.value, "New-entry notification"
        DELETION = ReturnKind.DELETION.value, "Deletion notification"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        SENT = "sent", "Sent to the local authority"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    ground = models.CharField(
        max_length=8, blank=True, choices=[(g, f"{g}: {text}") for g, text in DELETION_GROUNDS.items()],
        help_text="Deletion only: the ground of regulation 9(1).",
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="la_returns")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="la_returns")
    met_on = models.DateField(help_text="The day the rule was met (reference section 0).")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    exported_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "school", "pupil"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pupil", "school", "met_on"], name="one_return_per_rule_met"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.pupil.upn} at {self.school.urn}, due {self.due_on}"

    def clean(self) -> None:
        if (self.kind == self.Kind.DELETION) != bool(self.ground):
            raise ValidationError({"ground": "a deletion return needs its ground; other returns have none"})


class LeaveRequest(models.Model):
    """A parent's written request for leave of absence in term time and the headteacher's
    decision against "exceptional circumstances" (seed 002 lines 195-203)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting the headteacher's decision"
        APPROVED = "approved", "Approved: exceptional circumstances"
        REFUSED = "refused", "Refused"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="leave_requests")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="leave_requests")
    first_day = models.DateField()
    first_session = models.CharField(max_length=2, default="AM")
    last_day = models.DateField()
    last_session = models.CharField(max_length=2, default="PM")
    reason = models.TextField(help_text="The reason the parent gives, as written.")
    requested_by = models.CharField(max_length=150, help_text="The parent who made the request.")
    received_on = models.DateField()
    in_writing = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    principles = models.JSONField(
        default=dict, blank=True, help_text="Each principle of exceptional circumstances: met or not."
    )
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    marks_batch = models.ForeignKey(
        "registers.MarkBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The marks this request put on the register (C pre-filled, or G when taken).",
    )
    taken_after_refusal_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-first_day", "pupil"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: leave {self.first_day} to {self.last_day} ({self.get_status_display()})"


class PartTimeTimetable(models.Model):
    """A temporary part-time timetable (`C2`) with its start, end and review dates (issue 4
    item 6; seed 004 line 150). End and review may be blank only for one recorded as found,
    which is then flagged."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="part_time_timetables")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="part_time_timetables")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True, help_text="The latest review held.")
    closed_on = models.DateField(null=True, blank=True, help_text="Back to full time, or ended.")
    reason = models.TextField()
    agreed_with = models.CharField(max_length=150, blank=True, help_text="The parent who agreed it.")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-start", "pupil"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: part-time timetable from {self.start} to {self.end or '(no end)'}"


class LetterTemplate(models.Model):
    """A staff-edited Word template for one kind of letter; the latest active one is used in
    place of the template Muster ships (issue 4 item 7)."""

    kind = models.CharField(max_length=32)
    name = models.CharField(max_length=150)
    content = models.BinaryField(help_text="The .docx file.")
    uploaded_by_name = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.name} ({self.uploaded_at:%Y-%m-%d})"


class Letter(models.Model):
    """A letter merged for one pupil, kept on the pupil's record with what went into it."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="letters")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=32)
    template = models.CharField(max_length=200, help_text="The template used: shipped or uploaded.")
    case = models.ForeignKey(
        PenaltyNoticeCase, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    context = models.JSONField(help_text="The figures and names merged, as they were.")
    docx = models.BinaryField()
    pdf = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pupil", "-created_at"]

    def __str__(self) -> str:
        return f"{self.pupil.upn}: {self.kind} letter of {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def filename(self) -> str:
        return f"{self.pupil.upn}-{self.kind}-{self.created_at:%Y%m%d-%H%M%S}"
