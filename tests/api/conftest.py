"""Helpers for the API tests: a token for a user, and calls carrying it."""

from __future__ import annotations

import json

import pytest

from muster.api.actions import create_api_token


class Caller:
    """A test client that sends one token's secret as a bearer token."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    def _auth(self, headers: dict) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}", **headers}

    def get(self, path: str, **headers):
        return self.client.get(path, **self._auth(headers))

    def post(self, path: str, body: dict, **headers):
        return self.client.post(path, data=json.dumps(body), content_type="application/json",
                                **self._auth(headers))


@pytest.fixture
def caller(client):
    def make(user, name: str = "tests") -> Caller:
        _, secret = create_api_token(user=user, name=name)
        return Caller(client, secret)

    return make
