"""Audit entries, the head of their chain, and the checkpoints retention leaves behind.

Entries are append-only: the models refuse to save an existing row or delete one, querysets
refuse bulk updates and deletes, and database triggers (`muster.audit.triggers`) refuse UPDATE
and DELETE from any client, except DELETE of entries a checkpoint has already covered, the one
path retention takes (`muster.audit.retention`). Who did something is kept as text, never a
foreign key, so the entry outlives the user and the pupil it names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from muster.audit import chain


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    ANONYMISE = "anonymise", "Anonymised"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in refused"
    SIGN_OUT = "sign_out", "Signed out"
    VERIFY = "verify", "Verified the audit chain"
    PRUNE = "prune", "Removed entries past retention"


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk writes that would bypass `record_event` and the model's refusals."""

    def update(self, **kwargs):
        raise ValidationError("the audit log is append-only")

    def delete(self):
        raise ValidationError("the audit log is append-only")

    def bulk_create(self, *args, **kwargs):
        raise ValidationError("audit entries are written one at a time by record_event")


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(f"{self._meta.verbose_name} is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.verbose_name} is append-only")


CHAINED_FIELDS = (
    "sequence", "occurred_at", "user_id", "username", "action", "record_kind", "record_id",
    "pupil_id", "summary", "purpose", "source", "before", "after", "previous_hash",
)
"""Every field but the hash itself: all of them go into it."""


class AuditEvent(AppendOnly):
    sequence = models.BigIntegerField(primary_key=True, help_text="1, 2, 3, ... with no gaps.")
    occurred_at = models.DateTimeField("when", db_index=True)
    user_id = models.CharField(max_length=64, blank=True, help_text="Blank for the system.")
    username = models.CharField("who", max_length=150, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    record_kind = models.CharField(max_length=32, help_text="pupil, register, figures, audit, user ...")
    record_id = models.CharField(max_length=100, blank=True)
    pupil_id = models.BigIntegerField(
        null=True, blank=True, db_index=True,
        help_text="The child the record belongs to; a number, not a link, so it outlives the record.",
    )
    summary = models.CharField(max_length=300, blank=True)
    purpose = models.TextField(blank=True, help_text="Why, where the page asks.")
    source = models.CharField(
        "from", max_length=100, blank=True,
        help_text="The client's IP address, or the command that ran outside the web.",
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        ordering = ["-sequence"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_from_1")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.username} {self.action} {self.record_kind} {self.record_id}".rstrip()

    def chained_fields(self) -> dict[str, Any]:
        fields = {name: getattr(self, name) for name in CHAINED_FIELDS}
        fields["occurred_at"] = chain.timestamp(self.occurred_at)
        return fields

    def computed_hash(self) -> str:
        return chain.entry_hash(self.chained_fields())


class AuditHead(models.Model):
    """The last entry's sequence and hash, in one row that every writer locks first, so two
    writers can never both chain to the same entry (the chain never forks)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_one_head")]


class AuditCheckpoint(AppendOnly):
    """Where the chain starts after retention removed older entries: the sequence and hash of the
    last entry removed. Verification starts from the latest checkpoint; the triggers let DELETE
    remove only entries a checkpoint covers."""

    last_sequence = models.BigIntegerField(unique=True)
    last_hash = models.CharField(max_length=64)
    last_occurred_at = models.DateTimeField()
    older_than = models.DateTimeField(help_text="Entries before this had passed retention.")
    removed = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-last_sequence"]

    def __str__(self) -> str:
        return f"checkpoint after #{self.last_sequence}"
