"""When a move between bands changes a pupil's casework: hysteresis at the band edges.

A pupil's band is recorded on the day, from year-to-date figures (the DfE definition, domain
reference 3.3). Near an edge those figures cross it with each absence and each few days present,
and if every crossing ended the open tasks and made new ones, an attendance officer would see a
stream of superseded and new tasks for one child. So the casework (not the band history) follows
three rules, their figures dated in `policies/national/casework/`:

- a move to a worse band acts the same day (seed 004 line 154: "A lack of urgency about when to
  intervene or challenge" is a common problem);
- a move to a better band replaces the open tasks only once the pupil has stayed on the better
  side for `better_band_after_school_days` (`improvement_held`);
- a return to a band within `return_within_school_days` of the last day in it continues the same
  run, so its tasks are reopened rather than made again (seed 004 line 194: a "start again
  approach" is a barrier to effective plans) (`continues_run`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from muster.core.calendar import SchoolCalendar
from muster.core.policy.evaluate import beyond
from muster.core.policy.format import Band, Quantity


def better_than(band: Band, quantity: Quantity, *, attended: int, possible: int) -> bool:
    """Whether the pupil's figure lies beyond the band's better edge: above it for an attendance
    percentage, below it for an absence percentage. Compared exactly (reference 0).

    >>> from fractions import Fraction
    >>> from muster.core.policy.format import Edge
    >>> poor = Band("poor", "Poor", Edge(Fraction(90), True), Edge(Fraction(95), False), "seed 001")
    >>> better_than(poor, Quantity.ATTENDANCE_PERCENT, attended=95, possible=100)
    True
    >>> better_than(poor, Quantity.ATTENDANCE_PERCENT, attended=89, possible=100)
    False
    >>> at_risk = Band("6_10", "6-10% absence", Edge(Fraction(6), False), Edge(Fraction(10), True), "seed 003")
    >>> better_than(at_risk, Quantity.ABSENCE_PERCENT, attended=88, possible=100)
    False
    >>> better_than(at_risk, Quantity.ABSENCE_PERCENT, attended=94, possible=100)
    True
    """
    if possible <= 0:
        return False
    if quantity is Quantity.ATTENDANCE_PERCENT:  # better is above the upper edge
        edge = band.upper
        return edge.value is not None and not beyond(attended, possible, edge.value, edge.inclusive, above=False)
    edge = band.lower  # better is below the lower edge of absence
    return not beyond(possible - attended, possible, edge.value, edge.inclusive, above=True)


def school_days_between(calendar: SchoolCalendar, after: dt.date, through: dt.date) -> int:
    """School days (days with an open session) after `after` up to and including `through`.
    A school with no term entered for those years counts weekdays, as task due dates do.

    >>> from muster.core.calendar import CalendarEntry
    >>> term = SchoolCalendar.build([CalendarEntry(dt.date(2025, 9, 1), dt.date(2025, 10, 24), "term")])
    >>> school_days_between(term, dt.date(2025, 10, 17), dt.date(2025, 11, 3))  # half term
    5
    >>> school_days_between(SchoolCalendar.build([]), dt.date(2025, 10, 17), dt.date(2025, 11, 3))
    11
    """
    if through <= after:
        return 0
    if not calendar.has_term(after, through):
        return int(np.busday_count(after + dt.timedelta(days=1), through + dt.timedelta(days=1)))
    return calendar.school_days_between(after, through)


def improvement_held(school_days_better: int, hold: int) -> bool:
    """A move to a better band replaces the open tasks on the `hold`-th school day the pupil has
    been on the better side (counting the day of the move)."""
    return school_days_better >= hold


def continues_run(school_days_away: int, within: int) -> bool:
    """A return to a band on or before the `within`-th school day after the last day in it
    continues that run (its tasks reopened), rather than starting a new one."""
    return school_days_away <= within
