"""When a child entered care: the start of the continuous period of care that holds a day, from
the SSDA903 episodes (a new episode starts at each change of legal status or placement, so a
period of care is a chain of episodes each starting the day the one before ended; interop.md
2.1). The Virtual School's single school shows attendance before and since that day (issue 5,
item 1, "trend since entering care")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def care_period_start(episodes: Iterable[tuple[dt.date, dt.date | None]], on: dt.date) -> dt.date | None:
    """The first day of the period of care in force on `on`, or None when no episode holds it.

    >>> d = dt.date
    >>> care_period_start([(d(2025, 3, 1), d(2025, 6, 1)), (d(2025, 6, 1), None)], d(2026, 1, 5))
    datetime.date(2025, 3, 1)
    >>> care_period_start([(d(2024, 1, 1), d(2024, 5, 1)), (d(2025, 6, 1), None)], d(2026, 1, 5))
    datetime.date(2025, 6, 1)
    >>> care_period_start([(d(2024, 1, 1), d(2024, 5, 1))], d(2026, 1, 5)) is None
    True
    """
    ordered = sorted(episodes, key=lambda e: e[0])
    current = next((i for i in range(len(ordered) - 1, -1, -1)
                    if ordered[i][0] <= on and (ordered[i][1] is None or ordered[i][1] >= on)), None)
    if current is None:
        return None
    start = ordered[current][0]
    for earlier_start, earlier_end in reversed(ordered[:current]):
        if earlier_end is None or earlier_end >= start - dt.timedelta(days=1):
            start = min(start, earlier_start)
        else:
            break
    return start
