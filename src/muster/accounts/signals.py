"""Every sign-out is recorded, whichever page or rule ended the session."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from muster.accounts.audit_trail import record_sign_in_event

SIGN_OUT_REASON = "_muster_sign_out_reason"
"""Set on the request by whatever ends a session other than the person signing out."""


@receiver(user_logged_out, dispatch_uid="muster.accounts.record_sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    reason = getattr(request, SIGN_OUT_REASON, "Signed out")
    record_sign_in_event(request, user=user, action="sign_out", summary=reason)
