"""Writing to the audit log: the one function every page, action and command calls.

Issue "People, roles and trust": every view of a child's record, every export and every change
(before and after) is recorded with who, when, from where and, where the page asks, for what
purpose. Writers take the head of the chain under a row lock (SQLite's IMMEDIATE transactions
serialise them the same way, see settings), so two entries can never chain to the same one.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from muster.audit import chain
from muster.audit.models import Action, AuditCheckpoint, AuditEvent, AuditHead

SYSTEM = "system"
"""Who did it when no person did: commands, scheduled work."""
ANONYMOUS = "anonymous"
"""Who did it when a web request came from nobody signed in."""


def record_event(
    *,
    user,
    action: Action | str,
    record_kind: str,
    record_id: Any = None,
    pupil_id: int | None = None,
    summary: str = "",
    purpose: str = "",
    source: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one entry, chained to the last.

    Call it inside the transaction that makes a change, so the change and its entry are kept or
    lost together, and as late in it as you can: the head of the chain stays locked until that
    transaction ends, and every other writer of the log waits for it.
    """
    action = Action(action)
    if not record_kind:
        raise ValueError("an audit entry needs the kind of record it is about")
    user_id, username = identify(user)
    with transaction.atomic():
        head = lock_head()
        event = AuditEvent(
            sequence=head.sequence + 1,
            occurred_at=timezone.now(),
            user_id=user_id,
            username=username,
            action=action.value,
            record_kind=_text(record_kind, 32),
            record_id=_text("" if record_id is None else record_id, 100),
            pupil_id=None if pupil_id is None else int(pupil_id),
            summary=_text(summary, 300),
            purpose=_text(purpose),
            source=_source(source),
            before=chain.stored_json(before),
            after=chain.stored_json(after),
            previous_hash=head.hash,
        )
        event.hash = event.computed_hash()
        event.save()
        AuditHead.objects.filter(pk=head.pk).update(sequence=event.sequence, hash=event.hash)
    return event


def record_request_event(request, **kwargs) -> AuditEvent:
    """`record_event` for a web request: who is the signed-in user, from where their address."""
    kwargs.setdefault("user", getattr(request, "user", None) or AnonymousUser())
    kwargs.setdefault("source", client_address(request))
    return record_event(**kwargs)


def client_address(request) -> str:
    """The address the request came from.

    REMOTE_ADDR, unless `MUSTER_TRUSTED_PROXIES` says how many proxies in front of Muster each
    append the address they saw to X-Forwarded-For; then the entry the outermost of them wrote.
    Entries further left are whatever the client chose to send, so they are never believed.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "MUSTER_TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address


def identify(user) -> tuple[str, str]:
    """The user's id and username as text, kept even after the account is deleted."""
    if user is None:
        return "", SYSTEM
    if not user.is_authenticated:
        return "", ANONYMOUS
    return str(user.pk), user.get_username()


def lock_head() -> AuditHead:
    """The head of the chain, locked until the caller's transaction ends."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First entry ever, or the database was flushed: start from whatever the chain holds.
        sequence, last_hash = _end_of_chain()
        AuditHead.objects.get_or_create(pk=1, defaults={"sequence": sequence, "hash": last_hash})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _end_of_chain() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    if last is None:
        last = AuditCheckpoint.objects.values_list("last_sequence", "last_hash").first()
    return last or (0, chain.GENESIS)


def _text(value: Any, max_length: int | None = None) -> str:
    """Text as both databases store it: PostgreSQL refuses NUL, and its varchar its length."""
    text = str(value).replace("\x00", "\ufffd")
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def _source(source: str | None) -> str:
    if not source:
        return ""
    try:
        return str(ipaddress.ip_address(source.strip()))
    except ValueError:
        return _text(source.strip(), 100)
