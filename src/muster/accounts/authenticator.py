"""Authenticator apps: the secret key, its QR code, and checking a first code.

Codes are TOTP (RFC 6238: 6 digits, a new one every 30 seconds, SHA-1), what every common
authenticator app makes. A key is made fresh for each attempt to set up an app and kept in the
server-side session until a code from it is confirmed; only then is it saved as the user's
`TOTPDevice`, so a half-finished set-up leaves no key behind for anyone else to use.
"""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

DEVICE_NAME = "Authenticator app"
STEP_SECONDS = 30
DIGITS = 6
TOLERANCE_STEPS = 1
"""A code from the step before or after is accepted too: phones' clocks drift and people type."""


def new_key() -> str:
    """A new secret: 20 random bytes (160 bits, as RFC 4226 recommends), hex-encoded."""
    return random_hex(20)


def base32_key(hex_key: str) -> str:
    """The key as an app's "enter a setup key" screen wants it, in groups of four."""
    text = b32encode(unhexlify(hex_key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def setup_uri(hex_key: str, username: str) -> str:
    """The otpauth:// address the QR code holds (the Key Uri Format most apps read)."""
    issuer = settings.OTP_TOTP_ISSUER
    params = urlencode({
        "secret": base32_key(hex_key).replace(" ", ""), "issuer": issuer, "algorithm": "SHA1",
        "digits": DIGITS, "period": STEP_SECONDS,
    })
    return f"otpauth://totp/{quote(f'{issuer}:{username}')}?{params}"


def qr_code_svg(hex_key: str, username: str) -> SafeString:
    """The QR code as inline SVG: drawn on the server, so the page needs no script or image."""
    qr = segno.make(setup_uri(hex_key, username), error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#0b0c0c", light="#ffffff",
                        title="QR code for your authenticator app", svgclass="qr-code")
    return mark_safe(svg)  # noqa: S308 - segno's own SVG; the key and username are escaped in it


def device_if_code_matches(user, hex_key: str, code: str) -> TOTPDevice | None:
    """An unsaved device for `user` with this new key if `code` is right for it, else None.

    The device remembers the step of the code (so it cannot be used again) and the phone's
    drift, as `TOTPDevice.verify_token` does for later codes.
    """
    totp = TOTP(unhexlify(hex_key), STEP_SECONDS, 0, DIGITS, 0)
    totp.time = time.time()
    if not totp.verify(int(code), TOLERANCE_STEPS):
        return None
    return TOTPDevice(
        user=user, name=DEVICE_NAME, key=hex_key, step=STEP_SECONDS, digits=DIGITS,
        tolerance=TOLERANCE_STEPS, drift=totp.drift, last_t=totp.t(), confirmed=True,
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def current_code(device: TOTPDevice) -> tuple[str, int]:
    """The code the app shows now and the seconds until the next one (for the demo only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    seconds_left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", seconds_left
