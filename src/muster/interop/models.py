"""What other systems told Muster about a pupil, kept apart from the register.

A Common Transfer File brings the old school's attendance totals and, verbatim, its marks string
(`PriorAttendance`), the family contacts (`PupilContact`) and the SEN history (`SenRecord`). An
SSDA903 return brings the care episodes (`CareEpisode`); a child it names without a UPN, or with a
UPN Muster does not hold, waits in `CareMatch` for a person to match, never a guess
(reference 0, "SSDA903").

Rows go with their pupil: the foreign keys cascade in the database itself (`DB_CASCADE`), so the
demo's plain-SQL clear-out of pupils (`muster.registers.demo`) takes them too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from muster.registers.models import Pupil


class TransferFileImport(models.Model):
    """One Common Transfer File imported: which file, from which school, when and by whom."""

    file_name = models.CharField(max_length=300)
    version = models.CharField("CTF version", max_length=10)
    written_at = models.CharField(max_length=30, blank=True, help_text="Header DateTime, as written.")
    source_lea = models.CharField("source LA", max_length=3, blank=True)
    source_estab = models.CharField(max_length=4, blank=True)
    source_urn = models.CharField("source URN", max_length=6, blank=True)
    source_school_name = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+"
    )
    warnings = models.TextField(blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"CTF {self.file_name} from {self.source_school_name or self.source_estab}"


class PriorAttendance(models.Model):
    """A `YearData` of a CTF: one school's attendance totals for one year, before this school.

    The totals are shown as the old school sent them (element names from one CTF 12-era vendor:
    verify against the DfE XSD, interop.md 5). `marks` is `AttendanceMarks` exactly as written:
    its encoding is not known, so it is shown, never expanded into sessions nor counted
    (reference 0)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.DB_CASCADE, related_name="prior_attendance")
    year = models.PositiveSmallIntegerField(help_text="`Year` as written in the CTF.")
    lea = models.CharField("LA", max_length=3, blank=True)
    estab = models.CharField(max_length=4, blank=True)
    school_name = models.CharField(max_length=200, blank=True)
    sessions_possible = models.PositiveIntegerField(null=True, blank=True)
    sessions_authorised = models.PositiveIntegerField(null=True, blank=True)
    sessions_attended = models.PositiveIntegerField(null=True, blank=True)
    sessions_unauthorised = models.PositiveIntegerField(null=True, blank=True)
    marks_start = models.DateField(
        null=True, blank=True, help_text="`AttendSessions/AttendanceStartDate`, as written."
    )
    marks = models.TextField(
        blank=True, help_text="`AttendSessions/AttendanceMarks` verbatim. Not decoded: its "
        "encoding is not published (reference 0)."
    )
    source = models.ForeignKey(
        TransferFileImport, null=True, on_delete=models.DB_SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "prior attendance"
        ordering = ["pupil", "year", "lea", "estab"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "year", "lea", "estab"], name="one_prior_year")
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.year} at {self.school_name or self.estab}"


class PupilContact(models.Model):
    """A person to contact about a pupil, in priority order, as a CTF gave them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.DB_CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField(help_text="Priority: 1 is called first.")
    title = models.CharField(max_length=20, blank=True)
    surname = models.CharField(max_length=100)
    forename = models.CharField(max_length=100, blank=True)
    relationship = models.CharField(max_length=20, blank=True, help_text="The CTF's code, as written.")
    parental_responsibility = models.BooleanField(null=True)
    phones = models.JSONField(default=list, blank=True, help_text="[{kind, number}] in order.")
    email = models.CharField(max_length=254, blank=True)
    source = models.ForeignKey(
        TransferFileImport, null=True, on_delete=models.DB_SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pupil", "order"]
        constraints = [models.UniqueConstraint(fields=["pupil", "order"], name="one_contact_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title} {self.forename} {self.surname}".replace("  ", " ")


class SenRecord(models.Model):
    """An entry of a CTF's SEN history: provision from a date, and the needs named."""

    pupil = models.ForeignKey(Pupil, on_delete=models.DB_CASCADE, related_name="sen_history")
    start = models.DateField(null=True, blank=True)
    provision = models.CharField(max_length=1, help_text="N, K (SEN support) or E (EHC plan).")
    needs = models.JSONField(default=list, blank=True, help_text="[[need type, rank]] as written.")
    source = models.ForeignKey(
        TransferFileImport, null=True, on_delete=models.DB_SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "SEN record"
        ordering = ["pupil", "start"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "start", "provision"], name="one_sen_entry")
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.provision} from {self.start or 'unknown'}"


class CareReturnImport(models.Model):
    """One SSDA903 return imported for a local authority: its files, when and by whom."""

    authority = models.CharField(max_length=3, help_text="LA code of the authority whose return it is.")
    file_names = models.CharField(max_length=500)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"SSDA903 {self.authority}: {self.file_names}"


class CareEpisode(models.Model):
    """A period of care from an SSDA903 return: one legal status and one placement.

    A new episode starts when the legal status or the placement changes, so the episodes of a
    child are the placement moves to show next to attendance. Codes are kept as the return
    writes them. `provider_urn` is the placement provider's Ofsted URN, not a school
    (interop.md 2.1)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.DB_CASCADE, related_name="care_episodes")
    authority = models.CharField(max_length=3, help_text="LA code of the authority looking after.")
    child_id = models.CharField("CHILD", max_length=20, help_text="The authority's id for the child.")
    start = models.DateField(help_text="DECOM: the episode began.")
    end = models.DateField(null=True, blank=True, help_text="DEC: the episode ceased.")
    reason_new = models.CharField("RNE", max_length=8, blank=True)
    legal_status = models.CharField("LS", max_length=8)
    category_of_need = models.CharField("CIN", max_length=8, blank=True)
    placement = models.CharField("PLACE", max_length=8)
    provider = models.CharField("PLACE_PROVIDER", max_length=8, blank=True)
    reason_ceased = models.CharField("REC", max_length=8, blank=True)
    reason_place_change = models.CharField("REASON_PLACE_CHANGE", max_length=8, blank=True)
    provider_urn = models.CharField("provider URN", max_length=8, blank=True)
    source = models.ForeignKey(CareReturnImport, null=True, on_delete=models.DB_SET_NULL, related_name="+")

    class Meta:
        ordering = ["pupil", "start"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "child_id", "start"], name="one_care_episode")
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.legal_status}/{self.placement} from {self.start}"


class CareMatch(models.Model):
    """A child of an SSDA903 return that Muster could not join to a pupil by UPN: no UPN given
    (UN1-UN5), a UPN not held, or a held UPN whose date of birth differs. A person matches it;
    Muster never guesses (reference 0, "SSDA903")."""

    class Reason(models.TextChoices):
        NO_UPN = "no_upn", "No UPN in the return (UN1-UN5)"
        NOT_HELD = "not_held", "UPN not held in Muster"
        BIRTH_DIFFERS = "birth_differs", "UPN held, date of birth differs"

    authority = models.CharField(max_length=3)
    child_id = models.CharField("CHILD", max_length=20)
    upn_given = models.CharField("UPN given", max_length=13)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    episodes = models.JSONField(default=list, help_text="The child's episodes, waiting for a match.")
    source = models.ForeignKey(CareReturnImport, null=True, on_delete=models.DB_SET_NULL, related_name="+")
    matched_pupil = models.ForeignKey(
        Pupil, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "care matches"
        ordering = ["authority", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "child_id"], name="one_care_match")
        ]

    def __str__(self) -> str:
        return f"{self.authority} CHILD {self.child_id} ({self.get_reason_display()})"


class PlantedProblem(models.Model):
    """A data-quality problem the demo planted on purpose, so that `muster lint` has something to
    find and a test can show it finds exactly these (`muster.interop.demo`). Demo data only."""

    rule = models.CharField(max_length=40)
    upn = models.CharField("UPN", max_length=13)
    school_urn = models.CharField("school URN", max_length=6, blank=True)
    day = models.DateField(null=True, blank=True)
    session = models.CharField(max_length=2, blank=True)
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["rule", "upn"]

    def __str__(self) -> str:
        return f"{self.rule}: {self.upn} {self.day or ''} {self.session}".strip()


class NotifySettings(models.Model):
    """A school's GOV.UK Notify service: its template ids per message and the *name* of the
    setting or environment variable that holds its API key (the key itself is never stored).
    With no key found, messages are recorded as "would have sent" and nothing leaves Muster."""

    school_urn = models.CharField("school URN", max_length=6, unique=True)
    api_key_name = models.CharField(
        max_length=100, blank=True,
        help_text="Environment variable (or Django setting) holding the Notify API key, e.g. "
        "NOTIFY_KEY_100001. Blank: the demo, which sends nothing.")
    base_url = models.CharField(max_length=200, blank=True,
                                help_text="Blank for https://api.notifications.service.gov.uk.")
    first_day_sms_template = models.CharField(max_length=36, blank=True)
    first_day_email_template = models.CharField(max_length=36, blank=True)
    letter_email_template = models.CharField(max_length=36, blank=True)

    class Meta:
        verbose_name_plural = "Notify settings"

    def __str__(self) -> str:
        return f"Notify for {self.school_urn}"


class NotifyMessage(models.Model):
    """One message to a family through Notify, and its delivery status as Notify last gave it.
    A message sent is also a line in the contact log (statutory.ContactAttempt)."""

    WOULD_HAVE_SENT = "would-have-sent"
    FAILED = ("permanent-failure", "temporary-failure", "technical-failure", "validation-failed")

    class Kind(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    pupil = models.ForeignKey(Pupil, on_delete=models.DB_CASCADE, related_name="notify_messages")
    school_urn = models.CharField("school URN", max_length=6)
    purpose = models.CharField(max_length=20, default="first-day")
    absence_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    recipient = models.CharField(max_length=254)
    template_id = models.CharField(max_length=36)
    personalisation = models.JSONField(default=dict)
    reference = models.CharField(max_length=100, unique=True)
    notification_id = models.CharField(max_length=36, blank=True)
    status = models.CharField(max_length=30)
    contact_attempt_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Its line in the contact log (statutory.ContactAttempt); a plain "
        "id, so the demo's plain-SQL clear-out can take the log first.")
    sent_at = models.DateTimeField()
    status_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"
