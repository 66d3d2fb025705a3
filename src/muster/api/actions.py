"""Making and revoking API tokens and integration accounts: called by the CLI and the tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from muster.api.models import ApiToken, IntegrationAccount
from muster.audit.log import record_event
from muster.core.roles import Role
from muster.people.actions import assign_role
from muster.people.models import Organisation

TOKEN_PREFIX = "mst_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, user, name: str, created_by=None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is not stored and cannot be shown again."""
    if not user.is_active:
        raise ValueError(f"{user.username} is not active")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip()[:100], user=user, prefix=secret[:12], secret_sha256=secret_hash(secret)
        )
        record_event(user=created_by, action="create", record_kind="api_token", record_id=token.pk,
                     summary=f"API token {token.pk} '{token.name}' made for {user.username}",
                     source="muster api")
    return token, secret


def revoke_api_token(*, token: ApiToken, revoked_by=None) -> ApiToken:
    """Stop a token working from now on; revoking twice changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(user=revoked_by, action="change", record_kind="api_token", record_id=token.pk,
                         summary=f"API token {token.pk} '{token.name}' of {token.user.username} revoked",
                         source="muster api")
    return token


def set_token_rate(*, token: ApiToken, per_minute: int | None, changed_by=None) -> ApiToken:
    """The calls a minute this token may make (None: the default, settings.MUSTER_API_RATE)."""
    if per_minute is not None and per_minute < 1:
        raise ValueError("a rate is at least 1 call a minute")
    with transaction.atomic():
        token.rate_per_minute = per_minute
        token.save(update_fields=["rate_per_minute"])
        record_event(user=changed_by, action="change", record_kind="api_token", record_id=token.pk,
                     summary=f"API token {token.pk} rate set to {per_minute or 'the default'} a minute",
                     source="muster api")
    return token


def create_integration_account(
    *, username: str, organisation: Organisation, description: str, starts: dt.date,
    role: Role = Role.ATTENDANCE_LEAD,
) -> IntegrationAccount:
    """A system account for a school's MIS: no password (it signs in only by token), holding an
    existing role at the school, so it reaches exactly that school's pupils and registers."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username)
        user.set_unusable_password()
        user.save()
        account = IntegrationAccount.objects.create(user=user, description=description[:200])
        assign_role(user=user, role=role, organisation=organisation, starts=starts)
        record_event(user=None, action="create", record_kind="accounts", record_id=user.pk,
                     summary=f"integration account {username} for {organisation} as {Role(role).value}",
                     source="muster api")
    return account
