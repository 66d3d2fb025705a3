"""When a child entered care, from SSDA903 episodes (interop.md 2.1: a new episode at each change
of legal status or placement, so a period of care is a chain of episodes), for the Virtual
School's "trend since entering care" (issue 5 item 1). No database."""

from __future__ import annotations

import datetime as dt

from muster.core.care.care_period import care_period_start

D = dt.date


def test_a_placement_move_does_not_restart_the_period_of_care():
    episodes = [(D(2025, 1, 6), D(2025, 4, 2)), (D(2025, 4, 2), D(2025, 9, 1)), (D(2025, 9, 1), None)]
    assert care_period_start(episodes, D(2026, 1, 5)) == episodes[0][0]


def test_a_return_to_care_after_a_gap_starts_a_new_period():
    episodes = [(D(2023, 5, 1), D(2024, 2, 1)), (D(2025, 6, 9), None)]
    assert care_period_start(episodes, D(2026, 1, 5)) == episodes[1][0]
    assert care_period_start(episodes, D(2023, 9, 1)) == episodes[0][0]


def test_a_child_not_in_care_on_the_day_has_no_period():
    assert care_period_start([(D(2023, 5, 1), D(2024, 2, 1))], D(2025, 1, 6)) is None
    assert care_period_start([], D(2025, 1, 6)) is None
