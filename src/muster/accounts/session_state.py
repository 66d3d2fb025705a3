"""What the session holds about signing in: a sign-in half done, and when a session began.

Between the password and the code the person is not signed in: the session holds only who
gave the right password, when, where to go afterwards and, while setting up an app, the new key.
Django's session is kept on the server, so none of this reaches the browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

PENDING = "muster.sign_in.pending"
SIGNED_IN_AT = "muster.sign_in.at"
LAST_SEEN = "muster.sign_in.last_seen"

PENDING_FOR = dt.timedelta(minutes=10)
"""How long the code may take after the password: long enough to find a phone and set up an app."""


@dataclass
class Pending:
    user_id: int
    backend: str
    since: float
    next_url: str
    new_key: str = ""

    def expired(self, now: dt.datetime) -> bool:
        return now.timestamp() - self.since > PENDING_FOR.total_seconds()


def begin(session: SessionBase, *, user, backend: str, next_url: str, now: dt.datetime) -> None:
    session.cycle_key()  # a new session key once the password is right
    session[PENDING] = Pending(user.pk, backend, now.timestamp(), next_url).__dict__


def pending(session: SessionBase) -> Pending | None:
    data = session.get(PENDING)
    return Pending(**data) if data else None


def keep_new_key(session: SessionBase, key: str) -> None:
    session[PENDING] = {**session[PENDING], "new_key": key}


def end_pending(session: SessionBase) -> None:
    session.pop(PENDING, None)


def start(session: SessionBase, now: dt.datetime) -> None:
    session[SIGNED_IN_AT] = now.timestamp()
    session[LAST_SEEN] = now.timestamp()


def expiry(
    session: SessionBase, now: dt.datetime, *, idle: dt.timedelta, max_age: dt.timedelta
) -> str | None:
    """Why this signed-in session has ended ("idle" or "max_age"), or None if it goes on.

    A session without times (signed in some other way, as tests do with `force_login`) starts
    its clocks now.
    """
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        start(session, now)
        return None
    if now.timestamp() - signed_in_at >= max_age.total_seconds():
        return "max_age"
    if now.timestamp() - last_seen >= idle.total_seconds():
        return "idle"
    session[LAST_SEEN] = now.timestamp()
    return None
