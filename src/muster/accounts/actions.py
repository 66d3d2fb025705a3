"""The steps of signing in, each recorded: one function per step, called by the views.

Every step first asks `lockout.lock_on` and refuses a locked username without checking
anything, so a locked username cannot be used to test passwords or codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import auth
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.accounts import authenticator, session_state
from muster.accounts.audit_trail import address_of, record_sign_in_event
from muster.accounts.lockout import Lock, lock_key, lock_on
from muster.accounts.models import SignInAttempt

Outcome = SignInAttempt.Outcome


@dataclass(frozen=True)
class Refused:
    """A step that failed: `lock` is set when the username is now locked."""

    lock: Lock | None = None


def check_password(
    request: HttpRequest, *, username: str, password: str
) -> AbstractBaseUser | Refused:
    """The first step: the user if the password is right (the code is still to come)."""
    refused = _refuse_if_locked(request, username)
    if refused is not None:
        return refused
    user = auth.authenticate(request, username=username, password=password)
    if user is None:
        return _failed(request, username, None, Outcome.WRONG_PASSWORD, "wrong username or password")
    _record(request, username, user, Outcome.PASSWORD_ACCEPTED)
    return user


def check_code(request: HttpRequest, *, user, code: str) -> TOTPDevice | Refused:
    """The second step for a user with an authenticator app: the device that made `code`."""
    username = user.get_username()
    refused = _refuse_if_locked(request, username, user)
    if refused is not None:
        return refused
    with transaction.atomic():
        device = authenticator.confirmed_device(user)
        if device is not None:
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device is None or not device.verify_token(code):
            return _failed(request, username, user, Outcome.WRONG_CODE, "wrong code")
    return device


def set_up_app(request: HttpRequest, *, user, hex_key: str, code: str) -> TOTPDevice | Refused:
    """The second step for a user without an app: save the new key once a code from it is right.

    A user who has meanwhile confirmed another app (in another browser) must use that one.
    """
    username = user.get_username()
    refused = _refuse_if_locked(request, username, user)
    if refused is not None:
        return refused
    device = authenticator.device_if_code_matches(user, hex_key, code)
    if device is None:
        return _failed(request, username, user, Outcome.WRONG_CODE, "wrong code setting up an app")
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()  # one set-up at a time
        if authenticator.confirmed_device(user) is not None:
            return _failed(request, username, user, Outcome.WRONG_CODE, "an app was already set up")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device.save()
    return device


def complete_sign_in(request: HttpRequest, *, user, device: TOTPDevice, backend: str) -> None:
    """Password and code are both right: start a verified session (a new session key)."""
    auth.login(request, user, backend=backend)
    otp_login(request, device)
    session_state.end_pending(request.session)
    session_state.start(request.session, timezone.now())
    _record(request, user.get_username(), user, Outcome.SIGNED_IN)
    record_sign_in_event(request, user=user, action="sign_in", summary="Signed in with password and code")


def sign_out(request: HttpRequest) -> None:
    """End the session (the sign-out is recorded by `signals`, as the admin's is)."""
    auth.logout(request)


def _refuse_if_locked(request: HttpRequest, username: str, user=None) -> Refused | None:
    lock = lock_on(username, timezone.now())
    if lock is None:
        return None
    _record(request, username, user, Outcome.REFUSED_LOCKED)
    record_sign_in_event(request, user=user, action="sign_in_failed",
                         summary=f"Refused: {lock_key(username)!r} is locked after repeated failures")
    return Refused(lock)


def _failed(request: HttpRequest, username: str, user, outcome: str, why: str) -> Refused:
    _record(request, username, user, outcome)
    record_sign_in_event(request, user=user, action="sign_in_failed",
                         summary=f"Sign-in failed for {lock_key(username)!r}: {why}")
    return Refused(lock_on(username, timezone.now()))


def _record(request: HttpRequest, username: str, user, outcome: str) -> None:
    SignInAttempt.objects.create(
        username=lock_key(username), user=user, outcome=outcome, at=timezone.now(),
        address=address_of(request),
    )
