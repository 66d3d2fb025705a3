"""Authenticator apps for the demo's invented accounts, and their codes without a phone.

Every demo account gets a device with one shared, freshly random key, printed by `muster demo`:
one entry in an authenticator app signs in as any of them. Demo accounts are in the
DEMO_GROUP group; `muster demo-code` prints the current code only for them, and only while
MUSTER_DEBUG is on, so it can never read a real person's code on a real deployment.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from muster.accounts import authenticator

DEMO_GROUP = "Demo accounts (invented people)"
DEVICE_NAME = "Demo authenticator (key printed by muster demo)"


class DemoCodeRefused(Exception):
    pass


def give_demo_authenticator(usernames: Iterable[str]) -> str:
    """Mark these accounts as the demo's and give each an app with one new key; return the key
    as an app's setup screen wants it."""
    hex_key = authenticator.new_key()
    group, _ = Group.objects.get_or_create(name=DEMO_GROUP)
    for user in get_user_model().objects.filter(username__in=list(usernames)):
        user.groups.add(group)
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=hex_key, step=authenticator.STEP_SECONDS,
            digits=authenticator.DIGITS, tolerance=authenticator.TOLERANCE_STEPS, confirmed=True,
        )
    return authenticator.base32_key(hex_key)


def demo_code(username: str) -> tuple[str, int]:
    """The code a demo account's app would show now, and seconds until it changes."""
    if not settings.DEBUG:
        raise DemoCodeRefused(
            "demo-code works only while MUSTER_DEBUG=true: it is for the demo, never a real server"
        )
    user = get_user_model().objects.filter(username=username, groups__name=DEMO_GROUP).first()
    if user is None:
        raise DemoCodeRefused(
            f"{username!r} is not a demo account: demo-code only gives codes for accounts made "
            "by `muster demo`"
        )
    device = authenticator.confirmed_device(user)
    if device is None:
        raise DemoCodeRefused(f"{username!r} has no authenticator app: run `muster demo` again")
    return authenticator.current_code(device)
