"""Schools, pupils, enrolments and their registers.

Marks are stored compactly: one `RegisterYear` row per enrolment per academic year holds every
session slot as one byte (`muster.core.slots`, `muster.core.codes`). Minutes late and comments
are sparse side rows (`MarkNote`); who wrote each slot is in `MarkSource` and
`RegisterYearSource`, kept apart so the figures never read it; every change to a mark is an
append-only `MarkChange`. A row per mark does not scale (issue "Register core"; performance.md).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as upn_check

from muster.core import slots
from muster.core.calendar import CalendarEntry as CoreCalendarEntry
from muster.core.calendar import SchoolCalendar

ANONYMISED_UPN_PREFIX = "SANON"
"""The UPN of an anonymised leaver is this and 8 digits (`muster.records.retention`). No real UPN
starts so: `S` is never a check letter (`stdnum.gb.upn`: 23 letters, not I, O or S) and a real
UPN has digits where `ANON` is."""


def is_anonymised_upn(value: str) -> bool:
    digits = value[len(ANONYMISED_UPN_PREFIX) :]
    return value.startswith(ANONYMISED_UPN_PREFIX) and len(digits) == 8 and digits.isdecimal()


def validate_upn(value: str) -> None:
    if is_anonymised_upn(value):
        return
    try:
        upn_check.validate(value)
    except StdnumError as error:
        raise ValidationError(f"{value!r} is not a valid UPN: {error}") from None


class LocalAuthority(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="The DfE 3-digit LA code.")
    name = models.CharField(max_length=120)

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all-through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE = "alternative", "Alternative provision"


class School(models.Model):
    urn = models.CharField(max_length=6, unique=True, help_text="Unique Reference Number (6 digits).")
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    am_register_opens = models.TimeField(default=dt.time(8, 40))
    am_register_closes = models.TimeField(
        default=dt.time(9, 10), help_text="Arrival after this is U, before it L (seed 002)."
    )
    pm_register_opens = models.TimeField(default=dt.time(13, 15))
    pm_register_closes = models.TimeField(default=dt.time(13, 30))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    def calendar(self) -> SchoolCalendar:
        return SchoolCalendar.build(e.as_core() for e in self.calendar_entries.all())


class CalendarEntry(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", "Term (open on weekdays)"
        CLOSURE = "closure", "Planned closure (#)"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_entries")
    start = models.DateField()
    end = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    session = models.CharField(
        max_length=2, blank=True, choices=[("AM", "AM"), ("PM", "PM")],
        help_text="For a half-day closure; blank for whole days.",
    )
    label = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name_plural = "calendar entries"
        ordering = ["school", "start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "start", "end", "kind", "session"], name="one_calendar_entry"
            ),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="entry_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.school.urn} {self.kind} {self.start}..{self.end} {self.session}".strip()

    def as_core(self) -> CoreCalendarEntry:
        return CoreCalendarEntry(
            self.start, self.end, self.kind, slots.Session(self.session) if self.session else None,
            self.label,
        )


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"


class SEN(models.TextChoices):
    NONE = "N", "No special educational needs"
    SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "Education, health and care plan"


NC_YEARS = ["N1", "N2", "R"] + [str(y) for y in range(1, 15)]


class Pupil(models.Model):
    upn = models.CharField("UPN", max_length=13, unique=True, validators=[validate_upn])
    legal_surname = models.CharField(max_length=100)
    legal_forename = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    nc_year = models.CharField(
        "NC year", max_length=2, choices=[(y, y) for y in NC_YEARS],
        help_text="National curriculum year.",
    )
    looked_after = models.BooleanField(
        "child in care", default=False, help_text="Looked after by a local authority."
    )
    care_authority = models.CharField(
        max_length=3, blank=True, help_text="LA code of the authority that looks after the child."
    )
    previously_looked_after = models.BooleanField(default=False)
    has_social_worker = models.BooleanField(default=False)
    sen = models.CharField("SEN", max_length=1, choices=SEN.choices, default=SEN.NONE)
    fsm = models.BooleanField("eligible for free school meals", default=False)
    anonymised_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text="When names, date of birth and UPN were removed after the register retention "
        "period (muster records retention).",
    )

    class Meta:
        ordering = ["legal_surname", "legal_forename"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.upn})"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.legal_forename} {self.legal_surname}"


class Registration(models.TextChoices):
    SINGLE = "single", "Single registration"
    MAIN = "main", "Main (dual registration)"
    SUBSIDIARY = "subsidiary", "Subsidiary (dual registration)"


class Enrolment(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    start = models.DateField(help_text="Starting day on the admission register.")
    end = models.DateField(null=True, blank=True, help_text="Last day on roll.")
    registration = models.CharField(
        max_length=10, choices=Registration.choices, default=Registration.SINGLE
    )

    class Meta:
        ordering = ["pupil", "start"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "school", "start"], name="one_enrolment_start"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="enrolment_in_order",
            ),
        ]

    def __str__(self) -> str:
        end = self.end or "now"
        return f"{self.pupil.upn} at {self.school.urn} {self.start}..{end}"

    def on_roll(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class MarkBatch(models.Model):
    """One write of marks: an import, a register taken, a correction. Who, when, from where."""

    class Source(models.TextChoices):
        IMPORT = "import", "File import"
        REGISTER = "register", "Register taken in Muster"
        CORRECTION = "correction", "Correction"
        API = "api", "School system (API)"
        DEMO = "demo", "Demo data"

    source = models.CharField(max_length=12, choices=Source.choices)
    description = models.CharField(max_length=300, blank=True, help_text="File name or register.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "mark batches"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.description} ({self.created_at:%Y-%m-%d %H:%M})"


class RegisterYear(models.Model):
    """An enrolment's register for one academic year: a byte per session slot."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="register_years")
    academic_year = models.PositiveSmallIntegerField(help_text="Starting calendar year, e.g. 2025.")
    marks = models.BinaryField(max_length=slots.SLOTS_PER_YEAR)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every write, so concurrent edits can be detected."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "academic_year"], name="one_register_year")
        ]
        indexes = [models.Index(fields=["academic_year", "enrolment"])]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    def codes(self) -> np.ndarray:
        return np.frombuffer(bytes(self.marks), dtype=np.uint8)


class RegisterYearSource(models.Model):
    """Per slot, the `MarkBatch` that wrote the mark now held (a uint32 id per slot, 0 = none),
    as of the last fold of the `MarkSource` log (`muster.registers.provenance`)."""

    register_year = models.OneToOneField(
        RegisterYear, on_delete=models.CASCADE, primary_key=True, related_name="source"
    )
    batches = models.BinaryField(max_length=slots.SLOTS_PER_YEAR * 4)

    def batch_ids(self) -> np.ndarray:
        return np.frombuffer(bytes(self.batches), dtype="<u4")


class MarkSource(models.Model):
    """The slots of one register year that one batch wrote: appended by every write, so a whole
    authority's morning adds 100,000 rows of a few bytes rather than rewriting 100,000 arrays of
    3 KB (issue 9). `muster.registers.provenance` reads it over `RegisterYearSource` and folds it.

    Its keys are not foreign-key constraints in the database: only `muster.registers.bulk`
    writes these rows, with the ids of the register years and the batch it has just written in
    the same transaction, and checking 200,000 keys at commit took 0.8 s of a morning's push.
    Deleting a register year still deletes its rows (Django's cascade)."""

    register_year = models.ForeignKey(
        RegisterYear, on_delete=models.CASCADE, related_name="source_log", db_index=False, db_constraint=False
    )
    batch = models.ForeignKey(
        MarkBatch, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    slots = models.BinaryField(help_text="The slots written, little-endian uint16 each.")

    class Meta:
        indexes = [models.Index(fields=["register_year", "batch"])]

    def slot_numbers(self) -> np.ndarray:
        return np.frombuffer(bytes(self.slots), dtype="<u2")


class MarkNote(models.Model):
    """Minutes late and comment for one slot: sparse, so most marks have none."""

    register_year = models.ForeignKey(RegisterYear, on_delete=models.CASCADE, related_name="notes")
    slot = models.PositiveSmallIntegerField()
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register_year", "slot"], name="one_note_per_slot")
        ]


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, which would bypass `MarkChange.save` and `.delete`."""

    def update(self, **kwargs):
        raise ValidationError("mark history is append-only")

    def delete(self):
        raise ValidationError("mark history is append-only")

    def clear_free_text(self) -> int:
        """Blank these rows' comments and reasons, the one change history allows: anonymising a
        leaver after the register retention period (`muster.records.retention`). Codes, minutes
        late, batches and slots never change."""
        return super().update(previous_comment="", offered_comment="", reason="")


class MarkChange(models.Model):
    """An append-only record of a mark being changed, or of a mark offered and not taken."""

    register_year = models.ForeignKey(RegisterYear, on_delete=models.PROTECT, related_name="changes")
    slot = models.PositiveSmallIntegerField()
    previous_code = models.CharField(max_length=2, blank=True)
    offered_code = models.CharField(max_length=2)
    applied = models.BooleanField(
        help_text="True when the offered mark replaced the previous one; False when the previous "
        "mark was kept (a better mark from another source, reference 0)."
    )
    previous_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    offered_minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_comment = models.TextField(blank=True)
    offered_comment = models.TextField(blank=True)
    batch = models.ForeignKey(MarkBatch, on_delete=models.PROTECT, related_name="changes")
    reason = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["register_year", "slot", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("mark history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("mark history is append-only")

    @property
    def date(self) -> dt.date:
        return slots.date_of(self.register_year.academic_year, self.slot)[0]

    @property
    def session(self) -> str:
        return slots.date_of(self.register_year.academic_year, self.slot)[1].value
