"""API tokens (stored only as a SHA-256 hash) and the receipts that make pushed batches idempotent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token acting as its user, with exactly that user's reach (muster.people.access).

    The secret is shown once when made; only its SHA-256 hash is kept (the secret is 256 random
    bits, so a plain hash is as strong as a slow one and lets each request find its token)."""

    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'MIS nightly push'.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, help_text="The secret's first characters, to tell tokens apart.")
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calls a minute this token may make; blank for the default "
        "(settings.MUSTER_API_RATE). Beyond it the API answers 429.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user}, {self.prefix}…)"


class IntegrationAccount(models.Model):
    """A system account (an MIS pushing a school's marks): a user with no password who signs in
    only by token and holds an existing role at its school, so it is scoped like staff."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="integration_account")
    description = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.description})"


class MarksReceipt(models.Model):
    """The answer given to a pushed batch (of marks, or of pupils), kept so the same client batch id with the
    same body gets the same answer and changes nothing the second time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, default="marks", help_text="marks, or pupils (with enrolments).")
    client_batch_id = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    answer = models.JSONField()
    mark_batch = models.ForeignKey("registers.MarkBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "client_batch_id"], name="api_batch_receipt_once"),
        ]
