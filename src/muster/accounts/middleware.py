"""Every page needs a verified sign-in; sessions end when idle or old; one extra header."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils import timezone

from muster.accounts import session_state
from muster.accounts.signals import SIGN_OUT_REASON

ENDED = {  # why, as the person is told and as the audit log records it
    "idle": ("you had not used Muster for {idle}", "Session ended after {idle} without activity"),
    "max_age": ("you signed in more than {max_age} ago", "Session ended {max_age} after sign-in"),
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb",
    )
)
"""Muster uses none of these browser features, so no page (nor anything it embeds) may."""


def is_verified(user) -> bool:
    """Signed in with password and code (django-otp's middleware adds `is_verified`)."""
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


class VerifiedSignInRequiredMiddleware(LoginRequiredMiddleware):
    """Like Django's LoginRequiredMiddleware, but a password alone is not enough.

    Views marked with Django's `login_not_required` (the sign-in pages) are open to everyone.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or is_verified(request.user):
            return None
        return self.handle_no_permission(request, view_func)


class SessionExpiryMiddleware:
    """Sign out a session idle for MUSTER_SESSION_IDLE, or older than MUSTER_SESSION_MAX_AGE.

    Checked on the server at each request, whatever the cookie says; each request by a
    signed-in person counts as activity.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = session_state.expiry(
                request.session, timezone.now(),
                idle=settings.MUSTER_SESSION_IDLE, max_age=settings.MUSTER_SESSION_MAX_AGE,
            )
            if ended:
                durations = {"idle": _duration(settings.MUSTER_SESSION_IDLE),
                             "max_age": _duration(settings.MUSTER_SESSION_MAX_AGE)}
                because, logged_as = (text.format(**durations) for text in ENDED[ended])
                setattr(request, SIGN_OUT_REASON, logged_as)
                auth.logout(request)
                messages.info(request, f"You were signed out because {because}. Sign in again.")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _duration(period) -> str:
    minutes = int(period.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minute" + ("s" if minutes != 1 else "")
