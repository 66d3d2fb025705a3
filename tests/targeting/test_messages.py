"""Messages that inform (issue 10 part 7: "the letters and messages for these stages say how many
days the child has missed this year and how that compares with a typical pupil in the school, and
are sent only once the week's marks are final"). Core only, no database."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from muster.core.parameters import national
from muster.core.targeting.messages import (
    WeekNotFinal,
    message,
    show,
    typical_days,
    week_final,
)

FRIDAY = dt.date(2026, 11, 27)
SCHOOL = [0, 2, 4, 6, 30]
"""Sessions of absence of each pupil of a small school: the median pupil missed 4 (2 days)."""


def test_the_typical_pupil_is_the_median_of_the_school_in_days():
    assert typical_days(SCHOOL) == Fraction(4, 2)
    assert typical_days([1, 2, 3, 6]) == Fraction(5, 4)  # even count: the middle two's mean
    with pytest.raises(ValueError):
        typical_days([])


def test_each_stage_that_expects_action_has_its_message():
    """Annex A's escalation stages (seed 002 lines 233, 238, 243) each have a text."""
    texts = national("targeting", "messages").value_on(FRIDAY)
    assert set(texts) == {"at_risk", "persistent", "severe"}


@pytest.mark.parametrize("stage", ["at_risk", "persistent", "severe"])
def test_the_message_gives_days_missed_against_the_typical_pupil(stage):
    sent = message(stage=stage, child="Ada", school="Elm Primary", absent_sessions=15,
                   school_absences=SCHOOL, week_ending=FRIDAY, final=True)
    assert sent.days_missed == Fraction(15, 2) and sent.typical_days == 2
    assert f"Ada has missed {show(Fraction(15, 2))} of school" in sent.text
    assert show(Fraction(2)) in sent.text and "27 November 2026" in sent.text


def test_no_message_until_every_session_of_the_week_is_marked():
    open_sessions = [(1, FRIDAY - dt.timedelta(days=d), s) for d in range(5) for s in ("AM", "PM")]
    marked = open_sessions[:-1]  # Friday afternoon's register not yet taken
    assert not week_final(open_sessions, marked)
    with pytest.raises(WeekNotFinal):
        message(stage="persistent", child="Ada", school="Elm Primary", absent_sessions=15,
                school_absences=SCHOOL, week_ending=FRIDAY, final=week_final(open_sessions, marked))
    assert week_final(open_sessions, open_sessions)


def test_days_are_shown_to_the_half_day():
    assert [show(Fraction(n, 2)) for n in (2, 3, 14)] == ["1 day", "1.5 days", "7 days"]
