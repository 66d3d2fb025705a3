from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignInAttempt(models.Model):
    """One step of one sign-in, kept to lock a username after repeated failures.

    Rows are kept per username as typed (case-folded), whether or not such a user exists, so the
    lock and its message cannot tell anyone which usernames are real.
    """

    class Outcome(models.TextChoices):
        PASSWORD_ACCEPTED = "password_accepted", "Password accepted; code still needed"
        WRONG_PASSWORD = "wrong_password", "Wrong username or password"
        WRONG_CODE = "wrong_code", "Wrong code"
        SIGNED_IN = "signed_in", "Signed in"
        REFUSED_LOCKED = "refused_locked", "Refused: username locked"

    username = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sign_in_attempts",
    )
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display().lower()} at {self.at:%Y-%m-%d %H:%M:%S}"
