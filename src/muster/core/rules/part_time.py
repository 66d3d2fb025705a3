"""Part-time timetables (`C2`): dated, reviewed, time-limited, or flagged.

Sources: domain reference 1 (`C2`, leave for a compulsory-school-age pupil on a temporary
part-time timetable) and its rules table (C2 only for a temporary timetable); seed 004 line 150
(part-time timetables "not well planned, not tracked and/or not time-limited" are a common
failure). Issue 4: start, end and review dates are required; an open-ended or overdue one is
flagged. The review period is a dated parameter in `policies/national/part_time/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from muster.core.parameters import national

OPEN_ENDED = "open-ended"
NO_REVIEW = "no review date"
REVIEW_OVERDUE = "review overdue"
REVIEW_TOO_LATE = "review not time-limited"
PAST_END = "past its end date, not closed"


def review_within_weeks(on: dt.date) -> int:
    return int(national("part_time", "review_within_weeks").value_on(on))


@dataclass(frozen=True)
class Timetable:
    start: dt.date
    end: dt.date | None
    review_on: dt.date | None
    reviewed_on: dt.date | None = None
    closed_on: dt.date | None = None


def check_dates(start: dt.date, end: dt.date | None, review_on: dt.date | None) -> None:
    """Start, end and review dates are required, in order (issue 4, item 6)."""
    if end is None or review_on is None:
        raise ValueError("a part-time timetable needs its end date and its review date")
    if end < start:
        raise ValueError(f"the timetable ends ({end}) before it starts ({start})")
    if not start <= review_on <= end:
        raise ValueError(f"the review date {review_on} is not between the start {start} and the end {end}")


def flags(timetable: Timetable, on: dt.date) -> list[str]:
    """What is wrong with a timetable on `on`, in words; empty when it is in order.

    A closed timetable is not flagged. A review is overdue when its date has passed with no
    review recorded on or after it.
    """
    if timetable.closed_on is not None and timetable.closed_on <= on:
        return []
    found = []
    if timetable.end is None:
        found.append(OPEN_ENDED)
    if timetable.review_on is None:
        found.append(NO_REVIEW)
    else:
        reviewed = timetable.reviewed_on is not None and timetable.reviewed_on >= timetable.review_on
        if timetable.review_on < on and not reviewed:
            found.append(REVIEW_OVERDUE)
        if timetable.review_on > timetable.start + dt.timedelta(weeks=review_within_weeks(timetable.start)):
            found.append(REVIEW_TOO_LATE)
    if timetable.end is not None and timetable.end < on:
        found.append(PAST_END)
    return found


def untracked_days(c2_days: list[dt.date], timetables: list[Timetable]) -> list[dt.date]:
    """Days marked `C2` that no recorded timetable covers (seed 004 line 150: "not tracked").
    An open-ended timetable covers every day from its start; a closed one ends on its closing."""
    def covers(t: Timetable, day: dt.date) -> bool:
        ends = min(d for d in (t.end, t.closed_on) if d is not None) if (t.end or t.closed_on) else None
        return t.start <= day and (ends is None or day <= ends)

    return sorted({d for d in c2_days if not any(covers(t, d) for t in timetables)})
