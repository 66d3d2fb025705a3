"""Sign-ins, failed sign-ins and sign-outs, for the audit log when it is installed.

`muster.audit` is built separately and may be left out of INSTALLED_APPS; without it these
events are kept only as `SignInAttempt` rows (and sign-outs not at all).
"""

from __future__ import annotations

import ipaddress

from django.apps import apps
from django.contrib.auth.models import AnonymousUser


def record_sign_in_event(request, *, user, action: str, summary: str) -> None:
    """Record "sign_in", "sign_in_failed" or "sign_out" about `user`, or about nobody known
    when no account matched (a wrong username), from the request's address."""
    if not apps.is_installed("muster.audit"):
        return
    from muster.audit.log import record_event

    record_event(
        user=user if user is not None else AnonymousUser(), action=action, record_kind="user",
        record_id=user.pk if user is not None else None, summary=summary,
        source=address_of(request) if request is not None else None,
    )


def address_of(request) -> str | None:
    """The address a request came from, as the audit log takes it (behind trusted proxies, the
    address the outermost saw), or None if that is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    if apps.is_installed("muster.audit"):
        from muster.audit.log import client_address

        address = client_address(request)
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None
