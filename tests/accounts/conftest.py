"""People who sign in, and signing them in through the real pages."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "an invented test password 42"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or a later step's)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def code_for_key(hex_key: str) -> str:
    totp = TOTP(bytes.fromhex(hex_key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def make_person(username: str = "attendance.lead", *, staff: bool = True, app: bool = True):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.invalid", PASSWORD, is_staff=staff, is_superuser=staff
    )
    if app:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def give_password(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def give_code(client: Client, code: str, **extra):
    return client.post("/sign-in/code/", {"code": code}, **extra)


def sign_in(client: Client, user) -> None:
    """Password, then the app's code, as a person would."""
    assert give_password(client, user.get_username()).url == "/sign-in/code/"
    response = give_code(client, code_for(TOTPDevice.objects.get(user=user, confirmed=True)))
    assert response.status_code == 302 and response.url == "/", response


@pytest.fixture
def person(db):
    return make_person()
