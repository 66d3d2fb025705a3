"""Messages that inform (issue 10 part 7): the text for a pupil at a stage, saying how many days
they have missed this school year against a typical (median) pupil of their school, produced only
once the week's marks are final: every open session of the week has a mark for every pupil on
roll. Text per stage: policies/national/targeting/messages.yaml.

Days are sessions over two (a school day has two sessions, reference 3.1), shown to the half day.
The median is over the pupils on the school's roll with a possible session this year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from muster.core.parameters import national


class WeekNotFinal(ValueError):
    """A session of the week has no mark yet: the message would be out of date."""


@dataclass(frozen=True)
class Message:
    stage: str
    week_ending: dt.date
    days_missed: Fraction
    typical_days: Fraction
    text: str


def days(sessions: int | Fraction) -> Fraction:
    return Fraction(sessions) / 2


def typical_days(absent_sessions: Sequence[int]) -> Fraction:
    """The median pupil's days missed (sessions of absence of each pupil of the school)."""
    ordered = sorted(absent_sessions)
    if not ordered:
        raise ValueError("a school with no pupils has no typical pupil")
    middle = len(ordered) // 2
    median = (Fraction(ordered[middle]) if len(ordered) % 2
              else Fraction(ordered[middle - 1] + ordered[middle], 2))
    return days(median)


def show(value: Fraction) -> str:
    """Days to the half day ("7 days", "7.5 days", "1 day"); a quarter is shown to one place."""
    if value == 1:
        return "1 day"
    if value.denominator == 1:
        return f"{value.numerator} days"
    if value.denominator == 2:
        return f"{value.numerator // 2}.5 days"
    return f"{float(value):.1f} days"


def week_final(open_sessions: Iterable[tuple[int, dt.date, str]],
               marked: Iterable[tuple[int, dt.date, str]]) -> bool:
    """Whether every (pupil, day, session) the school was open for has a mark."""
    return set(open_sessions) <= set(marked)


def message(*, stage: str, child: str, school: str, absent_sessions: int,
            school_absences: Sequence[int], week_ending: dt.date, final: bool,
            texts: dict[str, str] | None = None) -> Message:
    """The message for a pupil at `stage`; WeekNotFinal when the week's marks are not all in."""
    if not final:
        raise WeekNotFinal(f"the week ending {week_ending} still has sessions with no mark")
    texts = texts or {str(k): str(v) for k, v in
                      national("targeting", "messages").value_on(week_ending).items()}
    if stage not in texts:
        raise ValueError(f"no message for the stage {stage!r}; stages: {', '.join(texts)}")
    missed, typical = days(absent_sessions), typical_days(school_absences)
    text = texts[stage].format(child=child, school=school, days=show(missed), typical=show(typical),
                               week_ending=f"{week_ending.day} {week_ending:%B %Y}")
    return Message(stage, week_ending, missed, typical, " ".join(text.split()))
