"""Tokens for the open API (issue 9, "Open API": "tokens for people and for systems ...,
revocable, stored hashed"): no token, a wrong one or a revoked one is refused with 401."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from muster.api.actions import create_api_token, revoke_api_token
from muster.api.models import ApiToken
from muster.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks"
COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture
def person():
    return get_user_model().objects.create_user("api-person", password="x")


def test_a_call_without_a_token_is_refused_with_401(client):
    for path in (TASKS, "/api/v1/pupils/A123456789012/figures", "/api/v1/schools/100001/figures"):
        assert client.get(path).status_code == 401
    assert client.post("/api/v1/marks", data="{}", content_type="application/json").status_code == 401


def test_an_unknown_token_is_refused_with_401(client, person):
    create_api_token(user=person, name="real")
    assert client.get(TASKS, HTTP_AUTHORIZATION="Bearer mst_not-a-token").status_code == 401


def test_a_token_works_until_revoked_then_401(client, person):
    token, secret = create_api_token(user=person, name="mis")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answer = client.get(TASKS, **auth)
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "count": 0}  # no roles: no tasks
    token.refresh_from_db()
    assert token.last_used is not None
    revoke_api_token(token=token)
    assert client.get(TASKS, **auth).status_code == 401


def test_a_token_of_an_inactive_user_is_refused(client, person):
    _, secret = create_api_token(user=person, name="mis")
    person.is_active = False
    person.save()
    assert client.get(TASKS, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_only_the_secrets_sha256_is_stored(person):
    token, secret = create_api_token(user=person, name="mis")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in stored.values())
    assert not AuditEvent.objects.filter(summary__contains=secret).exists()
    assert len(secret) > 40  # 256 random bits after the prefix


def test_making_and_revoking_a_token_is_in_the_audit_log(person):
    token, _ = create_api_token(user=person, name="mis")
    revoke_api_token(token=token)
    kinds = list(AuditEvent.objects.filter(record_kind="api_token", record_id=str(token.pk))
                 .order_by("sequence").values_list("action", flat=True))
    assert kinds == ["create", "change"]


def test_the_served_schema_is_the_committed_one(client):
    """Regenerate with `muster api schema > docs/openapi.json`."""
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))
    assert served.json()["openapi"].startswith("3.")


def test_a_mark_missing_a_field_is_named_by_index_and_field(client, person):
    _, secret = create_api_token(user=person, name="mis")
    marks = [{"upn": "A123456789012", "school_urn": "100001", "date": "2026-11-30", "session": "AM", "mark": "/"},
             {"upn": "A123456789012", "school_urn": "100001", "date": "2026-11-30", "session": "PM"}]
    answer = client.post("/api/v1/marks", data=json.dumps({"client_batch_id": "x", "marks": marks}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 422
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(1, "mark")]


def test_calls_beyond_the_rate_limit_are_refused_with_429(client, person, settings):
    settings.MUSTER_API_RATE = "2/m"  # the default for tokens with no rate of their own
    _, secret = create_api_token(user=person, name="busy")
    codes = [client.get(TASKS, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    _, other = create_api_token(user=person, name="another")
    assert client.get(TASKS, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
