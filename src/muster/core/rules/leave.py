"""Leave of absence: the request, the headteacher's decision and the marks that follow.

Sources: seed 002 lines 195-203 (no term-time leave unless there are "exceptional
circumstances"; only the headteacher decides; applications in writing and in advance; the
principles: "rare, significant, unavoidable and short"); domain reference 1 (`C` leave granted
for exceptional circumstances, `G` holiday not granted). The principles and the two codes are
dated parameters in `policies/national/leave/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from muster.core.parameters import national
from muster.core.slots import Session


def principles(on: dt.date) -> tuple[str, ...]:
    return tuple(national("leave", "exceptional_principles").value_on(on))


def approved_code(on: dt.date) -> str:
    return str(national("leave", "codes").value_on(on)[0])


def refused_code(on: dt.date) -> str:
    return str(national("leave", "codes").value_on(on)[1])


@dataclass(frozen=True)
class Decision:
    approved: bool
    unmet: tuple[str, ...]
    """The principles the headteacher found not met."""


def check_request(
    *, first: dt.date, first_session: Session, last: dt.date, last_session: Session,
    received_on: dt.date, in_writing: bool,
) -> None:
    """A request must be written, made in advance and its dates in order (seed 002 line 197)."""
    if not in_writing:
        raise ValueError("a leave request must be made in writing (seed 002 line 197)")
    if (last, last_session.offset) < (first, first_session.offset):
        raise ValueError(f"the leave ends ({last} {last_session.value}) before it starts ({first} {first_session.value})")
    if received_on > first:
        raise ValueError(f"the request was received on {received_on}, after the leave starts on {first}: "
                         "requests are made in advance (seed 002 line 197)")


def decide(
    *, approve: bool, answers: Mapping[str, bool], reasons: str, on: dt.date
) -> Decision:
    """The headteacher's decision against the exceptional-circumstances test.

    Every principle must be answered and the reasons written; leave may be granted only when
    every principle is met. A refusal is always possible.
    """
    wanted = principles(on)
    missing = [p for p in wanted if p not in answers]
    unknown = [p for p in answers if p not in wanted]
    if missing or unknown:
        raise ValueError(
            "answer each principle of exceptional circumstances: " + ", ".join(wanted)
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (not a principle: {', '.join(unknown)})" if unknown else "")
        )
    if not reasons.strip():
        raise ValueError("the decision needs its reasons in writing")
    unmet = tuple(p for p in wanted if not answers[p])
    if approve and unmet:
        raise ValueError(f"leave cannot be granted: not {', '.join(unmet)} (seed 002 line 203)")
    return Decision(approved=approve, unmet=unmet)


def sessions_between(
    first: dt.date, first_session: Session, last: dt.date, last_session: Session,
    is_open,
) -> list[tuple[dt.date, Session]]:
    """The open sessions of the leave, in order; `is_open(day, session)` is the school's calendar."""
    found = []
    day = first
    while day <= last:
        for session in (Session.AM, Session.PM):
            if (day, session.offset) < (first, first_session.offset):
                continue
            if (day, session.offset) > (last, last_session.offset):
                continue
            if is_open(day, session):
                found.append((day, session))
        day += dt.timedelta(days=1)
    return found


def replaceable_for_leave(existing: str | None, code: str, absence_codes: Iterable[str]) -> bool:
    """May the leave code go on a session that has `existing`? Only over no mark or a mark that
    says the pupil was absent with no reason yet (N, O) or the other leave code: a present or
    otherwise explained session is never overwritten."""
    return existing is None or existing == code or existing in set(absence_codes)
