"""The lock on a username after repeated failures (issue "People, roles and trust").

Five wrong passwords or codes for one username within 15 minutes, from any address, lock that
username for 15 minutes from the fifth. Muster keeps its own small table rather than use
django-axes: the rule counts wrong codes alongside wrong passwords, only a complete sign-in
(password and code) clears the count, so a known password cannot be used to reset it between
guesses at the code; and each attempt is a row the audit log and the admin can show.
Attempts refused while locked are recorded but do not count, so the lock ends on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from muster.accounts.models import SignInAttempt

FAILURES_TO_LOCK = 5
WINDOW = dt.timedelta(minutes=15)
LOCK_PERIOD = dt.timedelta(minutes=15)
FAILURES = (SignInAttempt.Outcome.WRONG_PASSWORD, SignInAttempt.Outcome.WRONG_CODE)


@dataclass(frozen=True)
class Lock:
    until: dt.datetime

    def minutes_left(self, now: dt.datetime) -> int:
        return max(1, -(-int((self.until - now).total_seconds()) // 60))


def lock_key(username: str) -> str:
    """Usernames are counted case-folded, so `Admin` and `admin` share one count."""
    return username.strip().casefold()[:150]


def lock_on(username: str, now: dt.datetime) -> Lock | None:
    """The lock on this username at `now`, if any.

    Only failures since the last complete sign-in count. The newest five failures lock the
    username when they fall within WINDOW of each other; the lock lasts LOCK_PERIOD from the
    newest. No failure older than WINDOW + LOCK_PERIOD can matter, which bounds the query.
    """
    attempts = SignInAttempt.objects.filter(
        username=lock_key(username), at__gt=now - WINDOW - LOCK_PERIOD, at__lte=now
    )
    last_sign_in = (
        attempts.filter(outcome=SignInAttempt.Outcome.SIGNED_IN)
        .order_by("-at").values_list("at", flat=True).first()
    )
    failures = attempts.filter(outcome__in=FAILURES)
    if last_sign_in is not None:
        failures = failures.filter(at__gt=last_sign_in)
    newest = list(failures.order_by("-at").values_list("at", flat=True)[:FAILURES_TO_LOCK])
    if len(newest) < FAILURES_TO_LOCK or newest[0] - newest[-1] >= WINDOW:
        return None
    until = newest[0] + LOCK_PERIOD
    return Lock(until) if now < until else None
