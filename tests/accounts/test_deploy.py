"""With the production environment, Django's deployment check finds nothing, and the HTTPS
settings follow MUSTER_HTTPS and MUSTER_TLS_PROXY (issue "People, roles and trust";
STYLE.md: one settings.py driven by the environment).

Each case runs in a new process, since settings are read from the environment at start-up.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

MUSTER = Path(sys.executable).parent / "muster"
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_AGE", "SILENCED_SYSTEM_CHECKS")}, default=str))
"""


def environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The production environment of README's Configuration, changed by `variables`."""
    # Nothing of the test run's own set-up (pytest-env's MUSTER_*, the browser tests' DJANGO_*).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MUSTER_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="muster.settings",
        MUSTER_DEBUG="false",
        MUSTER_SECRET_KEY=secrets.token_urlsafe(64),
        MUSTER_ALLOWED_HOSTS="muster.example.org",
        MUSTER_HTTPS="true",
        MUSTER_DATA_DIR=str(tmp_path),
    )
    env.update(variables)
    return env


def settings_with(tmp_path: Path, **variables: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SHOW_SETTINGS], env=environment(tmp_path, **variables),
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [MUSTER, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_use_https_secure_cookies_and_hsts(tmp_path):
    production = settings_with(tmp_path)
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not production["SECURE_HSTS_PRELOAD"]
    assert production["SECURE_PROXY_SSL_HEADER"] is None  # no proxy header trusted unless asked


def test_https_is_on_by_default_when_debug_is_off(tmp_path):
    env = environment(tmp_path)
    del env["MUSTER_HTTPS"]
    out = subprocess.run([sys.executable, "-c", SHOW_SETTINGS], env=env, capture_output=True,
                         text=True, check=True, timeout=120)
    assert json.loads(out.stdout)["SECURE_SSL_REDIRECT"] is True


def test_the_demo_runs_on_plain_http(tmp_path):
    demo = settings_with(tmp_path, MUSTER_DEBUG="true", MUSTER_HTTPS="")
    assert not demo["SESSION_COOKIE_SECURE"] and not demo["SECURE_SSL_REDIRECT"]
    assert demo["SECURE_HSTS_SECONDS"] == 0


def test_a_tls_proxy_header_is_trusted_only_when_configured(tmp_path):
    proxied = settings_with(tmp_path, MUSTER_TLS_PROXY="true")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_preload_can_be_asked_for_and_then_the_check_is_not_silenced(tmp_path):
    preloaded = settings_with(tmp_path, MUSTER_HSTS_PRELOAD="true")
    assert preloaded["SECURE_HSTS_PRELOAD"] is True and preloaded["SILENCED_SYSTEM_CHECKS"] == []


def test_session_limits_come_from_the_environment(tmp_path):
    assert settings_with(tmp_path)["SESSION_COOKIE_AGE"] == 10 * 3600
    assert settings_with(tmp_path, MUSTER_SESSION_MAX_HOURS="8")["SESSION_COOKIE_AGE"] == 8 * 3600


@pytest.mark.parametrize("variable,value", [
    ("MUSTER_HTTPS", "maybe"),
    ("MUSTER_TLS_PROXY", "yes please"),
    ("MUSTER_SESSION_IDLE_MINUTES", "half an hour"),
    ("MUSTER_SESSION_MAX_HOURS", "0"),
])
def test_a_bad_value_is_an_error(tmp_path, variable, value):
    result = subprocess.run([sys.executable, "-c", SHOW_SETTINGS],
                            env=environment(tmp_path, **{variable: value}),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"{variable}={value!r}" in result.stderr
